"""A calculation as an answer: its lines, each "[n]" pointing at a chunk of the rule's document."""

from __future__ import annotations

from assistant.answers.calculators.result import Calculation
from assistant.answers.drafting import Drafted, citation_for
from assistant.answers.retrieval import Hit, HybridSearcher
from assistant.stores.catalog import Chunk

_FORMULA_WORDS = ("계산", "=", "×", "÷", "%")


def _best_chunk(chunks: list[Chunk], terms: set[str]) -> Chunk:
    """The chunk of one document that best shows the rule: the question's terms, then formulas."""
    def score(chunk: Chunk) -> tuple[int, int]:
        return len(terms & set(chunk.terms)), sum(chunk.text.count(w) for w in _FORMULA_WORDS)
    return max(chunks, key=score)


def cited_calculation(calc: Calculation, searcher: HybridSearcher, terms: list[str]) -> tuple[list[Hit], Drafted] | None:
    """The calculation's text with its sources as citations; None when a rule's document is
    not in the stores (then the question is answered from whatever the stores hold)."""
    hits: list[Hit] = []
    for source in calc.sources:
        chunks = searcher.chunks_of_source(source)
        if not chunks:
            return None
        hits.append(Hit(chunk=_best_chunk(chunks, set(terms)), score=1.0))
    citations = [citation_for(n, hit, hit.chunk.text) for n, hit in enumerate(hits, start=1)]
    return hits, Drafted(calc.text, citations, coverage=1.0, support=1.0)
