"""The stores checking each other: the vector store against the catalog, and putting back what it lost.

The catalog (SQLite) is the record of what was ingested; the vector store (Chroma) holds one
vector per catalog chunk. When the Chroma directory is deleted (before a start or while
serving) the two disagree: `VectorWatch.check` counts both and says how many vectors are
missing (readiness, warm-up), answers fall back to keyword search meanwhile (logged once),
and `restore_missing_vectors` re-embeds exactly the missing chunks, from the vector cache
when it holds them (no model call), else with the model.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.stores import Stores
    from assistant.stores.catalog import Chunk

log = logging.getLogger(__name__)

CHROMA_FILE = "chroma.sqlite3"  # what an embedded Chroma keeps in its directory
_UPSERT_BATCH = 2000
_IDS_PAGE = 5000


@dataclass(frozen=True)
class VectorCheck:
    """Catalog chunks against stored vectors; `vectors` is None when the store could not be read."""

    chunks: int
    vectors: int | None
    error: str | None = None

    @property
    def missing(self) -> int:
        return self.chunks if self.vectors is None else max(0, self.chunks - self.vectors)

    @property
    def ok(self) -> bool:
        return self.error is None and self.missing == 0

    def reason(self) -> str:
        """One Korean sentence for operators (readiness, logs); empty when all is well."""
        if self.error is not None:
            return f"검색 저장소(벡터)를 읽을 수 없습니다 ({self.error}). 키워드 검색으로만 답합니다."
        if self.missing:
            return (f"검색 저장소에 벡터 {self.missing}개가 없습니다 (목록의 청크 {self.chunks}개 중). "
                    "키워드 검색으로 답하는 중이며, `factory-mentor ingest`를 실행하면 다시 채웁니다.")
        return ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "chunks": self.chunks, "vectors": self.vectors,
                               "missing": self.missing}
        if not self.ok:
            out["reason"] = self.reason()
        return out


def vector_metadata(chunk: Chunk) -> dict[str, str]:
    """What each vector carries beside its id (ingestion and restoring write the same)."""
    return {"source": chunk.source, "kind": chunk.kind, "title": chunk.title[:200]}


class VectorWatch:
    """Keeps an eye on the vector store for one `Stores`: counts, notices a lost directory,
    and says so in the log once per change of state (not once per question)."""

    def __init__(self, stores: Stores) -> None:
        self.stores = stores
        self._lock = threading.Lock()
        self._last: tuple[int, str | None] | None = None  # (missing, error) last logged

    def failed(self, exc: Exception) -> None:
        """A vector query failed: answers go on with keyword search (said once in the log) and
        the store is reopened for the next question (a deleted directory starts empty)."""
        self.stores.reopen_vectors()
        self._say(VectorCheck(self._catalog_count(), None, type(exc).__name__))

    def check(self) -> VectorCheck:
        """Count both stores (reopening an embedded Chroma whose directory is gone)."""
        self.reopen_if_lost()
        chunks = self._catalog_count()
        try:
            result = VectorCheck(chunks, int(self.stores.collection.count()))
        except Exception as exc:  # noqa: BLE001 - any failure means "vectors not readable"
            self.stores.reopen_vectors()
            result = VectorCheck(chunks, None, type(exc).__name__)
        if result.ok and self._last not in (None, (0, None)):
            # complete again, refilled by another process: open afresh so queries see its files
            self.stores.reopen_vectors()
        self._say(result)
        return result

    def _catalog_count(self) -> int:
        return int(self.stores.catalog.count_chunks())

    def reopen_if_lost(self) -> None:
        """An embedded Chroma whose directory was deleted under it is opened afresh (empty)."""
        s = self.stores.settings
        if s.chroma_url or "client" not in self.stores.__dict__:
            return  # a Chroma server keeps its own files; nothing opened yet
        if not (s.chroma_path / CHROMA_FILE).exists():
            log.warning("the vector store directory %s is gone: opening it afresh", s.chroma_path)
            self.stores.reopen_vectors()

    def _say(self, result: VectorCheck) -> None:
        state = (result.missing, result.error)
        with self._lock:
            if state == self._last or (self._last is None and result.ok):
                self._last = state
                return
            self._last = state
        if result.ok:
            log.warning("vector store complete again: %d vectors for %d chunks", result.vectors, result.chunks)
        elif result.error:
            log.warning("vector store unreadable (%s): answers use keyword search only", result.error)
        else:
            log.warning("vector store is missing %d of %d chunk vectors: answers use keyword search for them "
                        "until `ingest` restores them", result.missing, result.chunks)


def missing_chunk_ids(stores: Stores) -> set[str]:
    """Catalog chunks with no vector in the store."""
    return stores.catalog.all_chunk_ids() - set(_stored_ids(stores))


def _stored_ids(stores: Stores) -> Iterator[str]:
    offset = 0
    while True:
        ids = stores.collection.get(include=[], limit=_IDS_PAGE, offset=offset)["ids"]
        yield from ids
        if len(ids) < _IDS_PAGE:
            return
        offset += _IDS_PAGE


def restore_missing_vectors(stores: Stores, *, cached_only: bool = False) -> int:
    """Upsert a vector for every catalog chunk the store lacks; how many were restored.

    Vectors come through the vector cache (keyed by model and text): a lost Chroma directory
    costs a read of the cache, not a re-embedding. `cached_only` restores just the chunks the
    cache holds (a server at start-up must not spend minutes on the model); the others stay
    missing and are reported by `VectorWatch.check`.
    """
    stores.vector_watch.reopen_if_lost()
    if stores.collection.count() >= stores.catalog.count_chunks():
        return 0  # the cheap check first (orphan vectors of a crashed run are the dirty flag's business)
    missing = missing_chunk_ids(stores)
    if not missing:
        return 0
    chunks = [c for c in stores.catalog.iter_chunks() if c.chunk_id in missing]
    encoder = stores.encoder
    if cached_only:
        uncached = set(encoder.missing([c.search_text for c in chunks]))
        chunks = [c for c in chunks if c.search_text not in uncached]
    restored = 0
    for start in range(0, len(chunks), _UPSERT_BATCH):
        part = chunks[start : start + _UPSERT_BATCH]
        vectors = encoder.encode([c.search_text for c in part])
        stores.collection.upsert(ids=[c.chunk_id for c in part], embeddings=vectors,
                                 metadatas=[vector_metadata(c) for c in part])
        restored += len(part)
    if restored:
        stores.catalog.touch()  # readers reload, and count the vectors again
        log.warning("restored %d missing chunk vectors (of %d missing)", restored, len(missing))
    return restored
