"""Fusion of the keyword (BM25) and dense (cosine) candidate lists into one score per chunk.

Kept apart from the searcher so the benchmark that tunes the weights (evals/bench/fusion.py)
runs the very function the product uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from assistant.settings import Settings

K = TypeVar("K")


@dataclass(frozen=True)
class FusionParams:
    """How the keyword and dense candidate lists become one score (see `fuse_scores`)."""

    method: Literal["minmax", "weighted", "rrf"] = "minmax"
    dense_weight: float = 0.5
    keyword_floor: float = 0.0
    keyword_weight: float = 1.0
    rrf_k: int = 60

    @classmethod
    def from_settings(cls, s: Settings, model: str = "") -> FusionParams:
        """The settings' weights; those left unset take the values tuned for the model."""
        tuned = TUNED_FUSION.get(model, TUNED_FUSION[""])
        return cls(method=s.fusion or tuned["method"], keyword_weight=s.keyword_weight, rrf_k=s.rrf_k,
                   dense_weight=s.dense_weight if s.dense_weight is not None else tuned["dense_weight"],
                   keyword_floor=s.keyword_floor if s.keyword_floor is not None else tuned["keyword_floor"])


# Fusion weights per embedding model, tuned on KorQuAD and the golden set together
# (`bench retrieval --candidates` + evals/bench/fusion.py; figures in docs/benchmarks.md).
TUNED_FUSION: dict[str, dict[str, Any]] = {
    "multilingual-e5-small": {"method": "minmax", "dense_weight": 0.5, "keyword_floor": 0.2},
    "use-multilingual-v3": {"method": "weighted", "dense_weight": 0.3, "keyword_floor": 0.0},
    "": {"method": "minmax", "dense_weight": 0.5, "keyword_floor": 0.0},  # any other model
}


def _minmax(pairs: list[tuple[K, float]], top: float | None = None) -> dict[K, float]:
    """Scores mapped to [0, 1] between the list's lowest and its best (or `top`, if higher)."""
    if not pairs:
        return {}
    low = min(v for _, v in pairs)
    high = max(max(v for _, v in pairs), top if top is not None else float("-inf"))
    span = high - low
    return {key: ((v - low) / span if span > 0 else 1.0) for key, v in pairs}


def fuse_scores(kw: list[tuple[K, float]], dn: list[tuple[K, float]], p: FusionParams,
                *, idf_total: float = 0.0) -> dict[K, float]:
    """One score per candidate from the keyword list (BM25) and the dense list (cosine).

    minmax (default): each list min-max scaled over its candidates, then
    (1 - w) * keyword + w * dense; a candidate missing from a list gets 0 there. The keyword
    side is scaled against at least `keyword_floor` times the idf sum of the question's
    terms: when the best keyword match is weak (few of the question's terms found, or none,
    as for an English question over Korean text), its differences are not stretched to the
    full scale and a strong dense hit is not drowned.
    weighted: (1 - w) * bm25 / best bm25 + w * cosine. rrf: weight / (rrf_k + rank) summed."""
    w = p.dense_weight
    if p.method == "rrf":
        out: dict[K, float] = {}
        for weight, pairs in ((p.keyword_weight, kw), (w, dn)):
            for rank, (key, _) in enumerate(pairs, start=1):
                out[key] = out.get(key, 0.0) + weight / (p.rrf_k + rank)
        return out
    if p.method == "weighted":
        best = kw[0][1] if kw and kw[0][1] > 0 else 1.0
        floor = dn[-1][1] if dn else 0.0
        dense = dict(dn)
        keys = dict.fromkeys([k for k, _ in kw] + [k for k, _ in dn])
        kws = dict(kw)
        if not kw:
            return {k: dense.get(k, floor) for k in keys}
        return {k: (1 - w) * kws.get(k, 0.0) / best + w * dense.get(k, floor) for k in keys}
    top = p.keyword_floor * idf_total if p.keyword_floor > 0 else None
    kws, dense = _minmax(kw, top), _minmax(dn)
    if kw and top is not None and max(v for _, v in kw) <= 0:
        kws = {k: 0.0 for k in kws}
    keys = dict.fromkeys([k for k, _ in kw] + [k for k, _ in dn])
    return {k: (1 - w) * kws.get(k, 0.0) + w * dense.get(k, 0.0) for k in keys}
