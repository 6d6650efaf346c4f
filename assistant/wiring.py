"""Wire the assistant from settings: stores, database, conversation store.

Only core parts: what lies outside the core (note ingestion, channel senders) is passed
in by a process's composition root (`channels.runtime`), so the core imports no
ingestion and no channel.
"""

from __future__ import annotations

from assistant.conversations import SqlConversationStore
from assistant.db import Database, open_database
from assistant.delivery.inbox import IN_APP_CHANNELS, InboxSender
from assistant.delivery.loop import BackgroundLoop
from assistant.delivery.outbox import Sender, SenderRegistry
from assistant.delivery.received import Handler
from assistant.experts.notes import IngestNote
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.stores import Stores, open_stores


def build_assistant(
    settings: Settings, *, stores: Stores | None = None, db: Database | None = None,
    ingest_note: IngestNote | None = None,
) -> Assistant:
    """The service every entry point uses (CLI, web, Slack, Kakao, evals), on the database."""
    stores = stores or open_stores(settings)
    db = db or open_database(settings)
    return Assistant(
        settings, stores, conversations=SqlConversationStore(db.sessions), db=db, ingest_note=ingest_note,
    )


def senders_for(db: Database, channel_senders: dict[str, Sender] | None = None) -> SenderRegistry:
    """The given channel senders, plus the in-app inbox for every in-app channel without one."""
    inbox = InboxSender(db.sessions)
    senders: dict[str, Sender] = {channel: inbox for channel in IN_APP_CHANNELS}
    senders.update(channel_senders or {})
    return SenderRegistry(senders)


def background_loop(db: Database, settings: Settings, senders: SenderRegistry,
                    handlers: dict[str, Handler] | None = None) -> BackgroundLoop:
    """Outbox deliveries with `senders`, the SLA sweep and, with `handlers` (by channel name),
    the received events left unprocessed; run it with `await loop.run(stop_event)`."""
    return BackgroundLoop(db, settings=settings, registry=senders, handlers=handlers)
