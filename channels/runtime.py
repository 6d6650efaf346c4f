"""The composition root: what each process kind runs, built from settings and passed in.

`serve`, `slack --socket`, `worker` and the CLI commands build their parts here and
nowhere else: the assistant (with note ingestion wired in), the outbox senders of every
configured channel (Slack when its bot token is set; the in-app inbox for web, cli, api
and kakao) and the background loop that delivers with them. Nothing is registered by
side effect: a worker delivers with exactly the senders handed to it.

This is the one module under `channels/` that may import ingestion, the stores and the
database (the architecture test holds every other channel module to the service).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from assistant import wiring
from assistant.answers.retrieval import HybridSearcher
from assistant.conversations import ConversationStore, SqlConversationStore
from assistant.db import Database, open_database
from assistant.db.engine import catalog_url, database_url, redacted
from assistant.delivery.inbox import InboxSender
from assistant.delivery.keys import KeyStore
from assistant.delivery.loop import BackgroundLoop
from assistant.delivery.outbox import Sender, SenderRegistry
from assistant.delivery.received import Handler
from assistant.experts.accounts import StaffAccounts
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.stores import Stores, open_stores
from channels.kakao.handler import CHANNEL as KAKAO
from channels.kakao.handler import SkillHandler
from channels.slack.delivery import CHANNEL as SLACK
from channels.slack.delivery import SlackSender
from channels.slack.deps import SlackDeps, make_deps
from channels.slack.events import CHANNEL as SLACK_EVENTS
from channels.slack.events import SlackEventHandler
from ingestion.notes import NoteIngestor
from ingestion.pipeline import EmbedProgress, Ingestor, SyncReport, scan

__all__ = ["Ingestor", "Runtime", "SyncReport", "build_assistant", "ingestion", "searcher", "staff_accounts"]

logger = logging.getLogger(__name__)


def build_assistant(settings: Settings, *, stores: Stores | None = None, db: Database | None = None) -> Assistant:
    """The assistant every channel uses, with approved expert notes ingested into `stores`."""
    stores = stores or open_stores(settings)
    return wiring.build_assistant(settings, stores=stores, db=db, ingest_note=NoteIngestor(settings, stores))


class Runtime:
    """One process's parts, each built on first use, closed together.

    A worker touches only `db` and the senders (the assistant is built only if the Slack
    sender needs a ticket's details); `serve` and `slack --socket` use all of it.
    """

    def __init__(self, settings: Settings, *, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self._given = assistant
        self._built = False

    @cached_property
    def db(self) -> Database:
        if self._given is not None and self._given.db is not None:
            return self._given.db
        return open_database(self.settings)

    @cached_property
    def assistant(self) -> Assistant:
        if self._given is not None:
            return self._given
        self._built = True
        return build_assistant(self.settings, db=self.db)

    def slack_deps(self) -> SlackDeps | None:
        """The Slack Web API client and stores, when a bot token is configured."""
        if self.settings.slack_bot_token is None:
            return None
        return make_deps(self.settings, lambda: self.assistant, keys=KeyStore.from_settings(self.settings, self.db))

    def inbox(self) -> InboxSender:
        return InboxSender(self.db.sessions)

    def senders(self, channel_senders: dict[str, Sender] | None = None, *,
                slack: SlackDeps | None = None) -> SenderRegistry:
        """`channel_senders` (e.g. the web app's live page sender), Slack when configured
        (with `slack`, the deps its listeners already use), the inbox for the rest."""
        own = dict(channel_senders or {})
        slack = slack or self.slack_deps()
        if slack is not None:
            own.setdefault(SLACK, SlackSender(slack))
        return wiring.senders_for(self.db, own)

    def received_handlers(self, *, slack: SlackDeps | None = None,
                          kakao: SkillHandler | None = None) -> dict[str, Handler]:
        """Who processes the received events left in the durable inbox, by channel: Slack's
        events and Kakao's callback requests, each when configured (with `slack` / `kakao`,
        the parts the mounted endpoints already use)."""
        handlers: dict[str, Handler] = {}
        slack = slack or self.slack_deps()
        if slack is not None:
            handlers[SLACK_EVENTS] = SlackEventHandler(slack)
        if kakao is None and self.settings.kakao_skill_secret is not None:
            kakao = SkillHandler(self.settings, lambda: self.assistant, KeyStore.from_settings(self.settings, self.db))
        if kakao is not None:
            handlers[KAKAO] = kakao.finish
        return handlers

    def background_loop(self, senders: SenderRegistry, handlers: dict[str, Handler] | None = None) -> BackgroundLoop:
        return wiring.background_loop(self.db, self.settings, senders, handlers)

    def close(self) -> None:
        """Close what this runtime built (an assistant handed in stays open)."""
        if self._built:
            self.assistant.close()
        elif "db" in self.__dict__ and (self._given is None or self._given.db is None):
            self.db.dispose()


@contextmanager
def staff_accounts(settings: Settings) -> Iterator[StaffAccounts]:
    """Staff users and tokens (`factory-mentor users`): the database only, no stores."""
    db = open_database(settings)
    try:
        yield StaffAccounts(db)
    finally:
        db.dispose()


@contextmanager
def conversations(settings: Settings) -> Iterator[ConversationStore]:
    """The stored conversations (`factory-mentor conversation show`): the database only."""
    db = open_database(settings)
    try:
        yield SqlConversationStore(db.sessions)
    finally:
        db.dispose()


@contextmanager
def ingestion(settings: Settings, *, on_embed: EmbedProgress | None = None) -> Iterator[Ingestor]:
    """The ingestor over the stores of `settings` (`factory-mentor ingest`); `on_embed` hears how
    many texts were queued for the embedding model and how many are done (the slow part)."""
    stores = open_stores(settings)
    try:
        yield Ingestor(stores, on_embed=on_embed)
    finally:
        stores.close()


def count_files(path: Path) -> int:
    """How many files `ingest` would look at under `path` (for its progress bar)."""
    return len(scan(path.resolve()))


@contextmanager
def searcher(settings: Settings) -> Iterator[HybridSearcher]:
    """The assistant's own retriever, read-only (`factory-mentor search`)."""
    stores = open_stores(settings)
    try:
        yield HybridSearcher(stores)
    finally:
        stores.close()


def database_label(settings: Settings) -> str:
    """Which database this process uses, password hidden (for the start-up summary)."""
    return _label(database_url(settings))


def catalog_label(settings: Settings) -> str:
    """Where the knowledge catalog (and so the keyword index) is read from, password hidden."""
    url = catalog_url(settings)
    return "the database" if url == database_url(settings) else _label(url)


def _label(url: str) -> str:
    return ("PostgreSQL " if url.startswith("postgres") else "SQLite ") + redacted(url)
