"""Document vectors cached by model and content hash, so no text is embedded twice.

A small SQLite file (by default in the data dir; point several data dirs at one file and a
second store built from the same files costs nothing). Keys are (model, sha256 of the exact
text embedded); values are float32 vectors. Only documents ("passage" side) are cached:
questions are embedded per query and kept in a small in-process LRU by `Stores`.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.stores.embeddings import encode

log = logging.getLogger(__name__)

EncodeProgress = Callable[[int], None]  # texts newly embedded since the last call

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    digest BLOB NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, digest)
) WITHOUT ROWID;
"""
_LOOKUP_BATCH = 500


def digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()[:20]


class VectorCache:
    """The vectors of texts already embedded by a model; thread-safe, process-safe (WAL)."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), timeout=60, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def get_many(self, model: str, texts: list[str]) -> dict[bytes, np.ndarray]:
        keys = list({digest(t) for t in texts})
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), _LOOKUP_BATCH):
                part = keys[start : start + _LOOKUP_BATCH]
                marks = ",".join("?" * len(part))
                rows = self._conn.execute(
                    f"SELECT digest, vector FROM vectors WHERE model=? AND digest IN ({marks})", (model, *part)
                ).fetchall()
                for key, blob in rows:
                    found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model: str, texts: list[str], vectors: np.ndarray) -> None:
        rows = [(model, digest(t), int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
                for t, v in zip(texts, vectors, strict=True)]
        with self._lock, self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO vectors VALUES(?, ?, ?, ?)", rows)

    def count(self, model: str | None = None) -> int:
        with self._lock:
            if model is None:
                return self._conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
            return self._conn.execute("SELECT COUNT(*) FROM vectors WHERE model=?", (model,)).fetchone()[0]


class CachedEncoder:
    """Embeds documents through the cache: hits are read, misses embedded in batches and stored.

    `progress(n)` is called after each batch with the number of texts just embedded, so a
    caller can draw a bar with an estimate (the core never prints)."""

    def __init__(self, embeddings: Embeddings, model: str, cache: VectorCache | None, batch: int = 32):
        self.embeddings = embeddings
        self.model = model
        self.cache = cache
        self.batch = batch
        self.hits = 0
        self.misses = 0

    def missing(self, texts: list[str]) -> list[str]:
        """The distinct texts the cache does not hold yet (what a run will really embed)."""
        if self.cache is None:
            return list(dict.fromkeys(texts))
        have = self.cache.get_many(self.model, texts)
        return [t for t in dict.fromkeys(texts) if digest(t) not in have]

    def encode(self, texts: list[str], progress: EncodeProgress | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        have = self.cache.get_many(self.model, texts) if self.cache is not None else {}
        todo = [t for t in dict.fromkeys(texts) if digest(t) not in have]
        self.hits += len(texts) - len(todo)
        self.misses += len(todo)
        for start in range(0, len(todo), self.batch):
            part = todo[start : start + self.batch]
            vectors = encode(self.embeddings, part)
            if self.cache is not None:
                self.cache.put_many(self.model, part, vectors)
            have.update((digest(t), v) for t, v in zip(part, vectors, strict=True))
            if progress:
                progress(len(part))
        return np.vstack([have[digest(t)] for t in texts]).astype(np.float32, copy=False)
