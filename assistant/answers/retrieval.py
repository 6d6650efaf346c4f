"""Hybrid search: dense (Chroma) and Korean keyword (BM25 over Kiwi morphemes), fused.

`HybridSearcher.search` is what the assistant calls; `HybridRetriever` exposes the same
search as a LangChain `BaseRetriever`. Only chunks committed in the catalog are ever
returned, so a half-finished ingestion is never visible.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from assistant.answers.fusion import FusionParams, fuse_scores
from assistant.korean import morphemes
from assistant.stores import Stores
from assistant.stores.catalog import Chunk
from assistant.stores.keyword_index import KeywordIndex

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "keyword"]
FILTER_KEYS = ("kind", "region", "industry")


@dataclass
class Hit:
    chunk: Chunk
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None
    dense_score: float | None = None
    keyword_score: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    by_line: bool = False  # read for its best line, below the fused top (`answers.rerank`): it supports, never leads

    def as_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "chunk_id": c.chunk_id, "source": c.source, "title": c.title, "kind": c.kind,
            "heading": c.heading, "page": c.page, "score": round(self.score, 6), "text": c.text,
            "dense_rank": self.dense_rank, "keyword_rank": self.keyword_rank,
        }


def in_no_source(term: str, idf: Callable[[str], float]) -> bool:
    """No chunk contains `term`: its idf is that of a term never seen (the rarest there is)."""
    return idf(term) >= idf("\x00") - 1e-9


def known_by(idf: Callable[[str], float]) -> Callable[[str], bool]:
    """Whether some chunk contains a term, as `korean.spell_apart` and `known_parts` ask it."""
    return lambda term: not in_no_source(term, idf)


def _matches(chunk: Chunk, filters: dict[str, str]) -> bool:
    meta = chunk.metadata
    for key, want in filters.items():
        if not want:
            continue
        if key == "kind":
            if chunk.kind != want:
                return False
        elif key == "region":
            region = str(meta.get("region") or "")
            if region and region not in ("전국", want) and want not in region:
                return False
        elif key == "industry":
            industries = [s.strip() for s in str(meta.get("industries") or "").split(",") if s.strip()]
            if industries and "전체" not in industries and want not in industries:
                return False
        elif str(meta.get(key, "")) != want:
            return False
    return True


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


_MASKS_KEPT = 64  # filter masks kept per catalog generation (one bool per chunk each)


class HybridSearcher:
    """Reads the stores; reloads its in-memory view when the catalog's generation moves."""

    def __init__(self, stores: Stores):
        self.stores = stores
        self.settings = stores.settings
        self.fusion = FusionParams.from_settings(stores.settings, stores.model_name)
        self._lock = threading.Lock()
        self._generation = -1
        self._chunks: list[Chunk] = []
        self._pos: dict[str, int] = {}
        self._by_kind: dict[str, list[Chunk]] = {}
        self._by_source: dict[str, list[Chunk]] = {}
        self._masks: dict[tuple[tuple[str, str], ...], np.ndarray] = {}  # by filters, this generation's
        self._keyword: KeywordIndex | None = None
        self._count = 0
        self._count_generation = -2

    # -- loading -------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        generation = self.stores.catalog.generation
        if not force and generation == self._generation:
            return
        with self._lock:
            if not force and generation == self._generation:
                return
            chunks = list(self.stores.catalog.iter_chunks())
            keyword = KeywordIndex([c.terms for c in chunks])
            self._chunks, self._keyword = chunks, keyword
            self._pos = {c.chunk_id: i for i, c in enumerate(chunks)}
            by_kind: dict[str, list[Chunk]] = {}
            by_source: dict[str, list[Chunk]] = {}
            for c in chunks:
                by_kind.setdefault(c.kind, []).append(c)
                by_source.setdefault(c.source, []).append(c)
            self._by_kind, self._by_source = by_kind, by_source
            self._masks = {}
            self._generation = generation
            log.info("search view loaded: %d chunks (generation %d)", len(chunks), generation)

    def _loaded(self) -> None:
        """The view as this request's search or look-up left it (loaded if none came first): the
        composer asks `idf` for every term, and a generation check is a round trip to a
        database server."""
        if self._generation < 0:
            self.refresh()

    @property
    def size(self) -> int:
        self.refresh()
        return len(self._chunks)

    def idf(self, term: str) -> float:
        self._loaded()
        assert self._keyword is not None
        return self._keyword.idf(term)

    def chunks_of_kind(self, kind: str) -> list[Chunk]:
        self.refresh()  # the supplier and calculation paths start a request here
        return list(self._by_kind.get(kind, ()))  # grouped at load: a scan of 100k chunks took 22 ms

    def chunks_of_source(self, source: str) -> list[Chunk]:
        """One document's chunks (a calculation cites its rule's document)."""
        self.refresh()
        return list(self._by_source.get(source, ()))

    def chunk(self, chunk_id: str) -> Chunk | None:
        self.refresh()
        pos = self._pos.get(chunk_id)
        return self._chunks[pos] if pos is not None else None

    def _vector_count(self) -> int:
        """Vectors in the collection, asked once per catalog generation (it only moves then)."""
        if self._count_generation != self._generation:
            self._count = self.stores.collection.count()
            self._count_generation = self._generation
        return self._count

    def _vectors_failed(self, exc: Exception) -> list[tuple[int, float]]:
        self._count_generation = -1  # count again next time (the store is reopened)
        self.stores.vector_watch.failed(exc)
        return []

    # -- searching -----------------------------------------------------------------------
    def _mask(self, filters: dict[str, str]) -> np.ndarray | None:
        if not any(filters.values()):
            return None
        key = tuple(sorted(filters.items()))
        mask = self._masks.get(key)
        if mask is None or len(mask) != len(self._chunks):  # a region asked again is not a scan of every chunk
            mask = np.fromiter((_matches(c, filters) for c in self._chunks), dtype=bool, count=len(self._chunks))
            if len(self._masks) >= _MASKS_KEPT:
                self._masks.clear()
            self._masks[key] = mask
        return mask

    def keyword_ranked(self, query: str, n: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        assert self._keyword is not None
        return self._keyword.top(morphemes(query), n, mask)

    def dense_ranked(
        self, query: str, n: int, filters: dict[str, str], vector: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        try:
            total = self._vector_count()
        except Exception as exc:  # noqa: BLE001 - a lost vector store: answer from keywords, say so once
            return self._vectors_failed(exc)
        if not total:
            return []
        vec = vector if vector is not None else self.stores.embed_query(query)
        want = n * 4 if any(filters.values()) else n
        where = {"kind": filters["kind"]} if filters.get("kind") else None
        try:
            res = self.stores.collection.query(
                query_embeddings=[vec.tolist()], n_results=min(want, total), where=where, include=["distances"]
            )
        except Exception as exc:  # noqa: BLE001
            return self._vectors_failed(exc)
        out: list[tuple[int, float]] = []
        for cid, dist in zip(res["ids"][0], res["distances"][0], strict=True):
            pos = self._pos.get(cid)
            if pos is None or not _matches(self._chunks[pos], filters):
                continue  # an orphan vector (uncommitted) or filtered out
            out.append((pos, 1.0 - float(dist)))
            if len(out) >= n:
                break
        return out

    def search(
        self, query: str, k: int | None = None, *, filters: dict[str, str] | None = None,
        mode: Mode = "hybrid", dedup: bool = True, query_vector: np.ndarray | None = None,
        candidates: int | None = None,
    ) -> list[Hit]:
        """The best `k` chunks, fused from the top `candidates` of each list (by default the
        settings' `retrieval_candidates`, or three times `k` when more)."""
        self.refresh()
        k = k or self.settings.retrieval_k
        filters = {key: v for key, v in (filters or {}).items() if v}
        if not query.strip() or not self._chunks:
            return []
        n = candidates or max(self.settings.retrieval_candidates, k * 3)
        mask = self._mask(filters)
        terms = morphemes(query) if mode in ("hybrid", "keyword") else []
        assert self._keyword is not None
        kw = self._keyword.top(terms, n, mask) if terms else []
        dn = self.dense_ranked(query, n, filters, query_vector) if mode in ("hybrid", "dense") else []
        floored = mode == "hybrid" and self.fusion.method == "minmax" and self.fusion.keyword_floor > 0
        idf_total = sum(self._keyword.idf(t) for t in dict.fromkeys(terms)) if floored else 0.0
        hits = self._fuse(kw, dn, mode, idf_total)
        if dedup:
            hits = self._collapse(hits, self.settings.dedup_threshold, k)
        return hits[:k]

    def _fuse(self, kw: list[tuple[int, float]], dn: list[tuple[int, float]], mode: Mode,
              idf_total: float = 0.0) -> list[Hit]:
        table: dict[int, Hit] = {}
        for rank, (pos, score) in enumerate(kw, start=1):
            hit = table.setdefault(pos, Hit(chunk=self._chunks[pos], score=0.0))
            hit.keyword_rank, hit.keyword_score = rank, score
        for rank, (pos, score) in enumerate(dn, start=1):
            hit = table.setdefault(pos, Hit(chunk=self._chunks[pos], score=0.0))
            hit.dense_rank, hit.dense_score = rank, score
        if mode == "keyword":
            best_kw = kw[0][1] if kw and kw[0][1] > 0 else 1.0
            for hit in table.values():
                hit.score = (hit.keyword_score or 0.0) / best_kw
        elif mode == "dense":
            for hit in table.values():
                hit.score = hit.dense_score or 0.0
        else:
            fused = fuse_scores(kw, dn, self.fusion, idf_total=idf_total)
            for pos, hit in table.items():
                hit.score = fused.get(pos, 0.0)
        return sorted(table.values(), key=lambda h: (-h.score, h.keyword_rank or 10**6, h.dense_rank or 10**6))

    @staticmethod
    def _collapse(hits: list[Hit], threshold: float, k: int | None = None) -> list[Hit]:
        """Drop hits nearly identical (Jaccard of morphemes) to a better one; stop at k kept."""
        kept: list[Hit] = []
        kept_terms: list[set[str]] = []
        for hit in hits:
            if k is not None and len(kept) >= k:
                break
            terms = set(hit.chunk.terms)
            if any(_jaccard(terms, other) >= threshold for other in kept_terms):
                continue
            kept.append(hit)
            kept_terms.append(terms)
        return kept


class HybridRetriever(BaseRetriever):
    """LangChain retriever over `HybridSearcher` (same results, as `Document`s)."""

    searcher: Any
    k: int = 5
    filters: dict[str, str] = {}
    mode: Mode = "hybrid"

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.searcher.search(query, self.k, filters=self.filters, mode=self.mode)
        return [
            Document(page_content=h.chunk.text, id=h.chunk.chunk_id, metadata={**h.chunk.metadata, **h.as_dict()})
            for h in hits
        ]
