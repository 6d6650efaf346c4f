"""What an expert finds and cites while answering a ticket: passages of the knowledge.

The console's search box asks `search`; an answer's citations are checked with `resolve`,
so a citation the owner sees is always a real passage (the bot's own suggestions on the
ticket, or a chunk of the knowledge), with its title and text taken from the store, never
from what the browser sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from assistant.answers.drafting import SNIPPET_CHARS, citation_for
from assistant.answers.retrieval import Hit, HybridSearcher
from assistant.errors import FMError
from assistant.types import Citation

MAX_QUERY_CHARS = 500
MAX_RESULTS = 20

PassageSearch = Callable[[str, int], list[Citation]]


class Passages:
    """Knowledge search for experts over the assistant's own searcher."""

    def __init__(self, searcher: HybridSearcher) -> None:
        self.searcher = searcher

    def search(self, text: str, k: int = 8) -> list[Citation]:
        """The best passages for what the expert typed, numbered from 1."""
        query = " ".join(text.split())
        if not query:
            raise FMError("empty_query", "검색어를 입력해 주세요.", "empty knowledge search")
        if len(query) > MAX_QUERY_CHARS:
            raise FMError("query_too_long", f"검색어는 {MAX_QUERY_CHARS}자 이내로 입력해 주세요.", f"{len(query)} chars")
        hits = self.searcher.search(query, max(1, min(k, MAX_RESULTS)))
        return [citation_for(n, hit, hit.chunk.text) for n, hit in enumerate(hits, start=1)]

    def passage(self, chunk_id: str, n: int) -> Citation | None:
        chunk = self.searcher.chunk(chunk_id)
        return citation_for(n, Hit(chunk=chunk, score=0.0), chunk.text) if chunk is not None else None


def chosen_citations(chosen: Sequence[Mapping[str, Any]], suggested: Sequence[Mapping[str, Any]],
                     passages: Passages | None) -> list[dict[str, Any]]:
    """The citations an expert chose, rebuilt from the ticket's suggestions or the knowledge.

    Each keeps the number the expert saw (`n`); one that names no known passage is refused.
    """
    known = {str(s.get("chunk_id")): dict(s) for s in suggested if s.get("chunk_id")}
    out: list[dict[str, Any]] = []
    for i, item in enumerate(chosen, start=1):
        chunk_id = str(item.get("chunk_id") or "")
        n = _number(item.get("n"), i)
        if chunk_id in known:
            out.append({**known[chunk_id], "n": n})
            continue
        found = passages.passage(chunk_id, n) if passages is not None and chunk_id else None
        if found is None:
            raise FMError("unknown_citation", "인용할 자료를 찾을 수 없습니다. 검색해서 다시 첨부해 주세요.",
                          chunk_id or "citation without chunk_id")
        out.append({**found.model_dump(mode="json"), "snippet": found.snippet[:SNIPPET_CHARS]})
    return out


def _number(value: Any, default: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return n if 0 < n < 1000 else default
