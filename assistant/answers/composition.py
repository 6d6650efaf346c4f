"""The embedded default answer, answer first: the sentence that answers what was asked, then
at most a few supporting sentences (or a short list for a list question), copied from the
retrieved chunks with figures untouched, each carrying its citation.

compose = candidates -> clean -> score -> pick -> order; `drafting.extractive_text` renders.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.answers import prose
from assistant.answers.question_types import (
    QType,
    asks_about_cautions,
    asks_about_difficulties,
    asks_first_step,
    defines,
    fit,
    question_type,
)
from assistant.answers.retrieval import Hit
from assistant.answers.scoring import SentenceScorer
from assistant.korean import morphemes_many, noun_phrases, sentences_of_chunk

# question words and light verbs that say nothing about the subject
STOP_TERMS = frozenset(
    "얼마 무엇 뭐 뭣 어떻 어떤 어디 언제 누구 왜 몇 어느 좀 것 거 수 때 등 알리다 하다 되다 있다 없다 주다 "
    "가능 궁금 문의 질문 설명 관련 경우 정도 이거 그거 저거 우리 저희 제 나 요 니다 싶다 보다 받다 말씀 "
    "알다 그럼 그러면 혹시 정말 그냥 대해 대하다 이다 아니다 같다 어떻게 가요 해요 인가요 나요 거기 여기 저기 그곳 "
    "이곳 그것 이것 저것 그쪽 이쪽 얼마나 꼭 제일 가장 많이 주로 보통 대충 대략 자주 먼저 뭘 뭔가 무슨 어디다 쯤 일 법 "
    "방법 알려주다 알려 주다 되다 돼다 있어요 건가 거예요 해야 하다".split()
)
# nouns too general to be "what the question is about" in a coverage note
_GENERIC_NOUNS = frozenset(
    "이유 까닭 원인 절차 순서 단계 기간 시기 금액 비율 종류 조건 장점 단점 차이 효과 결과 기준 의미 뜻 목록 항목 예시 사례 "
    "실수 주의 점 얘기 부분 경우 "
    "부족 필요 문제 고민 방법 내용 생각 상황 얘기 이야기 답변 회사 사람 대충 보통 제일 가장 대략 자기 자신 사장 올해 작년 "
    "내년 요즘 지금 이번 다음 처음 나중 한번 정도 쪽".split()
)
_QUESTION_LINE = re.compile(r"^\s*Q\d*[.:)]\s*|[?？]\s*$")
_NOTE_LINE = re.compile(r"^\s*※")
_FINITE = re.compile(r"(다|요|죠)[.!]?\s*$")  # a full sentence says its own meaning
_PAST = re.compile(r"(었|았|였|했|웠|렸|졌)습니다[.!]?$")  # a case's story, not the rule
_ASKS_CASE = re.compile(r"사례|경우|해\s*본|했던|실제로|효과|결과|얼마나\s*(줄|늘|올|좋)")
_MIN_CHARS = 8


@dataclass
class Asked:
    """What the question wants, worked out once."""

    text: str
    qtype: QType
    weights: dict[str, float]  # question term -> idf
    first_step: bool
    cautions: bool  # asks what not to do / what goes wrong
    difficulties: bool  # asks what owners struggle with
    case: bool  # asks what happened somewhere (a case, an effect)

    @property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0

    def overlap(self, terms: set[str]) -> float:
        return sum(w for t, w in self.weights.items() if t in terms) / self.total


@dataclass
class Candidate:
    hit_index: int
    unit: prose.Unit
    context: str  # heading path and inline section: what the line is about
    title: str = ""  # the document's title
    terms: set[str] = field(default_factory=set)
    context_terms: set[str] = field(default_factory=set)
    caution: str | None = None  # the meaning a heading such as "반려 사유" gives the line
    label: str | None = None  # that meaning, when the line does not say it itself
    follows_question: float = 0.0  # the score of an FAQ question line right above it
    score: float = 0.0
    shape: float = 0.0  # has the shape of an answer to this type of question (an amount, a date)
    related: float = 1.0  # the relevance model's view, 0..1 among the candidates (1 without a model)

    @property
    def key(self) -> tuple[int, int]:
        return self.hit_index, self.unit.position


@dataclass
class Picked:
    hit_index: int
    position: int
    text: str
    score: float
    label: str | None = None  # "하면 안 되는 것" when a heading gave the line that meaning


@dataclass
class Composition:
    sentences: list[Picked]  # the answering sentence first
    coverage: float  # idf-weighted share of the question's terms the answer covers
    missing: list[str] = field(default_factory=list)  # the user's own words no cited source covers
    as_list: bool = False  # sentences are the items of one list
    lead_in: str | None = None  # what the list is ("공통 필수 서류")
    more_items: int = 0  # list items left out
    numbered: bool = False  # the source numbers its items (steps in order)


def question_terms(terms: list[str]) -> list[str]:
    seen: list[str] = []
    for t in terms:
        if t not in STOP_TERMS and t not in seen and len(t) > 0:
            seen.append(t)
    return seen


def compose(
    question: str, q_terms: list[str], hits: list[Hit], idf: Callable[[str], float], *,
    scorer: SentenceScorer | None = None, supporting: int = 2, list_items: int = 6, chunks: int = 4,
    pool: int = 24, min_score: float = 0.12,
) -> Composition:
    """The answer's sentences: candidates from the top `chunks` hits, cleaned, scored (the
    relevance model on the best `pool` of them), then picked and ordered answer first."""
    if not hits or not q_terms:
        return Composition([], 0.0, [])
    asked = _analyse(question, q_terms, idf)
    candidates = _clean(_candidates(hits[:chunks]), asked)
    ranked = _score(candidates, asked, scorer, pool)
    if not ranked or ranked[0].score < min_score:
        return Composition([], 0.0, _missing(question, [], hits, idf))
    comp = _pick_list(candidates, ranked, asked, list_items, scorer) if asked.qtype == QType.list else None
    if comp is None:
        comp = Composition(_order(_pick(ranked, asked, supporting, min_score)), 0.0)
    cited = sorted({p.hit_index for p in comp.sentences})
    comp.coverage = _coverage(asked, comp.sentences, candidates, [hits[i] for i in cited])
    comp.missing = _missing(question, [hits[i] for i in cited], hits, idf)
    return comp


# -- steps ---------------------------------------------------------------------------------
def _analyse(question: str, q_terms: list[str], idf: Callable[[str], float]) -> Asked:
    return Asked(
        text=question, qtype=question_type(question), weights={t: idf(t) for t in q_terms},
        first_step=asks_first_step(question), cautions=asks_about_cautions(question),
        difficulties=asks_about_difficulties(question), case=bool(_ASKS_CASE.search(question)),
    )


def _candidates(hits: list[Hit]) -> list[Candidate]:
    """Every unit (sentence, list item, table row) of the hits, with what it is about."""
    out: list[Candidate] = []
    for hi, hit in enumerate(hits):
        chunk = hit.chunk
        units = prose.units_of_chunk(
            chunk.text, sentences_of_chunk(chunk.text),
            table_header=chunk.metadata.get("table_header"), section=chunk.metadata.get("section"),
        )
        heading = _own_heading(chunk.heading)
        for unit in units:
            context = " > ".join(p for p in (heading, unit.section) if p)
            out.append(Candidate(hi, unit, context, chunk.title))
    terms = morphemes_many([c.unit.text for c in out], cache=True)
    contexts = morphemes_many([c.context for c in out], cache=True)
    for cand, ts, cs in zip(out, terms, contexts, strict=True):
        cand.terms, cand.context_terms = set(ts), set(cs)
    return out


def _own_heading(heading: str | None) -> str:
    """The section's own heading (the path without the document title)."""
    parts = [p.strip() for p in (heading or "").split(">") if p.strip()]
    return parts[-1] if len(parts) > 1 else ""


