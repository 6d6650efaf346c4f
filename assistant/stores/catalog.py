"""The catalog: which files are ingested (with their content hash) and their chunks.

It is the commit point of ingestion: a file's chunks become visible to search when its catalog
transaction commits (the generation moves in the same transaction), so a crash or a bad file
never leaves half a document searchable. The keyword index is built from the terms kept here,
so it is always in step with the vectors.

Where it lives (`assistant.db.engine.catalog_url`): `<data dir>/index.sqlite` on the embedded
defaults; the shared PostgreSQL database when `FM_DATABASE_URL` names one, so every web process
reads the same catalog. The tables are the Alembic-migrated ones of `assistant.db.tables`, and
the same code runs on both.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Integer, Text, bindparam, cast, delete, func, select, update

from assistant.db.engine import catalog_url as catalog_database_url
from assistant.db.engine import create_db_engine, upsert
from assistant.db.tables import catalog_chunks as chunks_t
from assistant.db.tables import catalog_files as files_t
from assistant.db.tables import catalog_state as state_t
from assistant.settings import Settings

log = logging.getLogger(__name__)

_COLUMNS = (chunks_t.c.chunk_id, chunks_t.c.source, chunks_t.c.title, chunks_t.c.kind, chunks_t.c.text,
            chunks_t.c.heading, chunks_t.c.page, chunks_t.c.ord, chunks_t.c.terms, chunks_t.c.meta)


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
    # its lines as the answer composer reads them (JSON, made at ingest): written to the
    # catalog, read back only for the chunks an answer quotes (`Catalog.analyses`)
    analysis: str | None = field(default=None, repr=False)

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
    def __init__(self, engine: Engine):
        self.engine = engine

    @classmethod
    def open(cls, settings: Settings) -> Catalog:
        """The catalog where settings put it, migrated to the latest revision first."""
        from assistant.db.migrations import upgrade

        url = catalog_database_url(settings)
        engine = create_db_engine(settings, url=url, immediate=False)
        with engine.begin() as conn:
            upgrade(settings, connection=conn)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- state ---------------------------------------------------------------------------
    def get_state(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as conn:
            value = conn.scalar(select(state_t.c.value).where(state_t.c.key == key))
        return value if value is not None else default

    def set_state(self, key: str, value: str) -> None:
        with self.engine.begin() as conn:
            stmt = upsert(conn, state_t).values(key=key, value=value)
            conn.execute(stmt.on_conflict_do_update(index_elements=[state_t.c.key], set_={"value": value}))

    @property
    def generation(self) -> int:
        """Bumped by every committed change; readers reload when it moves."""
        return int(self.get_state("generation", "0") or 0)

    # -- files ---------------------------------------------------------------------------
    def files_under(self, root: str) -> dict[str, FileRecord]:
        query = select(files_t.c.file_id, files_t.c.root, files_t.c.relpath, files_t.c.content_hash,
                       files_t.c.embed_model, files_t.c.chunk_count).where(files_t.c.root == root)
        with self.engine.connect() as conn:
            return {r[2]: FileRecord(*r) for r in conn.execute(query)}

    def chunk_ids(self, file_id: str) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.scalars(select(chunks_t.c.chunk_id).where(chunks_t.c.file_id == file_id)))

    def all_chunk_ids(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.scalars(select(chunks_t.c.chunk_id)))

    def count_chunks(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(chunks_t)) or 0)

    def count_files(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(files_t)) or 0)

    def sources(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.scalars(select(chunks_t.c.source).distinct()))

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn
            stmt = upsert(conn, state_t).values(key="generation", value="1")
            bumped = cast(cast(state_t.c.value, Integer) + 1, Text)
            conn.execute(stmt.on_conflict_do_update(index_elements=[state_t.c.key], set_={"value": bumped}))

    def touch(self) -> None:
        """Bump the generation with no change of chunks (their vectors were put back): readers reload."""
        with self._tx():
            pass

    def replace_file(self, record: FileRecord, chunks: list[Chunk]) -> None:
        """Atomically swap a file's chunks for new ones (one transaction)."""
        with self._tx() as conn:
            conn.execute(delete(chunks_t).where(chunks_t.c.file_id == record.file_id))
            row = {"file_id": record.file_id, "root": record.root, "relpath": record.relpath,
                   "content_hash": record.content_hash, "embed_model": record.embed_model,
                   "chunk_count": len(chunks), "ingested_at": time.time()}
            stmt = upsert(conn, files_t).values(**row)
            conn.execute(stmt.on_conflict_do_update(index_elements=[files_t.c.file_id], set_=row))
            if chunks:
                insert = upsert(conn, chunks_t)
                replace = {c.name: insert.excluded[c.name] for c in chunks_t.c if c.name != "chunk_id"}
                conn.execute(insert.on_conflict_do_update(index_elements=[chunks_t.c.chunk_id], set_=replace), [
                    {"chunk_id": ch.chunk_id, "file_id": record.file_id, "ord": ch.ord, "source": ch.source,
                     "title": ch.title, "kind": ch.kind, "heading": ch.heading, "page": ch.page, "text": ch.text,
                     "terms": " ".join(ch.terms), "meta": json.dumps(ch.metadata, ensure_ascii=False),
                     "analysis": ch.analysis}
                    for ch in _unique(chunks)
                ])

    def remove_files(self, file_ids: Iterable[str]) -> None:
        ids = list(file_ids)
        if not ids:
            return
        with self._tx() as conn:
            conn.execute(delete(chunks_t).where(chunks_t.c.file_id.in_(ids)))
            conn.execute(delete(files_t).where(files_t.c.file_id.in_(ids)))

    # -- reading -------------------------------------------------------------------------
    def iter_chunks(self) -> Iterator[Chunk]:
        query = select(*_COLUMNS).order_by(chunks_t.c.file_id, chunks_t.c.ord)
        with self.engine.connect() as conn:
            for r in conn.execution_options(yield_per=2000).execute(query):
                yield _chunk(r)

    def documents_of(self, chunk_ids: list[str]) -> list[Chunk]:
        """Every chunk of the files these chunks belong to, file by file in their order."""
        if not chunk_ids:
            return []
        owners = select(chunks_t.c.file_id).where(chunks_t.c.chunk_id.in_(bindparam("ids", expanding=True)))
        query = select(*_COLUMNS).where(chunks_t.c.file_id.in_(owners)).order_by(chunks_t.c.file_id, chunks_t.c.ord)
        with self.engine.connect() as conn:
            return [_chunk(r) for r in conn.execute(query, {"ids": chunk_ids})]

    def following(self, chunk: Chunk) -> Chunk | None:
        """The chunk after this one in its file (None at the file's end)."""
        owner = select(chunks_t.c.file_id).where(chunks_t.c.chunk_id == chunk.chunk_id).scalar_subquery()
        query = select(*_COLUMNS).where(chunks_t.c.file_id == owner, chunks_t.c.ord == chunk.ord + 1)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _chunk(row) if row is not None else None

    def texts(self, chunk_ids: list[str]) -> dict[str, str]:
        """Chunk texts by id, in the order asked (unknown ids left out)."""
        found: dict[str, str] = {}
        query = select(chunks_t.c.chunk_id, chunks_t.c.text).where(
            chunks_t.c.chunk_id.in_(bindparam("ids", expanding=True)))
        with self.engine.connect() as conn:
            for start in range(0, len(chunk_ids), 500):
                found.update({r[0]: r[1] for r in conn.execute(query, {"ids": chunk_ids[start : start + 500]})})
        return {cid: found[cid] for cid in chunk_ids if cid in found}

    def analyses(self, chunk_ids: list[str]) -> dict[str, str]:
        """The stored line analyses of these chunks (those ingested without one left out)."""
        if not chunk_ids:
            return {}
        query = select(chunks_t.c.chunk_id, chunks_t.c.analysis).where(
            chunks_t.c.chunk_id.in_(bindparam("ids", expanding=True)), chunks_t.c.analysis.is_not(None))
        with self.engine.connect() as conn:
            return {r[0]: r[1] for r in conn.execute(query, {"ids": chunk_ids})}

    def invalidate_chunks(self, chunk_ids: set[str]) -> None:
        """Mark the files owning these chunks as changed, so the next sync rewrites them."""
        if not chunk_ids:
            return
        owners = select(chunks_t.c.file_id).where(chunks_t.c.chunk_id.in_(sorted(chunk_ids)))
        with self.engine.begin() as conn:
            conn.execute(update(files_t).where(files_t.c.file_id.in_(owners)).values(content_hash=""))


def _chunk(r: Any) -> Chunk:
    """A chunk from a row of `_COLUMNS`."""
    return Chunk(chunk_id=r[0], source=r[1], title=r[2], kind=r[3], text=r[4], heading=r[5], page=r[6],
                 ord=r[7], terms=r[8].split(" ") if r[8] else [], metadata=json.loads(r[9]))


def _unique(chunks: list[Chunk]) -> list[Chunk]:
    """The last chunk of each id (a file that repeats a passage word for word at the same
    position gives the same id twice)."""
    return list({ch.chunk_id: ch for ch in chunks}.values())
