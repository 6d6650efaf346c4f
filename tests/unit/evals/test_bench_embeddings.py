"""Benchmarks around embeddings: ingest from empty and with a warm cache, the ask scale-up, fusion tuning."""

from __future__ import annotations

from pathlib import Path

from assistant.answers.fusion import FusionParams
from assistant.korean import split_sentences
from assistant.stores import open_stores
from evals.bench import ask as bench_ask
from evals.bench import fusion
from evals.bench import ingest as bench_ingest
from ingestion.pipeline import Ingestor
from tests.conftest import make_settings


def _kb(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "a.md").write_text("# 부담금\n\n기업 부담금은 총사업비의 50%입니다. 현물은 절반까지 인정됩니다.\n",
                                 encoding="utf-8")
    (folder / "b.md").write_text("# OEE\n\n설비종합효율은 세 가지 비율의 곱입니다. 양품률이 가장 중요합니다.\n",
                                 encoding="utf-8")
    return folder


def test_bench_ingest_reports_the_knowledge_from_empty_and_from_a_warm_cache(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", embedding_model="hashing-bigrams")
    result = bench_ingest.run(settings, documents=3, knowledge=_kb(tmp_path / "kb"))
    assert result["chunks"] > 0 and result["no_change_rerun_wrote"] == 0
    assert result["embedding_model"] == "hashing-bigrams"
    k = result["knowledge"]
    assert k["from_empty"]["texts_embedded"] > k["from_empty"]["chunks"]  # chunks and their sentences
    assert k["second_data_dir_same_cache"]["texts_embedded"] == 0
    assert "knowledge/ from empty" in bench_ingest.to_markdown(result)


def test_ask_scale_up_embeds_nothing_new(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", embedding_model="hashing-bigrams",
                             embedding_cache_path=tmp_path / "cache.sqlite")
    stores = open_stores(settings)
    Ingestor(stores).sync(_kb(tmp_path / "kb"))
    pool = [s for c in stores.catalog.iter_chunks() for s in split_sentences(c.text)]
    items, made_of = bench_ask._synthetic(pool, 0, 20, seed=1)  # noqa: SLF001
    bench_ask._prefill(stores, Ingestor(stores).splitter, items, made_of)  # noqa: SLF001
    queued: list[int] = []
    report = Ingestor(stores, on_embed=lambda q, _d: queued.append(q), sentence_vectors=False).ingest_documents(
        "synthetic", items)
    assert report.chunks_written == 20 and sum(queued) == 0
    stores.close()


def test_fusion_tuning_scores_candidate_records() -> None:
    records = [
        {"relevant": "p1", "idf_total": 10.0, "kw": [["p1", 9.0], ["p2", 8.0]], "dn": [["p2", 0.9], ["p1", 0.8]]},
        {"relevant": ["p3"], "idf_total": 10.0, "kw": [], "dn": [["p3", 0.9], ["p1", 0.5]]},
    ]
    assert fusion.evaluate(records, FusionParams(dense_weight=0.0), mode="keyword")["hit@1"] == 0.5
    assert fusion.evaluate(records, FusionParams(dense_weight=1.0), mode="dense")["hit@1"] == 0.5
    rows = fusion.grid(records, [0.3, 0.5], [0.0])
    assert len(rows) == 2 and all(r["hit@5"] == 1.0 for r in rows)


def test_bulk_growth_writes_the_rows_and_vectors_ingestion_would(tmp_path: Path) -> None:
    from assistant.korean import morphemes_many
    from evals.bench import ask_bulk

    def stores_in(name: str):  # noqa: ANN202
        s = open_stores(make_settings(tmp_path / name, embedding_model="hashing-bigrams",
                                      embedding_cache_path=tmp_path / "cache.sqlite"))
        Ingestor(s).sync(_kb(tmp_path / f"kb-{name}"))
        return s

    ingested, bulk = stores_in("ingested"), stores_in("bulk")
    pool = [s for c in ingested.catalog.iter_chunks() for s in split_sentences(c.text)]
    items, made_of = bench_ask._synthetic(pool, 0, 12, seed=3)  # noqa: SLF001
    Ingestor(ingested, sentence_vectors=False).ingest_documents("synthetic", items)
    generation = bulk.catalog.generation
    ask_bulk.grow(bulk, items, made_of, dict(zip(pool, morphemes_many(pool), strict=True)))
    assert bulk.catalog.generation > generation  # readers reload
    by_id = {c.chunk_id: c for c in ingested.catalog.iter_chunks() if c.source.startswith("synthetic/")}
    written = [c for c in bulk.catalog.iter_chunks() if c.source.startswith("synthetic/")]
    assert len(written) == len(by_id) == 12
    for chunk in written:
        same = by_id[chunk.chunk_id]  # the id ingestion gives the same source and text
        assert (chunk.text, chunk.title, chunk.kind, chunk.metadata) == (same.text, same.title, same.kind,
                                                                         same.metadata)
        assert set(chunk.terms) == set(same.terms)
    assert bulk.collection.count() == ingested.collection.count()
    assert set(bulk.catalog.all_chunk_ids()) == set(ingested.catalog.all_chunk_ids())
    ingested.close()
    bulk.close()
