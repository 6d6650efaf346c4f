"""Approved expert notes become knowledge: the core's `ingest_note` callable, over the pipeline.

The core (`assistant.experts.notes`) decides when a note is approved and what its
document says; this writes it under `<data dir>/notes/` and ingests it with the source
`notes/expert-note-<id>.md` (a repeat replaces the same document). A process's
composition root hands an instance to the assistant.
"""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.experts.notes import NoteDocument, write_note_file
from assistant.settings import Settings
from assistant.stores import Stores
from ingestion.pipeline import Ingestor

log = logging.getLogger(__name__)


class NoteIngestor:
    """`ingest_note` for `Assistant`: write the note's file, ingest it, fail loudly."""

    def __init__(self, settings: Settings, stores: Stores) -> None:
        self.folder: Path = settings.data_dir / "notes"
        self.stores = stores

    def __call__(self, document: NoteDocument) -> None:
        path = write_note_file(document, self.folder)
        report = Ingestor(self.stores).sync(path, root=self.folder.parent, prune=False)
        if report.failed:
            raise RuntimeError(f"note {document.note_id} was not ingested: {report.failed}")
        log.info("expert note %s ingested (%d chunks)", document.note_id, report.chunks_written)
