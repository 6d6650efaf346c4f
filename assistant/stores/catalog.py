"""The catalog: which files are ingested (with their content hash) and their chunks.

A SQLite file under the data dir. It is the commit point of ingestion: a file's chunks
become visible to search when its catalog transaction commits, so a crash or a bad file
never leaves half a document searchable. The keyword index is built from the terms kept
here, so it is always in step with the vectors.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    file_id TEXT PRIMARY KEY,
    root TEXT NOT NULL,
    relpath TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    embed_model TEXT NOT NULL,
    chunk_count INTEGER NOT NULL,
    ingested_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS files_root ON files(root);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    file_id TEXT NOT NULL REFERENCES files(file_id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    heading TEXT,
    page INTEGER,
    text TEXT NOT NULL,
    terms TEXT NOT NULL,
    metadata TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_file ON chunks(file_id);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class Chunk:
    chunk_id: str
    source: str
    title: str
    kind: str
    text: str
    heading: str | None = None
    page: int | None = None
    ord: int = 0
    terms: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def search_text(self) -> str:
        """What is embedded: title and heading carried into the chunk's text."""
        head = " > ".join(p for p in (self.title, self.heading) if p)
        return f"{head}\n{self.text}" if head else self.text


@dataclass
class FileRecord:
    file_id: str
    root: str
    relpath: str
    content_hash: str
    embed_model: str
    chunk_count: int


class Catalog:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        self._conn.close()

    # -- state ---------------------------------------------------------------------------
    def get_state(self, key: str, default: str | None = None) -> str | None:
        row = self._conn.execute("SELECT value FROM state WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_state(self, key: str, value: str) -> None:
        with self._conn:
            self._conn.execute("INSERT OR REPLACE INTO state(key, value) VALUES(?, ?)", (key, value))

    @property
    def generation(self) -> int:
        """Bumped by every committed change; readers reload when it moves."""
        return int(self.get_state("generation", "0") or 0)

    # -- files ---------------------------------------------------------------------------
    def files_under(self, root: str) -> dict[str, FileRecord]:
        rows = self._conn.execute(
            "SELECT file_id, root, relpath, content_hash, embed_model, chunk_count FROM files WHERE root=?",
            (root,),
        ).fetchall()
        return {r[2]: FileRecord(*r) for r in rows}

    def chunk_ids(self, file_id: str) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT chunk_id FROM chunks WHERE file_id=?", (file_id,))]

    def all_chunk_ids(self) -> set[str]:
        return {r[0] for r in self._conn.execute("SELECT chunk_id FROM chunks")}

    def count_chunks(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def count_files(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]

    def sources(self) -> set[str]:
        return {r[0] for r in self._conn.execute("SELECT DISTINCT source FROM chunks")}

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._conn:
            yield self._conn
            self._conn.execute(
                "INSERT INTO state(key, value) VALUES('generation', '1') "
                "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )

    def touch(self) -> None:
        """Bump the generation with no change of chunks (their vectors were put back): readers reload."""
        with self._tx():
            pass

    def replace_file(self, record: FileRecord, chunks: list[Chunk]) -> None:
        """Atomically swap a file's chunks for new ones (one transaction)."""
        with self._tx() as c:
            c.execute("DELETE FROM chunks WHERE file_id=?", (record.file_id,))
            c.execute(
                "INSERT OR REPLACE INTO files VALUES(?, ?, ?, ?, ?, ?, ?)",
                (record.file_id, record.root, record.relpath, record.content_hash,
                 record.embed_model, len(chunks), time.time()),
            )
            c.executemany(
                "INSERT OR REPLACE INTO chunks VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (ch.chunk_id, record.file_id, ch.ord, ch.source, ch.title, ch.kind, ch.heading,
                     ch.page, ch.text, " ".join(ch.terms), json.dumps(ch.metadata, ensure_ascii=False))
                    for ch in chunks
                ],
            )

    def remove_files(self, file_ids: Iterable[str]) -> None:
        ids = list(file_ids)
        if not ids:
            return
        with self._tx() as c:
            c.executemany("DELETE FROM chunks WHERE file_id=?", [(i,) for i in ids])
            c.executemany("DELETE FROM files WHERE file_id=?", [(i,) for i in ids])

    # -- reading -------------------------------------------------------------------------
    def iter_chunks(self) -> Iterator[Chunk]:
        cur = self._conn.execute(
            "SELECT chunk_id, source, title, kind, text, heading, page, ord, terms, metadata FROM chunks "
            "ORDER BY file_id, ord"
        )
        for r in cur:
            yield Chunk(
                chunk_id=r[0], source=r[1], title=r[2], kind=r[3], text=r[4], heading=r[5], page=r[6],
                ord=r[7], terms=r[8].split(" ") if r[8] else [], metadata=json.loads(r[9]),
            )

    def texts(self, chunk_ids: list[str]) -> dict[str, str]:
        """Chunk texts by id, in the order asked (unknown ids left out)."""
        found: dict[str, str] = {}
        for start in range(0, len(chunk_ids), 500):
            part = chunk_ids[start : start + 500]
            marks = ",".join("?" * len(part))
            found.update(self._conn.execute(f"SELECT chunk_id, text FROM chunks WHERE chunk_id IN ({marks})", part))
        return {cid: found[cid] for cid in chunk_ids if cid in found}

    def invalidate_chunks(self, chunk_ids: set[str]) -> None:
        """Mark the files owning these chunks as changed, so the next sync rewrites them."""
        with self._conn as c:
            for cid in chunk_ids:
                c.execute(
                    "UPDATE files SET content_hash='' WHERE file_id=(SELECT file_id FROM chunks WHERE chunk_id=?)",
                    (cid,),
                )