def _clean(candidates: list[Candidate], asked: Asked) -> list[Candidate]:
    """Drop what cannot answer: questions (they lend their match to the next line),
    restatements, fragments, complaints and quotes; label lines a heading gives a meaning."""
    kept: list[Candidate] = []
    asked_terms = set(asked.weights) | STOP_TERMS
    lend: dict[tuple[int, int], Candidate] = {}
    for cand in candidates:
        text, unit = cand.unit.text, cand.unit
        if _QUESTION_LINE.search(text):
            lend[(cand.hit_index, unit.position + 1)] = cand
            continue
        short = len(text) < (2 if unit.kind in ("item", "row") else _MIN_CHARS)
        if short or not (cand.terms - asked_terms) or prose.is_lead_in(text):
            continue
        if not asked.difficulties and (prose.is_complaint(text, cand.context) or prose.is_quoted_speech(text)):
            continue
        cand.caution = prose.caution_label(cand.context)
        bare = unit.kind in ("item", "row") or not _FINITE.search(text)
        cand.label = cand.caution if cand.caution and bare and prose.needs_label(text) else None
        kept.append(cand)
    for cand in kept:
        if cand.key in lend:
            cand.follows_question = asked.overlap(lend[cand.key].terms)
    return kept


def _cheap(cand: Candidate, asked: Asked) -> float:
    """Words shared with the question (the line's own, and with its heading, which says
    what an elided subject is), the answer's shape for this type of question, the chunk's rank."""
    own = asked.overlap(cand.terms)
    with_heading = max(asked.overlap(cand.terms | cand.context_terms), cand.follows_question)
    if cand.unit.line == 0 and cand.context:
        own = max(own, 0.8 * with_heading)  # a section's first sentence is about its heading
    cand.shape = _shape(cand, asked)
    return 0.35 * own + 0.3 * with_heading + 0.25 * cand.shape + 0.1 / (cand.hit_index + 1)


