"""The supplier branch of an answer: what the owner needs -> ranked profiles -> cited text."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answers.drafting import Drafted, supplier_text
from assistant.answers.retrieval import Hit, HybridSearcher
from assistant.answers.suppliers import parse_need, rank

CANDIDATES = 10  # supplier chunks retrieved to lend their relevance to the ranking


@dataclass
class SupplierAnswer:
    hits: list[Hit]  # the recommended profiles, in the order they are cited
    drafted: Drafted
    subject: str  # carried into follow-ups ("거기 연락처"): the first company's name


def answer_supplier(searcher: HybridSearcher, query: str, filters: dict[str, str]) -> SupplierAnswer | None:
    """Ranked supplier profiles for `query`, or None when no profile fits."""
    need = parse_need(query)
    hits = searcher.search(query, CANDIDATES, filters={**filters, "kind": "supplier"})
    by_source = {h.chunk.source: h for h in hits}
    relevance = {source: h.score for source, h in by_source.items()}
    matches = rank(need, searcher.chunks_of_kind("supplier"), relevance)
    drafted = supplier_text(matches, by_source, need)
    if not drafted.text:
        return None
    drafted.support = drafted.coverage
    used = [by_source.get(m.chunk.source) or Hit(chunk=m.chunk, score=m.score) for m in matches]
    return SupplierAnswer(used, drafted, matches[0].company)
