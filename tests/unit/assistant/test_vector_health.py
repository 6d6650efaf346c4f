"""The vector store checked against the catalog: a few lost vectors are counted, named, and put
back from the vector cache without a model call; the ones the cache lacks wait for ingest."""

from __future__ import annotations

from pathlib import Path

from assistant.readiness import readiness
from assistant.stores import open_stores
from assistant.stores.health import missing_chunk_ids, restore_missing_vectors
from ingestion.pipeline import Ingestor
from tests.conftest import KNOWLEDGE, make_settings


def test_lost_vectors_are_counted_and_only_they_are_restored(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", embedding_model="hashing-bigrams",
                             embedding_cache_path=tmp_path / "cache.sqlite")
    stores = open_stores(settings)
    first = Ingestor(stores).sync(KNOWLEDGE / "subsidies")
    ids = sorted(stores.catalog.all_chunk_ids())
    lost = ids[:7]
    stores.collection.delete(ids=lost)
    generation = stores.catalog.generation

    ready = readiness(stores, None)
    assert not ready.ok and ready.checks == {"catalog": True, "vectors": False, "database": True}
    assert ready.details["vectors"] == {"chunks": len(ids), "vectors": len(ids) - 7, "missing": 7}
    assert "벡터 7개가 없습니다" in ready.reasons["vectors"]
    assert missing_chunk_ids(stores) == set(lost)

    encoder = stores.encoder
    misses = encoder.misses
    report = Ingestor(stores).sync(KNOWLEDGE / "subsidies")
    assert report.restored == 7 and report.chunks_written == 0
    assert sorted(report.unchanged) == sorted(first.added)
    assert encoder.misses == misses  # every vector came from the cache: nothing embedded
    assert stores.catalog.generation > generation  # searchers reload and count again
    assert readiness(stores, None).ok
    stored = stores.collection.get(ids=lost, include=["metadatas"])
    assert sorted(stored["ids"]) == lost and all(m["source"] and m["kind"] for m in stored["metadatas"])
    assert restore_missing_vectors(stores) == 0
    stores.close()


def test_at_start_up_only_cached_vectors_are_restored(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    settings = make_settings(tmp_path / "var", embedding_model="hashing-bigrams", embedding_cache_path=cache)
    stores = open_stores(settings)
    Ingestor(stores, sentence_vectors=False).sync(KNOWLEDGE / "subsidies")
    ids = sorted(stores.catalog.all_chunk_ids())
    stores.collection.delete(ids=ids)
    texts = {c.chunk_id: c.search_text for c in stores.catalog.iter_chunks()}
    stores.close()
    cache.unlink()  # the cache lost everything too...
    stores = open_stores(settings)
    stores.encoder.encode([texts[ids[0]], texts[ids[1]]])  # ...but two chunks' vectors
    assert restore_missing_vectors(stores, cached_only=True) == 2
    assert readiness(stores, None).details["vectors"]["missing"] == len(ids) - 2
    assert restore_missing_vectors(stores) == len(ids) - 2  # ingest embeds the rest with the model
    assert readiness(stores, None).ok
    stores.close()


def test_the_vector_index_searches_widely_enough_to_find_the_same_chunks_in_every_process(tmp_path: Path) -> None:
    """At Chroma's default search width (ef 100) the index each process builds found a slightly
    different set of nearest chunks, and an owner asking twice got two answers. A new collection
    is made with the configured width, and one made before is widened when it is opened."""
    settings = make_settings(tmp_path / "var", embedding_model="hashing-bigrams")
    stores = open_stores(settings)
    assert stores.collection.configuration["hnsw"]["ef_search"] == settings.chroma_search_ef == 400
    stores.collection.modify(configuration={"hnsw": {"ef_search": 100}})  # as earlier releases made it
    stores.close()
    stores = open_stores(settings)
    assert stores.collection.configuration["hnsw"]["ef_search"] == 400
    assert stores.collection.configuration["hnsw"]["space"] == "cosine"
    stores.close()
