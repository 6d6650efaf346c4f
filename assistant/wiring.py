"""Wire the assistant from settings: stores, database, conversation store, note ingestion."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.conversations import SqlConversationStore
from assistant.db import Database, open_database
from assistant.delivery.loop import BackgroundLoop, registry_with_inbox
from assistant.experts.notes import NoteDocument, write_note_file
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.stores import Stores, open_stores

log = logging.getLogger(__name__)


class NoteIngestor:
    """Approved expert notes become knowledge: written under `<data dir>/notes/` and ingested
    with the source `notes/expert-note-<id>.md` (a repeat replaces the same document)."""

    def __init__(self, settings: Settings, stores: Stores):
        self.folder: Path = settings.data_dir / "notes"
        self.stores = stores

    def __call__(self, document: NoteDocument) -> None:
        from ingestion.pipeline import Ingestor

        path = write_note_file(document, self.folder)
        report = Ingestor(self.stores).sync(path, root=self.folder.parent, prune=False)
        if report.failed:
            raise RuntimeError(f"note {document.note_id} was not ingested: {report.failed}")
        log.info("expert note %s ingested (%d chunks)", document.note_id, report.chunks_written)


def build_assistant(settings: Settings, *, stores: Stores | None = None, db: Database | None = None) -> Assistant:
    """The service every entry point uses (CLI, web, Slack, Kakao, evals)."""
    stores = stores or open_stores(settings)
    db = db or open_database(settings)
    return Assistant(
        settings, stores, conversations=SqlConversationStore(db.sessions), db=db,
        ingest_note=NoteIngestor(settings, stores),
    )


def background_loop(assistant: Assistant) -> BackgroundLoop:
    """Outbox deliveries and the SLA sweep; run it with `await loop.run(stop_event)`."""
    assert assistant.db is not None
    return BackgroundLoop(assistant.db, settings=assistant.settings, registry=registry_with_inbox(assistant.db))