def _shape(cand: Candidate, asked: Asked) -> float:
    unit = cand.unit
    if asked.first_step and unit.kind == "item" and unit.run == unit.line and prose.marker_kind(unit.raw) == "num":
        return 1.0  # the first of a numbered list of steps
    if asked.qtype == QType.what and unit.kind == "sentence" and defines(cand.context):
        return 1.0 if unit.position == 0 or cand.unit.line == 0 else 0.6  # "지방비 매칭이란" says what it is
    return fit(asked.qtype, unit.text, first_step=asked.first_step)


def _score(candidates: list[Candidate], asked: Asked, scorer: SentenceScorer | None, pool: int) -> list[Candidate]:
    """Cheap features for all; the relevance model for the best `pool` (each line read with
    its heading, as the document means it); best first."""
    for cand in candidates:
        cand.score = _cheap(cand, asked) * _penalty(cand, asked)
    ranked = sorted(candidates, key=lambda c: -c.score)[:pool]
    if scorer is not None and ranked:
        rel = _spread(scorer.score(asked.text, [_in_context(c) for c in ranked]))
        for cand, r in zip(ranked, rel, strict=True):
            cand.related = float(r)
            cand.score = 0.7 * cand.score + 0.3 * cand.related * _penalty(cand, asked)
        ranked.sort(key=lambda c: -c.score)
    return ranked


def _in_context(cand: Candidate) -> str:
    return f"{cand.context}: {cand.unit.text}" if cand.context else cand.unit.text


def _spread(values: np.ndarray) -> np.ndarray:
    """Min-max over the candidates (cosines of different models live on different scales),
    over at least 0.15 of cosine so that a few near-equal candidates are not pulled apart."""
    hi = float(values.max())
    lo = min(float(values.min()), hi - 0.15)
    return (values - lo) / (hi - lo)


def _penalty(cand: Candidate, asked: Asked) -> float:
    factor = 1.0
    if cand.caution and not asked.cautions and asked.qtype != QType.yes_no:
        factor *= 0.7  # a "what not to do" line is not a recommendation
    if _NOTE_LINE.match(cand.unit.raw):
        factor *= 0.6  # "※ 금액은 예시입니다" notes rarely answer
    if not asked.case and _PAST.search(cand.unit.text):
        factor *= 0.85  # what one plant did answers "what happened", not "what is the rule"
    return factor


def _pick(ranked: list[Candidate], asked: Asked, supporting: int, min_score: float) -> list[Candidate]:
    """The answering candidate, then up to `supporting` that add something it does not say.
    For "how much" and "when" the answering line must hold the amount or the date when a
    nearly as good line does."""
    lead = ranked[0]
    if asked.qtype in (QType.how_much, QType.when) and lead.shape < 1.0:
        shaped = [c for c in ranked if c.shape >= 1.0 and c.score >= 0.6 * lead.score]
        if shaped:
            ranked = [shaped[0], *[c for c in ranked if c is not shaped[0]]]
            lead = shaped[0]
    picked = [lead]
    covered = set(lead.terms)
    floor = max(min_score, 0.55 * lead.score)
    for cand in ranked[1:]:
        if len(picked) > supporting or cand.score < floor:
            break
        if cand.related < 0.35 or any(_similar(cand.unit.text, p.unit.text) for p in picked):
            continue  # unrelated by the relevance model, or saying the same again
        new_terms = {t for t in asked.weights if t in cand.terms and t not in covered}
        continues = cand.hit_index == lead.hit_index and cand.unit.position == lead.unit.position + 1
        if new_terms or continues or cand.score >= 0.8 * lead.score:
            picked.append(cand)
            covered |= cand.terms
    return picked


def _order(picked: list[Candidate]) -> list[Picked]:
    """The answering sentence first, the supporting ones in source order."""
    rest = sorted(picked[1:], key=lambda c: c.key)
    return [_as_picked(c) for c in [picked[0], *rest]]


