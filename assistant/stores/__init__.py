"""Open the stores from settings: the one module ingestion (writer) and the assistant (reader) share."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.api.types import Embeddings as ChromaEmbeddings
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import Embeddings

from assistant.errors import Unavailable
from assistant.settings import Settings
from assistant.stores.catalog import Catalog
from assistant.stores.embeddings import canonical_name, encode, encode_queries, make_embeddings, model_slug
from assistant.stores.health import CHROMA_FILE, VectorWatch
from assistant.stores.vector_cache import CachedEncoder, VectorCache

log = logging.getLogger(__name__)


class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Our embedding model as Chroma's explicit embedding function (Chroma's default downloads one)."""

    def __init__(self, embeddings: Embeddings, model_name: str = "factory-mentor"):
        self._embeddings = embeddings
        self._model_name = model_name

    def __call__(self, input: Documents) -> ChromaEmbeddings:
        return list(encode(self._embeddings, list(input)))

    @staticmethod
    def name() -> str:
        return "factory-mentor"

    def get_config(self) -> dict[str, Any]:
        return {"model": self._model_name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        return ChromaEmbeddingFunction(make_embeddings(config.get("model", "use-multilingual-v3")),
                                       config.get("model", "use-multilingual-v3"))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


def chroma_client(settings: Settings) -> Any:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # noqa: BLE001
            raise Unavailable(
                "vector_store_down",
                "검색 저장소(Chroma 서버)에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.",
                f"cannot reach Chroma at {settings.chroma_url}: {exc}",
            ) from exc
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


@dataclass
class Stores:
    """Lazily opened stores; nothing heavy happens until first use."""

    settings: Settings
    _queries: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict, repr=False)
    _queries_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def embeddings(self) -> Embeddings:
        s = self.settings
        return make_embeddings(s.embedding_model, s.embedding_batch_size, s.embedding_threads)

    @property
    def model_name(self) -> str:
        """The embedding model's one name (catalog records and cache keys use it)."""
        return canonical_name(self.settings.embedding_model)

    @cached_property
    def vector_cache(self) -> VectorCache:
        return VectorCache(self.settings.vector_cache_path)

    @cached_property
    def encoder(self) -> CachedEncoder:
        """Documents and sentences embedded through the vector cache."""
        return CachedEncoder(self.embeddings, self.model_name, self.vector_cache)

    def warm(self) -> None:
        """Load the embedding model and run it once (a server calls this at start-up, so the
        first user does not wait for it); the model is shared by the whole process."""
        encode_queries(self.embeddings, ["준비"])

    def embed_query(self, text: str) -> np.ndarray:
        """A question's vector ("query" side for asymmetric models); recent ones kept in an LRU."""
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> list[np.ndarray]:
        """Several questions' vectors, those not in the LRU encoded in one call (an answer
        searches with its query and scores lines against the question as typed: when they
        differ, one call for both costs little more than one)."""
        size = self.settings.query_cache_size
        found: dict[str, np.ndarray] = {}
        with self._queries_lock:
            for text in texts:
                hit = self._queries.get(text)
                if hit is not None:
                    self._queries.move_to_end(text)
                    found[text] = hit
        todo = [t for t in dict.fromkeys(texts) if t not in found]
        if todo:
            vectors = encode_queries(self.embeddings, todo)
            for text, vector in zip(todo, vectors, strict=True):
                vector.setflags(write=False)
                found[text] = vector
            if size:
                with self._queries_lock:
                    for text in todo:
                        self._queries[text] = found[text]
                    while len(self._queries) > size:
                        self._queries.popitem(last=False)
        return [found[t] for t in texts]

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog.open(self.settings)

    @cached_property
    def client(self) -> Any:
        if not self.settings.chroma_url and not (self.settings.chroma_path / CHROMA_FILE).exists():
            self._forget_shared_chroma()  # a system this process opened on a directory now gone
        return chroma_client(self.settings)

    @property
    def collection_name(self) -> str:
        return f"{self.settings.chroma_collection}-{model_slug(self.model_name)}"

    @cached_property
    def collection(self) -> Any:
        ef = self.settings.chroma_search_ef
        collection = self.client.get_or_create_collection(
            name=self.collection_name,
            embedding_function=ChromaEmbeddingFunction(self.embeddings, self.settings.embedding_model),
            metadata={"hnsw:space": "cosine", "hnsw:search_ef": ef},
        )
        if (collection.configuration.get("hnsw") or {}).get("ef_search") != ef:
            # a collection made before (or with another setting): how it searches can change in place
            collection.modify(configuration={"hnsw": {"ef_search": ef}})
            log.info("vector search width set to %d", ef)
        return collection

    @cached_property
    def vector_watch(self) -> VectorWatch:
        """Vectors counted against the catalog (readiness, warm-up); failed queries noted."""
        return VectorWatch(self)

    def reopen_vectors(self) -> None:
        """Forget the open vector store and open it again at next use: after its directory was
        deleted, an embedded Chroma keeps serving from handles to files that are gone."""
        client = self.__dict__.pop("client", None)
        self.__dict__.pop("collection", None)
        if client is not None and not self.settings.chroma_url:
            self._forget_shared_chroma()
        log.info("vector store reopened")

    def _forget_shared_chroma(self) -> None:
        """Chroma shares one system per directory within a process; drop this directory's so
        the next client starts a fresh one on the (re-created) directory."""
        SharedSystemClient._identifier_to_system.pop(str(self.settings.chroma_path), None)
        SharedSystemClient._identifier_to_refcount.pop(str(self.settings.chroma_path), None)

    def close(self) -> None:
        if "catalog" in self.__dict__:
            self.catalog.close()
        if "vector_cache" in self.__dict__:
            self.vector_cache.close()


def open_stores(settings: Settings) -> Stores:
    return Stores(settings)
