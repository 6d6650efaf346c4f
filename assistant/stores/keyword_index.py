"""BM25 over Kiwi morphemes (bm25s), rebuilt from the catalog's stored terms."""

from __future__ import annotations

import logging
import math
from collections import Counter

import bm25s
import numpy as np

log = logging.getLogger(__name__)


class KeywordIndex:
    """Scores every chunk for a query's morphemes; `top` returns the best positions."""

    def __init__(self, terms: list[list[str]], *, k1: float = 1.2, b: float = 0.75):
        self.size = len(terms)
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        if self.size:
            self._bm25.index([t or [""] for t in terms], show_progress=False)
        self._vocab = getattr(self._bm25, "vocab_dict", {}) or {}
        df: Counter[str] = Counter()
        for t in terms:
            df.update(set(t))
        self._df = df

    def idf(self, term: str) -> float:
        """Inverse document frequency (BM25's form); unseen terms weigh like the rarest."""
        n = self._df.get(term, 0)
        return math.log((self.size - n + 0.5) / (n + 0.5) + 1.0)

    def scores(self, query_terms: list[str], mask: np.ndarray | None = None) -> np.ndarray:
        known = [t for t in query_terms if t in self._vocab and t]
        if not self.size or not known:
            return np.zeros(self.size, dtype=np.float32)
        scores = np.asarray(self._bm25.get_scores(known), dtype=np.float32)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        return scores

    def top(self, query_terms: list[str], k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        scores = self.scores(query_terms, mask)
        if not self.size:
            return []
        k = min(k, self.size)
        idx = np.argpartition(-scores, k - 1)[:k]
        idx = idx[np.argsort(-scores[idx], kind="stable")]
        return [(int(i), float(scores[i])) for i in idx if scores[i] > 0]
