"""`factory-mentor bench retrieval --korquad`: dense, keyword and hybrid beside a plain baseline."""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.answers.retrieval import HybridSearcher
from assistant.korean import morphemes
from assistant.settings import Settings
from assistant.stores import open_stores
from evals.bench import korquad
from evals.bench.metrics import first_hit_rank, latency_summary, ranking_summary
from ingestion.documents import Block, LoadedDocument
from ingestion.pipeline import Ingestor

log = logging.getLogger(__name__)

MODES = ("dense", "keyword", "hybrid")


def _ingest(settings: Settings, paragraphs: list[korquad.Paragraph], progress: Callable | None) -> Any:
    stores = open_stores(settings)
    items = [
        (p.pid, [LoadedDocument(source=p.pid, title=p.title, blocks=[Block(p.text)],
                                metadata={"kind": "policy"})], p.text.encode())
        for p in paragraphs
    ]
    started = time.perf_counter()
    report = Ingestor(stores).ingest_documents("korquad", items, progress=progress)
    return stores, report, time.perf_counter() - started


def _baseline(settings: Settings, paragraphs: list[korquad.Paragraph], embeddings: Any) -> Any:
    """What a user builds from LangChain's quickstart: 1000/200 splitter, Chroma, k=4."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    docs = splitter.split_documents(
        [Document(page_content=p.text, metadata={"source": p.pid, "title": p.title}) for p in paragraphs]
    )
    client = chromadb.PersistentClient(
        path=str(settings.data_dir / "baseline-chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    name = "baseline"
    if name in [c.name for c in client.list_collections()]:
        client.delete_collection(name)
    store = Chroma(collection_name=name, embedding_function=embeddings, client=client)
    for i in range(0, len(docs), 1000):
        store.add_documents(docs[i : i + 1000])
    return store, len(docs)


def _candidates(searcher: HybridSearcher, question: str, vec: Any, n: int) -> dict[str, Any]:
    """Both candidate lists of one question, by source, for tuning the fusion offline."""
    terms = list(dict.fromkeys(morphemes(question)))
    kw = searcher.keyword_ranked(question, n, None)
    dn = searcher.dense_ranked(question, n, {}, vec)
    chunks = searcher._chunks  # noqa: SLF001 - a benchmark reading the searcher's view
    return {"idf_total": sum(searcher.idf(t) for t in terms),
            "kw": [(chunks[p].source, round(s, 4)) for p, s in kw],
            "dn": [(chunks[p].source, round(s, 5)) for p, s in dn]}


def run(settings: Settings, *, path: Path | None = None, limit: int | None = None, with_baseline: bool = True,
        candidates_to: Path | None = None, paragraphs_limit: int | None = None,
        progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    paragraphs, queries = korquad.load(path)
    if paragraphs_limit:  # a smaller corpus: the first N paragraphs and only their questions
        paragraphs = paragraphs[:paragraphs_limit]
        kept = {p.pid for p in paragraphs}
        queries = [q for q in queries if q.pid in kept]
    if limit:
        queries = queries[:limit]
    same = korquad.copies(paragraphs)
    stores, report, ingest_s = _ingest(settings, paragraphs, None)
    searcher = HybridSearcher(stores)
    searcher.refresh()
    baseline, baseline_chunks = (_baseline(settings, paragraphs, stores.embeddings) if with_baseline
                                 else (None, 0))

    ranks: dict[str, list[int | None]] = {m: [] for m in (*MODES, *(["baseline"] if baseline else []))}
    strict: dict[str, list[int | None]] = {m: [] for m in ranks}  # the question's own paragraph only
    lat: dict[str, list[float]] = {m: [] for m in ranks}
    dump: list[dict[str, Any]] = []
    for i, q in enumerate(queries):
        t0 = time.perf_counter()
        vec = stores.embed_query(q.question)
        encode_s = time.perf_counter() - t0
        relevant = same.get(q.pid, {q.pid})
        for mode in MODES:
            t0 = time.perf_counter()
            hits = searcher.search(q.question, 10, mode=mode, query_vector=vec if mode != "keyword" else None)
            elapsed = time.perf_counter() - t0 + (encode_s if mode != "keyword" else 0.0)
            lat[mode].append(elapsed)
            sources = [h.chunk.source for h in hits]
            ranks[mode].append(first_hit_rank(sources, relevant))
            strict[mode].append(first_hit_rank(sources, {q.pid}))
        if baseline is not None:
            t0 = time.perf_counter()
            docs = baseline.similarity_search_by_vector(vec.tolist(), k=4)
            lat["baseline"].append(time.perf_counter() - t0 + encode_s)
            sources = [d.metadata["source"] for d in docs]
            ranks["baseline"].append(first_hit_rank(sources, relevant))
            strict["baseline"].append(first_hit_rank(sources, {q.pid}))
        if candidates_to is not None:
            dump.append({"relevant": sorted(relevant), **_candidates(searcher, q.question, vec, settings.retrieval_candidates)})
        if progress:
            progress("queries", i + 1, len(queries))
    if candidates_to is not None:
        candidates_to.write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")

    results = {
        name: {**ranking_summary(r), **latency_summary(lat[name])} for name, r in ranks.items()
    }
    return {
        "benchmark": "retrieval-korquad",
        "dataset": korquad.ATTRIBUTION,
        "embedding_model": settings.embedding_model,
        "fusion": dataclasses.asdict(searcher.fusion),
        "paragraphs": len(paragraphs),
        "repeated_passages": sorted({tuple(sorted(g)) for g in same.values()}),
        "results_own_paragraph_only": {name: ranking_summary(r) for name, r in strict.items()},
        "queries": len(queries),
        "chunks": stores.catalog.count_chunks(),
        "baseline_chunks": baseline_chunks,
        "ingest_seconds": round(ingest_s, 2),
        "results": results,
        "baseline_description": "LangChain quickstart: RecursiveCharacterTextSplitter(1000, 200), "
                                "Chroma, similarity_search k=4, same embedding model",
    }


def to_markdown(result: dict[str, Any]) -> str:
    lines = [
        f"# Retrieval benchmark: KorQuAD 1.0 dev ({result['queries']} questions, {result['paragraphs']} paragraphs)",
        "",
        f"Embedding model: `{result['embedding_model']}`; our chunks: {result['chunks']}; "
        f"baseline chunks: {result['baseline_chunks']}. Data: {result['dataset']}.",
        "",
        "| retriever | hit@1 | hit@5 | MRR@10 | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in result["results"].items():
        lines.append(
            f"| {name} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['mrr@10']:.3f} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} |"
        )
    repeated = result.get("repeated_passages") or []
    if repeated:
        own = result["results_own_paragraph_only"]
        lines += ["", f"Passages the dev set repeats: {len(repeated)} ({', '.join(' = '.join(g) for g in repeated)}); "
                      "a chunk of a copy counts as a hit. Counting the question's own paragraph only: "
                      + "; ".join(f"{name} {r['hit@1']:.3f} / {r['hit@5']:.3f}" for name, r in own.items()) + "."]
    lines += ["", f"Baseline: {result['baseline_description']}."]
    return "\n".join(lines) + "\n"
