"""`factory-mentor bench ask`: latency of `ask` (extractive) at 1k, 10k and 100k chunks, with
peak memory, beside a plain LangChain baseline (Chroma similarity_search, k=4) in the same run.

The corpus is scaled up synthetically: the shipped knowledge plus documents made of random
whole sentences drawn from it (realistic vocabulary, one chunk each). Embedding 100,000 new
chunks with a transformer would take hours on a small machine and says nothing about answer
latency (the encoder's throughput is `bench ingest`'s figure), so a synthetic chunk's vector
is put in the vector cache beforehand: the normalised mean of its sentences' vectors, which
the knowledge ingest already computed with the same model. Search then runs over a real
index of that size; the question is embedded by the real model at ask time.
"""

from __future__ import annotations

import random
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answers.retrieval import HybridSearcher
from assistant.korean import split_sentences
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.stores import open_stores
from assistant.types import Question
from evals.bench.metrics import latency_summary
from evals.cases import CaseType, load_suite
from ingestion.documents import Block, LoadedDocument
from ingestion.pipeline import Ingestor
from ingestion.splitter import KoreanSentenceSplitter, split_document

SCALES = (1_000, 10_000, 100_000)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


Items = list[tuple[str, list[LoadedDocument], bytes]]


def _synthetic(pool: list[str], start: int, count: int, seed: int) -> tuple[Items, dict[str, list[str]]]:
    """Documents of whole random sentences, and the sentences each one is made of."""
    rng = random.Random(seed)
    items: Items = []
    made_of: dict[str, list[str]] = {}
    for i in range(start, start + count):
        picked: list[str] = []
        for sentence in rng.sample(pool, min(6, len(pool))):
            if len(" ".join([*picked, sentence])) > 450 and picked:
                break
            picked.append(sentence)
        text = " ".join(picked)
        doc = LoadedDocument(source=f"synthetic/{i:06d}.md", title=f"합성 문서 {i}", blocks=[Block(text)],
                             metadata={"kind": "mentoring"})
        items.append((doc.source, [doc], text.encode()))
        made_of[doc.source] = picked
    return items, made_of


def _prefill(stores: Any, splitter: KoreanSentenceSplitter, items: Items, made_of: dict[str, list[str]]) -> None:
    """Cache each synthetic chunk's vector as the normalised mean of its (cached) sentence vectors."""
    encoder = stores.encoder
    for start in range(0, len(items), 2000):
        part = items[start : start + 2000]
        texts: list[str] = []
        groups: list[list[str]] = []
        for source, docs, _ in part:
            sentences = made_of[source]
            for chunk in split_document(docs[0], splitter):
                texts.append(chunk.search_text)
                groups.append(sentences)
        flat = sorted({s for g in groups for s in g})
        vectors = dict(zip(flat, encoder.encode(flat), strict=True))  # cached at knowledge ingest
        means = np.vstack([np.mean([vectors[s] for s in g], axis=0) for g in groups])
        means /= np.linalg.norm(means, axis=1, keepdims=True)
        stores.vector_cache.put_many(stores.model_name, texts, means.astype(np.float32))


def run(settings: Settings, knowledge: Path, *, scales: tuple[int, ...] = SCALES, queries: int = 200,
        progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    stores = open_stores(settings)
    ingestor = Ingestor(stores)
    ingestor.sync(knowledge)  # with sentence vectors: the synthetic chunks are made of these sentences
    scale_up = Ingestor(stores, sentence_vectors=False)
    pool = [s for c in stores.catalog.iter_chunks() for s in split_sentences(c.text) if len(s) > 20]
    questions = [c.question for c in load_suite() if c.type == CaseType.answer][:queries]
    searcher = HybridSearcher(stores)
    assistant = Assistant(settings, stores, searcher=searcher)
    from langchain_chroma import Chroma

    baseline = Chroma(client=stores.client, collection_name=stores.collection_name,
                      embedding_function=stores.embeddings)
    results = []
    for scale in scales:
        have = stores.catalog.count_chunks()
        if have < scale:
            if progress:
                progress(f"{scale:,} 청크까지 합성 문서 수집 중")
            items, made_of = _synthetic(pool, have, scale - have, seed=scale)
            _prefill(stores, ingestor.splitter, items, made_of)
            scale_up.ingest_documents("synthetic", items)
        searcher.refresh()
        assistant.ask(Question(text=questions[0]))  # warm up
        ask_s, base_s = [], []
        for q in questions:
            t0 = time.perf_counter()
            assistant.ask(Question(text=q))
            ask_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            baseline.similarity_search(q, k=4)
            base_s.append(time.perf_counter() - t0)
        results.append({
            "chunks": stores.catalog.count_chunks(),
            "ask": latency_summary(ask_s),
            "baseline": latency_summary(base_s),
            "peak_rss_mb": round(_peak_mb(), 1),
        })
        if progress:
            progress(f"{scale:,}: ask p95 {results[-1]['ask']['p95_ms']:.0f} ms")
    stores.close()
    return {
        "benchmark": "ask",
        "embedding_model": stores.model_name,
        "synthetic_vectors": "normalised mean of the chunk's sentence vectors (same model), cached beforehand",
        "mode": "extractive",
        "questions": len(questions),
        "results": results,
        "baseline_description": "LangChain Chroma.similarity_search(k=4) on the same collection and model "
                                "(retrieval only: no answer composed)",
        "targets": {"p95_ms_at_10k": 150, "p95_ms_at_100k": 300},
    }


def to_markdown(r: dict[str, Any]) -> str:
    lines = [
        f"# Ask benchmark ({r['mode']}, model `{r['embedding_model']}`, {r['questions']} golden questions)",
        "",
        "| chunks | ask p50 ms | ask p95 ms | baseline p50 ms | baseline p95 ms | peak RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for x in r["results"]:
        lines.append(f"| {x['chunks']:,} | {x['ask']['p50_ms']:.1f} | {x['ask']['p95_ms']:.1f} | "
                     f"{x['baseline']['p50_ms']:.1f} | {x['baseline']['p95_ms']:.1f} | {x['peak_rss_mb']} |")
    lines += ["", f"Baseline: {r['baseline_description']}. Targets: p95 <= 150 ms at 10k, <= 300 ms at 100k."]
    return "\n".join(lines) + "\n"
