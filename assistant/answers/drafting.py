"""Turn retrieved hits into answer text with numbered citations (extractive and supplier)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answers import prose
from assistant.answers.composition import Composition, Picked
from assistant.answers.retrieval import Hit
from assistant.answers.suppliers import Match, Need
from assistant.types import Citation

SNIPPET_CHARS = 300
_SENTENCE_END = re.compile(r"(다|요|죠)[.!]?$|[.!?]$")
PARTIAL_NOTE = "※ 찾은 자료로는 질문의 일부만 확인됩니다{what}. 더 정확한 답이 필요하면 전문가 연결을 요청해 주세요."


@dataclass
class Drafted:
    text: str
    citations: list[Citation]
    coverage: float
    support: float = 0.0  # how strongly the best source matches the question (0..1)


def citation_for(n: int, hit: Hit, snippet: str, reason: str | None = None) -> Citation:
    c = hit.chunk
    return Citation(
        n=n, chunk_id=c.chunk_id, title=c.title, source=c.source, page=c.page,
        snippet=snippet[:SNIPPET_CHARS], kind=c.kind, url=c.metadata.get("url"), score=round(hit.score, 4),
        reason=reason,
    )


def extractive_text(comp: Composition, hits: list[Hit]) -> Drafted:
    """The answering sentence first (its own line), the supporting ones after it, or a short
    list under its heading; every line ends with its source's number."""
    numbers: dict[int, int] = {}
    snippets: dict[int, list[str]] = {}

    def cite(picked: Picked) -> str:
        n = numbers.setdefault(picked.hit_index, len(numbers) + 1)
        snippets.setdefault(picked.hit_index, []).append(picked.text)
        return f"[{n}]"

    lines = _list_lines(comp, hits, cite) if comp.as_list else _prose_lines(comp, cite)
    if lines and comp.missing:
        what = f" ('{', '.join(comp.missing[:3])}'에 대한 내용은 찾지 못했습니다)"
        lines.append(PARTIAL_NOTE.format(what=what))
    citations = [citation_for(n, hits[hi], " ".join(snippets[hi])) for hi, n in numbers.items()]
    return Drafted("\n".join(lines), sorted(citations, key=lambda c: c.n), comp.coverage)


def _labelled(picked: Picked) -> str:
    if not picked.label:
        return picked.text
    # a document's own question reads before its reply ("…하나요? 꼭 그렇지는 않습니다."), a meaning as "하면 안 되는 것: …"
    return f"{picked.label} {picked.text}" if prose.is_question(picked.label) else f"{picked.label}: {picked.text}"


def _prose_lines(comp: Composition, cite: Callable[[Picked], str]) -> list[str]:
    if not comp.sentences:
        return []
    lead, *rest = comp.sentences
    lines = [f"{_labelled(lead)} {cite(lead)}"]
    if rest:
        lines.append(" ".join(f"{_labelled(p)} {cite(p)}" for p in rest))
    return lines


def _list_lines(comp: Composition, hits: list[Hit], cite: Callable[[Picked], str]) -> list[str]:
    """"공통 필수 서류:" then "- 사업 신청서 [1]" lines (numbered when the source numbers them).
    A title introduces its list with a colon and the first item carries the citation; a
    sentence that points ahead ("…세 가지를 모두 갖춘 기업이 신청할 수 있습니다") is
    cited itself."""
    if not comp.sentences:
        return []
    first = comp.sentences[0]
    chunk = hits[first.hit_index].chunk
    title = comp.lead_in or (chunk.heading or chunk.title).split(">")[-1].strip()
    marker = cite(first)
    titled = not _SENTENCE_END.search(title)
    lines = [f"{title.rstrip(':：')}:" if titled else f"{title} {marker}"]
    for i, picked in enumerate(comp.sentences, start=1):
        if picked is not first:
            cite(picked)
        item = _labelled(picked) + (f" {marker}" if titled and picked is first else "")
        lines.append(f"{i}. {item}" if comp.numbered else f"- {item}")
    if comp.more_items:
        lines.append(f"- 그 밖에 {comp.more_items}가지가 더 있습니다 (출처 {marker} 참고).")
    return lines


def supplier_text(matches: list[Match], hits_by_source: dict[str, Hit], need: Need) -> Drafted:
    """A ranked list of supplier profiles, one line of reasons each, each cited."""
    if not matches:
        return Drafted("", [], 0.0)
    lines = ["조건에 맞는 공급기업 후보입니다 (데모용 가상 기업 프로필):"]
    citations: list[Citation] = []
    for n, match in enumerate(matches, start=1):
        meta = match.chunk.metadata
        reasons = ", ".join(match.reasons) or "관련 솔루션 보유"
        solutions = str(meta.get("solutions") or "").replace(",", ", ")
        lines.append(f"{n}. {match.company} ({meta.get('region', '')}, {solutions}): {reasons} [{n}]")
        hit = hits_by_source.get(match.chunk.source) or Hit(chunk=match.chunk, score=match.score)
        summary = str(meta.get("summary") or match.chunk.text)
        citations.append(citation_for(n, hit, summary, reason=reasons))
    missing = [m for m in need.missing() if m != "예산"]
    if missing:
        lines.append(f"{', '.join(missing)}와 예산을 알려 주시면 더 맞는 업체로 좁혀 드릴게요.")
    else:
        lines.append("예산과 원하시는 구축 시기를 알려 주시면 더 맞는 업체로 좁혀 드릴게요.")
    coverage = min(1.0, max(m.score for m in matches) / 7.0)
    return Drafted("\n".join(lines), citations, coverage)
