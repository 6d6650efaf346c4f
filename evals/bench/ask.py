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

import os
import random
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from sqlalchemy import delete, insert, select

from assistant.answers.retrieval import HybridSearcher
from assistant.db.tables import catalog_chunks, catalog_files, catalog_state
from assistant.korean import morphemes_many, split_sentences
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.stores import open_stores
from assistant.types import Question
from evals.bench import ask_bulk
from evals.bench.metrics import latency_summary
from evals.cases import CaseType, load_suite
from ingestion.documents import Block, LoadedDocument
from ingestion.pipeline import Ingestor
from ingestion.splitter import KoreanSentenceSplitter, split_document

SCALES = (1_000, 10_000, 100_000)
SYNTHETIC = "synthetic/"  # the synthetic documents' source prefix


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


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
        doc = LoadedDocument(source=f"{SYNTHETIC}{i:06d}.md", title=f"합성 문서 {i}", blocks=[Block(text)],
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


class _AskBench:
    """One database's stores grown step by step to each scale, and measured there."""

    def __init__(self, settings: Settings, knowledge: Path | None, questions: list[str]):
        """With `knowledge`, ingest it (the stores grow themselves); without, the catalog is filled by
        `mirror` from another bench's."""
        self.stores = open_stores(settings)
        self.ingestor = Ingestor(self.stores)
        self.pool: list[str] = []
        self._terms_of: dict[str, list[str]] | None = None
        if knowledge is not None:
            self.ingestor.sync(knowledge)  # with sentence vectors: the synthetic chunks are made of these sentences
            self.pool = [s for c in self.stores.catalog.iter_chunks() if not c.source.startswith(SYNTHETIC)
                         for s in split_sentences(c.text) if len(s) > 20]  # a re-used data dir holds synthetic ones
        self.questions = questions
        self.searcher = HybridSearcher(self.stores)
        self.assistant = Assistant(settings, self.stores, searcher=self.searcher)
        from langchain_chroma import Chroma

        self.baseline = Chroma(client=self.stores.client, collection_name=self.stores.collection_name,
                               embedding_function=self.stores.embeddings)

    def grow_to(self, scale: int, *, bulk: bool = False) -> None:
        """Add synthetic documents up to `scale` chunks: through ingestion, or written in bulk
        (`evals.bench.ask_bulk`: the same rows and vectors, without the per-document cost)."""
        have = self.stores.catalog.count_chunks()
        if have >= scale:
            return
        items, made_of = _synthetic(self.pool, have, scale - have, seed=scale)
        if bulk:
            if self._terms_of is None:
                unique = sorted(set(self.pool))
                self._terms_of = dict(zip(unique, morphemes_many(unique), strict=True))
            ask_bulk.grow(self.stores, items, made_of, self._terms_of)
            return
        _prefill(self.stores, self.ingestor.splitter, items, made_of)
        # as ingestion writes any document: its lines analysed and embedded for the composer (they
        # are the knowledge's sentences, embedded already, but for the few Kiwi splits anew), so
        # the first question to quote a synthetic chunk does not embed its lines
        self.ingestor.ingest_documents("synthetic", items)

    def mirror(self, source: _AskBench) -> None:
        """Make this catalog hold exactly the source's rows (one transaction, bulk): the same chunks,
        terms and generation, so it searches the same vectors with its own database."""
        tables = (catalog_state, catalog_files, catalog_chunks)
        with self.stores.catalog.engine.begin() as into, source.stores.catalog.engine.connect() as src:
            for table in reversed(tables):
                into.execute(delete(table))
            for table in tables:
                batch: list[dict[str, Any]] = []
                for row in src.execute(select(table)).mappings():
                    batch.append(dict(row))
                    if len(batch) >= 5000:
                        into.execute(insert(table), batch)
                        batch = []
                if batch:
                    into.execute(insert(table), batch)

    def warm(self) -> None:
        """Every question asked once, unmeasured: the caches one database's pass fills (Kiwi's
        analyses of chunk texts, question vectors) are filled for all before any is measured."""
        self.searcher.refresh()
        for q in self.questions:
            self.assistant.ask(Question(text=q))

    def measure(self) -> dict[str, Any]:
        self.stores._queries.clear()  # noqa: SLF001 - `warm` filled it; asking embeds its question, as a user's does
        self.searcher.refresh()
        self.assistant.ask(Question(text=self.questions[0]))  # warm up
        ask_s, base_s = [], []
        for q in self.questions:
            t0 = time.perf_counter()
            self.assistant.ask(Question(text=q))
            ask_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            self.baseline.similarity_search(q, k=4)
            base_s.append(time.perf_counter() - t0)
        return {
            "chunks": self.stores.catalog.count_chunks(),
            "ask": latency_summary(ask_s),
            "baseline": latency_summary(base_s),
            "peak_rss_mb": round(_peak_mb(), 1),
        }


def _questions(queries: int) -> list[str]:
    return [c.question for c in load_suite() if c.type == CaseType.answer][:queries]


def _about(model: str, questions: int) -> dict[str, Any]:
    return {
        "embedding_model": model,
        "synthetic_vectors": "normalised mean of the chunk's sentence vectors (same model), cached beforehand",
        "mode": "extractive",
        "questions": questions,
        "baseline_description": "LangChain Chroma.similarity_search(k=4) on the same collection and model "
                                "(retrieval only: no answer composed)",
        "targets": {"p95_ms_at_10k": 150, "p95_ms_at_100k": 300},
    }


def run(settings: Settings, knowledge: Path, *, scales: tuple[int, ...] = SCALES, queries: int = 200,
        progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    bench = _AskBench(settings, knowledge, _questions(queries))
    results = []
    try:
        for scale in scales:
            if progress:
                progress(f"{scale:,} 청크까지 합성 문서 수집 중")
            bench.grow_to(scale)
            results.append(bench.measure())
            if progress:
                progress(f"{scale:,}: ask p95 {results[-1]['ask']['p95_ms']:.0f} ms")
    finally:
        bench.stores.close()
    return {"benchmark": "ask", **_about(bench.stores.model_name, len(bench.questions)), "results": results}


def run_databases(settings: dict[str, Settings], knowledge: Path, *, scales: tuple[int, ...] = SCALES,
                  queries: int = 200, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The same corpus and questions on each catalog database (name -> settings, all on one data dir,
    so one embedded Chroma holds the vectors), in one run. At each scale the first database's stores
    grow (knowledge by ingestion, synthetic chunks in bulk: `evals.bench.ask_bulk`); every other catalog then receives the same rows in
    one bulk transaction (the analysis and the vectors are not redone); each is warmed with every
    question, then each is measured, one after the other. Peak RSS is the whole run's (all stores live in this process); `rss_mb` is the current one."""
    questions = _questions(queries)
    first = next(iter(settings))
    benches = {name: _AskBench(s, knowledge if name == first else None, questions) for name, s in settings.items()}
    grower = benches[first]
    results = []
    try:
        for scale in scales:
            if progress:
                progress(f"{first}: {scale:,} 청크까지 합성 문서 수집 중")
            grower.grow_to(scale, bulk=True)
            for name, bench in benches.items():
                if bench is not grower:
                    if progress:
                        progress(f"{name}: {first}의 목록을 복사 중")
                    bench.mirror(grower)
            for bench in benches.values():
                bench.warm()
            for name, bench in benches.items():
                row = {"database": name, "catalog_dialect": bench.stores.catalog.engine.dialect.name,
                       **bench.measure(), "rss_mb": round(_rss_mb(), 1),
                       "load_average": [round(x, 2) for x in os.getloadavg()]}
                results.append(row)
                if progress:
                    progress(f"{name} {scale:,}: ask p95 {row['ask']['p95_ms']:.0f} ms")
    finally:
        for bench in benches.values():
            bench.stores.close()
    model = next(iter(benches.values())).stores.model_name
    return {"benchmark": "ask-databases", "databases": list(benches), **_about(model, len(questions)),
            "results": results}


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


def databases_markdown(r: dict[str, Any]) -> str:
    lines = [
        f"# Ask benchmark by catalog database ({r['mode']}, model `{r['embedding_model']}`, "
        f"{r['questions']} golden questions)",
        "",
        "| database | chunks | ask p50 ms | ask p95 ms | baseline p50 ms | baseline p95 ms | RSS MB | load avg |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for x in r["results"]:
        lines.append(f"| {x['database']} | {x['chunks']:,} | {x['ask']['p50_ms']:.1f} | {x['ask']['p95_ms']:.1f} | "
                     f"{x['baseline']['p50_ms']:.1f} | {x['baseline']['p95_ms']:.1f} | {x['rss_mb']} | "
                     f"{' / '.join(map(str, x['load_average']))} |")
    lines += ["", f"Databases measured in one run, one after the other at each scale: {', '.join(r['databases'])}. "
              "One embedded Chroma holds the vectors for all; the first database's catalog holds the knowledge "
              "(ingested) and synthetic chunks written in bulk (same rows and vectors as ingestion would write), "
              "the others receive the same rows in one bulk copy at each scale; every question is asked once on "
              "each database before any is measured (question vectors are forgotten again, so asking still "
              f"embeds the question). Baseline: {r['baseline_description']}. "
              "Targets: p95 <= 150 ms at 10k, <= 300 ms at 100k."]
    return "\n".join(lines) + "\n"
