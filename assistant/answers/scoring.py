"""How relevant a sentence is to a question, by the configured embedding model.

`SentenceScorer` is the small interface composition uses; `EmbeddingScorer` keeps the
candidate sentences' vectors in memory (least recently used out). Where they come from is
passed in: the service reads them through the stores' vector cache, which ingest fills ahead
with every line a chunk can offer (`candidates.scoring_texts`), so an answer encodes only
its question; without a source it encodes them on the fly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.stores.embeddings import encode


class SentenceScorer(Protocol):
    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """Cosine similarity of each sentence to the question (same order)."""
        ...


class _Lru:
    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            vec = self._items.get(key)
            if vec is not None:
                self._items.move_to_end(key)
            return vec

    def put(self, key: str, vec: np.ndarray) -> None:
        with self._lock:
            self._items[key] = vec
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class EmbeddingScorer:
    """Question as a query, sentences as documents (asymmetric models such as e5 care)."""

    def __init__(
        self, embeddings: Embeddings, cache_size: int = 20_000, query_cache_size: int = 512, *,
        documents: Callable[[list[str]], np.ndarray] | None = None,
        query: Callable[[str], np.ndarray] | None = None,
    ):
        self.embeddings = embeddings
        self._documents = documents or (lambda texts: encode(embeddings, texts))
        self._query = query or embeddings.embed_query
        self._sentences = _Lru(cache_size)
        self._queries = _Lru(query_cache_size)

    def question_vector(self, question: str) -> np.ndarray:
        vec = self._queries.get(question)
        if vec is None:
            vec = _unit(np.asarray(self._query(question), dtype=np.float32))
            self._queries.put(question, vec)
        return vec

    def sentence_vectors(self, sentences: Sequence[str]) -> np.ndarray:
        found: dict[str, np.ndarray] = {}
        for s in dict.fromkeys(sentences):
            if (cached := self._sentences.get(s)) is not None:
                found[s] = cached
        todo = [s for s in dict.fromkeys(sentences) if s not in found]
        if todo:
            for s, vec in zip(todo, self._documents(todo), strict=True):
                found[s] = _unit(np.asarray(vec, dtype=np.float32))
                self._sentences.put(s, found[s])
        return np.vstack([found[s] for s in sentences])

    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        return self.sentence_vectors(sentences) @ self.question_vector(question)

    @property
    def cached(self) -> int:
        return len(self._sentences)


def _unit(vec: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec
