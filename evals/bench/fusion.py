"""Tune the hybrid fusion offline from candidate lists written by `bench retrieval --candidates`.

Each record holds one question's keyword candidates (source, BM25), dense candidates (source,
cosine), the idf sum of its morphemes and the relevant source. The fusion formula here is the
same function the searcher uses (`assistant.answers.fusion.fuse_scores`), so a weight
chosen here is what the product then does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.answers.fusion import FusionParams, fuse_scores


def _best_per_source(pairs: list[list[Any]]) -> list[tuple[str, float]]:
    """A source's best candidate only (lists come best first; a paragraph may have two chunks)."""
    seen: dict[str, float] = {}
    for source, value in pairs:
        seen.setdefault(source, value)
    return list(seen.items())


def _rank(record: dict[str, Any], params: FusionParams, mode: str) -> list[str]:
    kw = _best_per_source(record["kw"]) if mode != "dense" else []
    dn = _best_per_source(record["dn"]) if mode != "keyword" else []
    scores = fuse_scores(kw, dn, params, idf_total=record.get("idf_total", 0.0))
    return [s for s, _ in sorted(scores.items(), key=lambda kv: -kv[1])]


def evaluate(records: list[dict[str, Any]], params: FusionParams, mode: str = "hybrid") -> dict[str, float]:
    hit1 = hit5 = 0
    mrr = 0.0
    for r in records:
        ranked = _rank(r, params, mode)
        relevant = r["relevant"] if isinstance(r["relevant"], list) else [r["relevant"]]
        first = next((i for i, s in enumerate(ranked[:10], start=1) if s in relevant), None)
        if first:
            hit1 += first == 1
            hit5 += first <= 5
            mrr += 1.0 / first
    n = max(len(records), 1)
    return {"hit@1": round(hit1 / n, 4), "hit@5": round(hit5 / n, 4), "mrr@10": round(mrr / n, 4)}


def grid(records: list[dict[str, Any]], weights: list[float], floors: list[float]) -> list[dict[str, Any]]:
    """hit@1 / hit@5 / MRR for every (dense weight, keyword floor) pair."""
    rows = []
    for w in weights:
        for floor in floors:
            params = FusionParams(dense_weight=w, keyword_floor=floor)
            rows.append({"dense_weight": w, "keyword_floor": floor, **evaluate(records, params)})
    return rows


def load(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))


def golden_candidates(searcher: Any, n: int = 30) -> list[dict[str, Any]]:
    """Candidate records for the golden cases that name their sources (same shape as KorQuAD's)."""
    from assistant.korean import morphemes
    from evals.cases import load_suite

    records = []
    chunks = searcher._chunks  # noqa: SLF001 - a benchmark reading the searcher's view
    for case in load_suite():
        if not case.sources:
            continue
        vec = searcher.stores.embed_query(case.question)
        kw = searcher.keyword_ranked(case.question, n, None)
        dn = searcher.dense_ranked(case.question, n, {}, vec)
        records.append({
            "relevant": list(case.sources), "question": case.question,
            "idf_total": sum(searcher.idf(t) for t in dict.fromkeys(morphemes(case.question))),
            "kw": [(chunks[p].source, round(s, 4)) for p, s in kw],
            "dn": [(chunks[p].source, round(s, 5)) for p, s in dn],
        })
    return records
