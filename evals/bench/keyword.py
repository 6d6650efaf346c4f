"""`factory-mentor bench keyword`: keyword search every process can share, both ways, measured.

(a) BM25 computed in SQL over a postings table (`evals.bench.keyword_sql`), one query per
search; (b) the in-memory index (`KeywordIndex`, bm25s) that each process rebuilds from the
catalog's stored terms when the generation moves: its query latency and its rebuild time
(load the terms from the database, then index them). Both run on SQLite and, given a URL, on
PostgreSQL, at each scale, over the same synthetic chunks and the same questions; the top-5
of (a) and (b) are compared, query by query.

The chunks are made the way `bench ask` makes them (whole sentences of the shipped knowledge,
drawn at random); a chunk's terms are its sentences' Kiwi morphemes, analysed once per
sentence, so 100,000 chunks need no 100,000 analyser calls.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from assistant.db.engine import database_url
from assistant.korean import morphemes_many, split_sentences
from assistant.settings import Settings
from assistant.stores import open_stores
from assistant.stores.keyword_index import KeywordIndex
from evals.bench.ask import _synthetic
from evals.bench.keyword_sql import SqlBm25
from evals.bench.load import load_averages
from evals.bench.metrics import latency_summary
from evals.cases import CaseType, load_suite
from ingestion.pipeline import Ingestor

SCALES = (10_000, 100_000)
CANDIDATES = 30  # what hybrid search asks the keyword side for (retrieval_candidates)
Corpus = list[tuple[str, str, list[str]]]


def sentence_pool(settings: Settings, knowledge: Path) -> dict[str, list[str]]:
    """The knowledge's sentences (longer than 20 characters) and their morphemes, analysed once."""
    stores = open_stores(settings.model_copy(update={"embedding_model": "hashing-bigrams", "chroma_url": None,
                                                     "database_url": None}))
    try:
        Ingestor(stores, sentence_vectors=False).sync(knowledge)
        pool = sorted({s for c in stores.catalog.iter_chunks() for s in split_sentences(c.text) if len(s) > 20})
    finally:
        stores.close()
    return dict(zip(pool, morphemes_many(pool), strict=True))


def synthetic_corpus(pool: dict[str, list[str]], size: int) -> Corpus:
    """`size` chunks as `bench ask` draws them; each chunk's terms are its sentences' terms."""
    items, made_of = _synthetic(list(pool), 0, size, seed=size)
    corpus: Corpus = []
    for source, _docs, body in items:
        terms = [t for sentence in made_of[source] for t in pool[sentence]]
        corpus.append((f"{source}#0", body.decode(), terms))
    return corpus


def questions(limit: int) -> list[list[str]]:
    asked = [c.question for c in load_suite() if c.type == CaseType.answer][:limit]
    return [t for t in morphemes_many(asked) if t]


def overlap_at(a: list[tuple[int, float]], b: list[tuple[int, float]], k: int = 5) -> float:
    """Share of the top-k the two rankings have in common (1.0 when both are empty)."""
    left, right = {n for n, _ in a[:k]}, {n for n, _ in b[:k]}
    return len(left & right) / max(len(left), len(right)) if (left or right) else 1.0


def same_up_to_ties(a: list[tuple[int, float]], b: list[tuple[int, float]], k: int = 5, rel: float = 1e-3) -> bool:
    """The two top-k have the same scores place by place (bm25s works in float32, SQL in double):
    the rankings then differ at most in the order of equal-scored chunks."""
    left, right = [s for _, s in a[:k]], [s for _, s in b[:k]]
    return len(left) == len(right) and all(abs(x - y) <= rel * max(1.0, abs(x)) for x, y in zip(left, right, strict=True))


def _timed(fn: Callable[[list[str]], list[tuple[int, float]]], queries: list[list[str]]
           ) -> tuple[list[list[tuple[int, float]]], list[float]]:
    fn(queries[0])  # warm up (caches, plans)
    ranked, seconds = [], []
    for q in queries:
        t0 = time.perf_counter()
        ranked.append(fn(q))
        seconds.append(time.perf_counter() - t0)
    return ranked, seconds