def _as_picked(cand: Candidate) -> Picked:
    return Picked(cand.hit_index, cand.unit.position, cand.unit.text, round(cand.score, 4), cand.label)


def _pick_list(
    candidates: list[Candidate], ranked: list[Candidate], asked: Asked, limit: int, scorer: SentenceScorer | None
) -> Composition | None:
    """The list that answers a list question: the run of items whose title and items match
    the question best, in the source's order, at most `limit` items."""
    runs: dict[tuple[int, int], list[Candidate]] = {}
    for cand in candidates:
        if cand.unit.run is not None and cand.unit.kind in ("item", "row"):
            runs.setdefault((cand.hit_index, cand.unit.run), []).append(cand)
    lists = [items for items in runs.values() if len(items) >= 2]
    if not lists:
        return None
    titles = [_list_title(items) for items in lists]
    rel = _spread(scorer.score(asked.text, titles)) if scorer else np.zeros(len(lists))
    values = [_list_value(items, float(r), asked) for items, r in zip(lists, rel, strict=True)]
    best = int(np.argmax(values))
    if values[best] < 0.5 * ranked[0].score:
        return None
    items = _whole_lines(sorted(lists[best], key=lambda c: c.unit.position))
    shown = items[:limit]
    lead_in = lists[best][0].context.split(" > ")[-1] or None
    if lead_in and prose.caution_label(lead_in):
        for picked in shown:
            picked.label = None  # "반려 사유 TOP 6" above the list already says what they are
    return Composition(shown, 0.0, as_list=True, lead_in=lead_in, more_items=len(items) - len(shown),
                       numbered=prose.marker_kind(lists[best][0].unit.raw) == "num")


def _whole_lines(items: list[Candidate]) -> list[Picked]:
    """One list entry per source line (an item's second sentence stays with its first)."""
    out: list[Picked] = []
    seen: set[int] = set()
    for cand in items:
        if cand.unit.line in seen:
            continue
        seen.add(cand.unit.line)
        picked = _as_picked(cand)
        if cand.unit.kind == "item":
            picked.text = prose.strip_markers(cand.unit.raw)
        out.append(picked)
    return out


def _list_title(items: list[Candidate]) -> str:
    """What the list is, as the document says it: its title, heading and section."""
    return " > ".join(p for p in (items[0].title, items[0].context) if p) or items[0].unit.text


def _list_value(items: list[Candidate], title_rel: float, asked: Asked) -> float:
    top = sorted((c.score for c in items), reverse=True)[:3]
    words: set[str] = set(items[0].context_terms)
    for cand in items:
        words |= cand.terms
    lines = len({c.unit.line for c in items})
    return (0.35 * sum(top) / len(top) + 0.25 * title_rel + 0.25 * asked.overlap(words)
            + 0.15 * min(lines, 5) / 5 + 0.05 / (items[0].hit_index + 1))


def _coverage(asked: Asked, picked: list[Picked], candidates: list[Candidate], cited: list[Hit]) -> float:
    """Share of the question's terms the picked lines, their headings or their documents' titles say."""
    by_key = {c.key: c for c in candidates}
    covered: set[str] = set()
    for p in picked:
        cand = by_key.get((p.hit_index, p.position))
        if cand is not None:
            covered |= cand.terms
    context = [h.chunk.title + " " + (h.chunk.heading or "") for h in cited]
    for terms in morphemes_many(context, cache=True):
        covered |= set(terms)
    return asked.overlap(covered)


def _missing(question: str, cited: list[Hit], hits: list[Hit], idf: Callable[[str], float]) -> list[str]:
    """Nouns of the question, as the user wrote them, that no cited source mentions at all."""
    sources = cited or hits[:1]
    said: set[str] = set()
    text = ""
    for hit in sources:
        chunk = hit.chunk
        said |= set(chunk.terms)
        carried = " ".join(str(chunk.metadata.get(k) or "") for k in ("table_header", "section"))
        text += f" {chunk.title} {chunk.heading or ''} {carried} {chunk.text}"
    out: list[str] = []
    for surface, terms in noun_phrases(question):
        content = [t for t in terms if t not in STOP_TERMS and t not in _GENERIC_NOUNS]
        if not content or len(surface) < 2 or (surface.isascii() and not surface.isupper()) or surface in out:
            continue
        if any(t in said or t in text for t in content) or surface in text:
            continue
        if max(idf(t) for t in content) >= 1.0:
            out.append(surface)
    return out


def _similar(a: str, b: str) -> bool:
    sa, sb = set(a.split()), set(b.split())
    return bool(sa and sb) and len(sa & sb) / len(sa | sb) > 0.7
