"""Ranking metrics and latency summaries shared by benchmarks and evals."""

from __future__ import annotations

import numpy as np


def first_hit_rank(ranked_sources: list[str], relevant: set[str]) -> int | None:
    """1-based rank of the first relevant source, or None."""
    for i, source in enumerate(ranked_sources, start=1):
        if source in relevant or source.split("#")[0] in relevant:
            return i
    return None


def ranking_summary(ranks: list[int | None], mrr_at: int = 10) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "hit@1": sum(1 for r in ranks if r is not None and r <= 1) / n,
        "hit@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        f"mrr@{mrr_at}": sum(1.0 / r for r in ranks if r is not None and r <= mrr_at) / n,
    }


def latency_summary(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "mean_ms": 0.0}
    ms = np.asarray(seconds) * 1000
    return {
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "mean_ms": float(ms.mean()),
    }