def measure(url: str, corpus: Corpus, queries: list[list[str]]) -> dict[str, Any]:
    """Both ways on one database and one corpus."""
    engine = create_engine(url)
    store = SqlBm25(engine)
    try:
        store.create()
        t0 = time.perf_counter()
        store.load(corpus)
        write_s = time.perf_counter() - t0
        sql_ranked, sql_s = _timed(lambda q: store.top(q, CANDIDATES), queries)
        t0 = time.perf_counter()
        terms = store.terms()
        t1 = time.perf_counter()
        index = KeywordIndex(terms)
        t2 = time.perf_counter()
        mem_ranked, mem_s = _timed(lambda q: index.top(q, CANDIDATES), queries)
        postings = sum(len(set(t)) for _, _, t in corpus)
    finally:
        store.drop()
        engine.dispose()
    pairs = list(zip(sql_ranked, mem_ranked, strict=True))
    overlaps = [overlap_at(a, b) for a, b in pairs]
    return {
        "database": "PostgreSQL" if make_url(url).get_backend_name() == "postgresql" else "SQLite",
        "chunks": len(corpus), "postings": postings,
        "sql": {"write_s": round(write_s, 2), "query": latency_summary(sql_s)},
        "memory": {"rebuild_load_terms_s": round(t1 - t0, 2), "rebuild_index_s": round(t2 - t1, 2),
                   "rebuild_s": round(t2 - t0, 2), "query": latency_summary(mem_s)},
        "top5_overlap": round(sum(overlaps) / len(overlaps), 4),
        "top5_identical_share": round(sum(1 for o in overlaps if o == 1.0) / len(overlaps), 4),
        "top5_same_up_to_ties_share": round(sum(same_up_to_ties(a, b) for a, b in pairs) / len(overlaps), 4),
        "load_average": load_averages(),
    }


def run(settings: Settings, knowledge: Path, *, scales: tuple[int, ...] = SCALES, queries: int = 200,
        database_url_pg: str | None = None, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    asked = questions(queries)
    results = []
    with tempfile.TemporaryDirectory(prefix="fm-keyword-") as tmp:
        pool = sentence_pool(settings.model_copy(update={"data_dir": Path(tmp) / "pool"}), knowledge)
        urls = [f"sqlite:///{Path(tmp) / 'keyword.sqlite'}"]
        if database_url_pg:
            urls.append(database_url(settings.model_copy(update={"database_url": database_url_pg})))
        for scale in scales:
            corpus = synthetic_corpus(pool, scale)
            for url in urls:
                results.append(measure(url, corpus, asked))
                if progress:
                    r = results[-1]
                    progress(f"{r['database']} {scale:,}: SQL p95 {r['sql']['query']['p95_ms']:.1f} ms, "
                             f"in-memory p95 {r['memory']['query']['p95_ms']:.1f} ms, rebuild {r['memory']['rebuild_s']} s")
    return {"benchmark": "keyword", "queries": len(asked), "candidates": CANDIDATES,
            "sentences_in_pool": len(pool), "results": results,
            "bm25": "k1 1.2, b 0.75, lucene idf (as bm25s)"}


def to_markdown(r: dict[str, Any]) -> str:
    lines = [
        f"# Keyword search shared by every process ({r['queries']} golden questions, top {r['candidates']})",
        "",
        "(a) BM25 in SQL over a postings table; (b) the in-memory bm25s index rebuilt from the database's terms.",
        "",
        "| database | chunks | postings | (a) SQL p50 | (a) SQL p95 | (a) write | (b) memory p50 | (b) memory p95 | "
        "(b) rebuild (load + index) | top-5 overlap | same top-5 up to ties | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for x in r["results"]:
        sq, mem = x["sql"]["query"], x["memory"]["query"]
        rebuild = f"{x['memory']['rebuild_s']} s ({x['memory']['rebuild_load_terms_s']} + {x['memory']['rebuild_index_s']})"
        lines.append(
            f"| {x['database']} | {x['chunks']:,} | {x['postings']:,} | {sq['p50_ms']:.1f} ms | {sq['p95_ms']:.1f} ms | "
            f"{x['sql']['write_s']} s | {mem['p50_ms']:.1f} ms | {mem['p95_ms']:.1f} ms | {rebuild} | "
            f"{x['top5_overlap']:.3f} | {x['top5_same_up_to_ties_share']:.3f} | {' / '.join(map(str, x['load_average']))} |")
    lines += ["", "Top-5 overlap: share of the five best chunks both ways return, averaged over the questions; "
              "same up to ties: share of questions whose five best scores agree place by place (the rankings "
              "then differ only in the order of equal-scored chunks).",
              "", f"BM25: {r['bm25']}. Synthetic chunks from {r['sentences_in_pool']:,} knowledge sentences."]
    return "\n".join(lines) + "\n"
