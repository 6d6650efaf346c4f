"""The embedded default answer, answer first: the line that answers what was asked, then at
most a few supporting lines (or a short list for a list question), copied from the retrieved
chunks with figures untouched, each carrying its citation.

compose = candidates -> clean -> score (`candidates`) -> pick -> order (here);
`drafting.extractive_text` renders.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from assistant.answers import prose
from assistant.answers.candidates import (
    Asked,
    Candidate,
    analyse,
    clean,
    collect,
    content_terms,
    defines_asked,
    labels_asked,
    list_title,
    mark_off_topic,
    opens_steps,
    question_terms,
    says_where_to_start,
    score,
    spread,
    stored_units,
    tells_outcome,
    tells_result,
)
from assistant.answers.glossary import owner_words, source_words
from assistant.answers.question_types import NO_LIMIT, QType
from assistant.answers.retrieval import Hit, in_no_source, known_by
from assistant.answers.scoring import SentenceScorer
from assistant.korean import known_parts, morphemes_many, noun_phrases
from assistant.stores.catalog import Chunk

__all__ = ["Composition", "Picked", "compose", "question_terms"]

_NAMES_CAUSE = re.compile(r"(?:원인|이유)(?:은|는|이|가)\s|때문입니다|때문이었습니다")
_CAUSE_SHARE = 0.8  # how good next to the best line a line naming the cause must be to lead
_NEGATED_VERB = re.compile(r"^(?:안|못)\S+(?:고|서|면|는데|지만|도록|어요|아요|해요)$")
_BUT = re.compile(r"^(다만|하지만|단,|단\s|그러나)")
_NUMBER = re.compile(r"\d[\d,.]*")
_NO_LIMIT = re.compile(NO_LIMIT)  # "하한은 없습니다" answers "최소 몇 명?" as a count would
_ASKS_TOTAL = re.compile(r"사업비|총\s*(?:비용|얼마|금액)|(?:다|전부|모두)\s*(?:해서|합쳐|합하면)|합계")
_TOTAL = re.compile(r"총사업비|총\s*비용|총액|합계|총\s*\d")  # what the whole costs, not the state's or the company's part
# the question types a list of steps, places or items can answer whole
_LISTS_ANSWER = (QType.how, QType.where, QType.what)

# what a line gives up, per rank of its chunk below the first (up to four), to lead the answer:
# retrieval read the whole chunk, so a lower chunk's line must be clearly better to lead
_LEAD_RANK_COST = 0.05
# how much better a line of a hit read only for that line (`Hit.by_line`) must be to lead
_BY_LINE_LEAD_MARGIN = 1.3
# how good, next to a line retelling the plant's problem, a line must be to lead instead
_PROBLEM_LEAD_SHARE = 0.6
# a line that picks out part of what the line before it says
_PART_OF_BEFORE = re.compile(r"^그\s?중\s")
# a lead this short goes on with the next sentence of its paragraph when that is half as good
# (`_goes_on`; golden key facts 0.685 -> 0.682, held-out dev 0.594 -> 0.604; read whole, most
# of the changed answers say more of what was asked)
_SHORT_LEAD_CHARS = 40
_GOES_ON_SHARE = 0.5
# how good next to the lead a line that completes it must be to follow it: a case's figures
# (`_shows_result`), the "다만 …" of a yes (`_qualifies`)
_COMPLETES_SHARE = 0.4


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
    missing: list[str] = field(default_factory=list)  # the user's own words no retrieved source mentions
    as_list: bool = False  # sentences are the items of one list
    lead_in: str | None = None  # what the list is ("공통 필수 서류")
    more_items: int = 0  # list items left out
    marker: str | None = None  # what opens the source's list lines (`prose.marker_kind`): "num" for steps in order

    @property
    def numbered(self) -> bool:
        return self.marker == "num"


def compose(
    question: str, q_terms: list[str], hits: list[Hit], idf: Callable[[str], float], *,
    scorer: SentenceScorer | None = None, analysed: Callable[[list[str]], Mapping[str, str]] | None = None,
    following: Callable[[Chunk], Chunk | None] | None = None,
    supporting: int = 2, list_items: int = 6, chunks: int = 5, pool: int = 12, min_score: float = 0.12,
) -> Composition:
    """The answer's sentences: candidates from the top `chunks` hits, cleaned, scored (the
    relevance model on the best `pool` of them), then picked and ordered answer first.
    `analysed` gives the chunks' line analyses stored at ingest, by id (`Catalog.analyses`);
    `following` the next chunk of a document, where a list cut by its chunk's end goes on."""
    asked = analyse(question, q_terms, idf)
    if not hits or not (asked.weights or (asked.foreign and scorer is not None)):
        return Composition([], 0.0, [])  # a question in another language is read by the relevance model alone
    read = hits[:chunks]
    analyses = analysed([h.chunk.chunk_id for h in read]) if analysed else None
    candidates = clean(collect(read, analyses), asked)
    if not asked.foreign:
        mark_off_topic(candidates, read, asked)
    ranked = _lead_first(score(candidates, asked, scorer, pool), {i for i, h in enumerate(read) if h.by_line})
    if not ranked or ranked[0].score < min_score:
        return Composition([], 0.0, [])
    comp = _pick_list(candidates, ranked, asked, list_items, scorer) if asked.qtype == QType.list else None
    if comp is not None and following is not None:
        _go_on_with_list(comp, read[comp.sentences[0].hit_index], list_items, following, analysed)
    if comp is None:
        picked = _pick(ranked, asked, supporting, min_score)
        comp = (_pointed_list(candidates, picked[0], list_items) or _defining_list(candidates, picked[0], asked, list_items) or (
            _near_pointed_list(candidates, ranked, list_items) if asked.qtype in _LISTS_ANSWER else None)
                or Composition(_order(picked), 0.0))
    cited = sorted({p.hit_index for p in comp.sentences})
    comp.coverage = _coverage(asked, [hits[i] for i in cited])
    comp.missing = _missing(question, hits, idf) if comp.sentences else []
    return comp


# -- steps ---------------------------------------------------------------------------------
def _lead_first(ranked: list[Candidate], by_line: set[int]) -> list[Candidate]:
    """The best line to lead, its chunk's retrieval rank counted, first; the rest as scored. A
    line of a hit read only for its best line (`Hit.by_line`, their indices `by_line`) leads only
    when it is clearly better (`_BY_LINE_LEAD_MARGIN`) than the best line of the hits retrieval
    put first: "보통 기초 MES는 계약부터 본 가동까지 4~6개월이 걸립니다" answers "몇 달 걸림?"
    whichever rank its chunk had. A line retelling a plant's problem ("ERP 재고와 MES 재고가
    서로 달라 어느 숫자가 맞는지 아무도 몰랐습니다") does not lead when a line near as good
    (`_PROBLEM_LEAD_SHARE`) says something else: the owner who has that problem asked what to do."""
    if not ranked:
        return ranked
    lead = max(ranked, key=_leading)
    own = [c for c in ranked if c.hit_index not in by_line]
    if own and lead.hit_index in by_line:
        best_own = max(own, key=_leading)
        if _leading(lead) < _BY_LINE_LEAD_MARGIN * _leading(best_own):
            lead = best_own
    if lead.retells_problem:
        other = [c for c in ranked if not c.retells_problem and c.hit_index not in by_line
                 and c.score >= _PROBLEM_LEAD_SHARE * lead.score]
        if other:
            lead = max(other, key=_leading)
    return [lead, *(c for c in ranked if c is not lead)]


def _leading(cand: Candidate) -> float:
    return cand.score * (1 - _LEAD_RANK_COST * min(cand.hit_index, 4))


def _pick(ranked: list[Candidate], asked: Asked, supporting: int, min_score: float) -> list[Candidate]:
    """The answering candidate, then up to `supporting` that add something it does not say.
    For "how much", "when" and "how is it calculated" the answering line must hold the amount,
    the date or the formula when a nearly as good line does."""
    ranked = _shaped_first(ranked, asked)
    if asked.cost and ranked[0].unit.run is not None:
        ranked = _shaped_first(ranked, asked)  # a bill's row that took the lead gives it to the bill's total
    lead = ranked[0]
    picked = [lead]
    covered = set(lead.terms)
    floor = max(min_score, 0.65 * lead.score)
    # the lines that complete the lead take the first supporting places: the other side of a
    # difference or the next sentence of a short lead's paragraph, then a case's measured outcome
    # for an effect question, then the "다만 …" that limits a yes
    completing = [c for c in (_other_side(lead, ranked, asked) or _goes_on(lead, ranked) or _next_price(lead, ranked, asked),
                              _shows_result(lead, ranked, asked), _qualifies(lead, ranked, asked)) if c is not None]
    for completes in reversed(completing):
        ranked = [lead, completes, *(c for c in ranked[1:] if c is not completes)]
        floor = min(floor, completes.score)
    repeats = 0  # lines that say a picked line again take a place: a repeat is not replaced by a weaker line
    for cand in ranked[1:]:
        if len(picked) + repeats > supporting or cand.score < floor:
            break
        if any(_same_again(cand, p) for p in picked):
            repeats += 1
            continue
        if cand.related < 0.35 or _answers_another_asker(cand, asked):
            continue  # unrelated by the relevance model, or said to another owner's own figures
        if cand.retells_problem and not lead.retells_problem:
            continue  # the owner's own problem told back ("창고에는 자재가 넘쳐 …") adds nothing to an answer
        new_terms = {t for t in asked.weights if t in cand.terms and t not in covered}
        continues = cand in completing or (cand.hit_index == lead.hit_index and cand.unit.position == lead.unit.position + 1)
        if new_terms or continues or cand.score >= 0.8 * lead.score:
            picked.append(cand)
            covered |= cand.terms
    return picked


def _shaped_first(ranked: list[Candidate], asked: Asked) -> list[Candidate]:
    """`ranked` with the best line of the most telling answer shape the lead lacks first, when
    one is near as good (0.6 of the lead's score)."""
    lead = ranked[0]
    for holds in _answer_shapes(asked, lead):  # the most telling shape first
        if holds(lead):
            break
        # "그중 3,000만 원을 …" holds an amount of the line before it, not the answer's own
        shaped = [c for c in ranked if holds(c) and c.score >= 0.6 * lead.score and not _PART_OF_BEFORE.match(c.unit.text)]
        if shaped:
            return [shaped[0], *[c for c in ranked if c is not shaped[0]]]
    return ranked


_PRICE = re.compile(r"\d[\d,.]*\s*(?:[천만억]\s*)?원")  # "30만~80만 원", "1,800만 원", "5,000원"
_COUNTED = re.compile(r"\d[\d,.]*\s*(?:명|대|개|곳|억|만\s*원|원|%)")


def _answers_another_asker(cand: Candidate, asked: Asked) -> bool:
    """A line of an FAQ answer that repeats a figure of the FAQ's own question ("직원이 7명뿐인데
    신청할 수 있나요?": "7명 중 한 명을 전담자로 정해 두세요") speaks to that asker, not to an owner
    who did not give that figure ("직원 30명 도금공장인데", "우리 같은 회사 신청 자격이 어떻게 돼요?")."""
    section = cand.section
    if not prose.is_question(section):
        return False
    def figures(text: str) -> set[str]:
        return {re.sub(r"\s", "", f) for f in _COUNTED.findall(text)}

    return bool(figures(cand.unit.text) & figures(section) - figures(asked.text))


def _other_side(lead: Candidate, ranked: list[Candidate], asked: Asked) -> Candidate | None:
    """For "반려랑 탈락이랑 뭐가 달라요?" led by the item "반려: …", the item of the same list
    that names what the lead does not ("탈락: …"): a difference is told by both sides."""
    if not asked.comparison or lead.unit.kind not in ("item", "row") or lead.unit.run is None:
        return None
    unnamed = set(asked.weights) - lead.terms
    return next((c for c in ranked[1:] if _same_list(c, lead) and c.unit.line != lead.unit.line and c.terms & unnamed), None)


def _next_price(lead: Candidate, ranked: list[Candidate], asked: Asked) -> Candidate | None:
    """For "센서 값 대충 얼마에요" led by an item of a price list ("게이트웨이: 1대 50만~150만 원"),
    the best other item of that list with an amount that names a word of the question or is the
    list's total ("무선 진동·온도 센서: 개당 30만~80만 원", "합계(자체 부담): 1,800만 원"): what
    a thing costs is read off its list, not off one line of it."""
    if (asked.qtype != QType.how_much or lead.unit.kind not in ("item", "row") or lead.unit.run is None
            or not _PRICE.search(lead.unit.text)):
        return None
    return next((c for c in ranked[1:] if _same_list(c, lead) and c.unit.line != lead.unit.line
                 and _PRICE.search(c.unit.text) and c.score >= _COMPLETES_SHARE * lead.score
                 and (c.terms & set(asked.weights) or _TOTAL.search(c.unit.text))), None)


def _same_list(cand: Candidate, lead: Candidate) -> bool:
    """Is `cand` a line of the list (or table) the lead is an item of?"""
    return cand.hit_index == lead.hit_index and cand.unit.run == lead.unit.run


def _goes_on(lead: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """The sentence a short lead goes on with in its own paragraph, if it is a candidate half as
    good: "오래된 설비도 데이터를 뽑을 수 있습니다." says that it can be done, and the next
    sentence of the paragraph ("통신이 안 되면 전류, 램프 신호, 카운터처럼 '밖에서 보는'
    방법을 쓰세요.") says how. It takes the first supporting place."""
    if len(lead.unit.text) > _SHORT_LEAD_CHARS:
        return None
    return next((c for c in ranked[1:] if c.hit_index == lead.hit_index and c.unit.line == lead.unit.line
                 and c.unit.position == lead.unit.position + 1 and c.score >= _GOES_ON_SHARE * lead.score), None)


def _shows_result(lead: Candidate, ranked: list[Candidate], asked: Asked) -> Candidate | None:
    """For "효과 있나요?", "줄인 회사 있나" led by what a case did or found ("작은 봉제 공장도 효과가
    있습니다."), the line of the same case that says how a figure moved ("납기 준수율 - 도입 전:
    78%, 도입 후(6개월): 94%"), or else another case's: an effect is told by its numbers."""
    if not asked.case or asked.money or tells_result(lead):
        return None  # "그 사례 총 얼마 들었어요?" asks the bill, not what moved
    results = [c for c in ranked[1:] if tells_result(c) and c.score >= _COMPLETES_SHARE * lead.score]
    # the lead's own case first; led by a guide ("예지보전이 만능은 아닙니다"), a case that did it
    return next((c for c in results if c.title == lead.title), next((c for c in results if tells_outcome(c)), None))


def _qualifies(lead: Candidate, ranked: list[Candidate], asked: Asked) -> Candidate | None:
    """For "대출 받을 수 있나요?" led by "정책자금 융자를 활용할 수 있습니다.", the sentence of the
    same passage that limits the yes ("다만 정부 지원금으로 덮이는 금액에는 융자를 받을 수
    없습니다."): a yes told without its "but" misleads."""
    if asked.qtype != QType.yes_no:
        return None
    return next((c for c in ranked[1:] if c.hit_index == lead.hit_index and _BUT.match(c.unit.text)
                 and 0 < c.unit.position - lead.unit.position <= 3 and c.score >= _COMPLETES_SHARE * lead.score), None)


def _answer_shapes(asked: Asked, lead: Candidate) -> list[Callable[[Candidate], bool]]:
    """What the answering line must hold, if the question says (the formula, the definition, the
    amount, the date), the most telling shape first."""
    if asked.formula:
        return [lambda c: prose.states_formula(c.unit.text)]
    if asked.qtype == QType.what and asked.definition:
        return [lambda c: c.unit.kind == "sentence" and defines_asked(c, asked),  # "X는 … 지표입니다"
                lambda c: c.unit.kind == "sentence" and defines_asked(c, asked, opening=True),
                lambda c: labels_asked(c, asked)]  # "예지보전(상태 기준): 센서로 … 정비한다."
    if asked.cost:
        # "그거 하면 얼마 들어요?" led by a row of a bill ("정부 지원 - 금액: 2,400만 원") or a line
        # about it ("고도화1 한도 안에서 …"): the bill's total ("총사업비: 1억 2,000만 원") says what it costs
        # when the owner asks the total by name ("사업비 얼마였어요?") or the lead is a row of the bill
        return [lambda c: c.shape >= 1.0 and c.hit_index == lead.hit_index and bool(_TOTAL.search(c.unit.text))
                and (c.unit.run == lead.unit.run if lead.unit.run is not None else bool(_ASKS_TOTAL.search(asked.text))),
                lambda c: c.shape >= 1.0]
    if asked.qtype == QType.why:  # "원인이 뭘까요?": the line that names the cause ("원인은 대부분 기록 습관입니다")
        return [lambda c: bool(_NAMES_CAUSE.search(c.unit.text)) and c.score >= _CAUSE_SHARE * lead.score
                and (not c.off_topic or c.title == lead.title)]
    if asked.qtype in (QType.how_much, QType.when):
        if asked.count is not None:  # "몇 명까지?": "기업당 최대 2명", not "채용 후 6개월 이상"
            return [_counts(asked.count, asked.text), lambda c: c.shape >= 1.0]
        return [lambda c: c.shape >= 1.0]
    if asked.where_to_start:  # the line that says where to start, or the first of the steps
        return [says_where_to_start, opens_steps]
    return []


def _counts(count: re.Pattern[str], question: str) -> Callable[[Candidate], bool]:
    """A line with a count of the asked counter that is not the owner's own figure ("70프로밖에 안
    되는데 목표는 몇 프로?" is not answered by "처음 재면 70%대")."""
    own = {_digits(n) for n in _NUMBER.findall(question)}
    return lambda c: bool(_NO_LIMIT.search(c.unit.text)) or any(
        _digits(m.group(0)) not in own for m in count.finditer(c.unit.text))


def _digits(figure: str) -> str:
    return re.sub(r"\D", "", figure)


def _pointed_list(candidates: list[Candidate], lead: Candidate, limit: int) -> Composition | None:
    """"…아래 세 가지를 모두 갖춘 기업이 신청할 수 있습니다" answers only with the items it
    points to: the lead line, then the list that follows it in the same source."""
    if not prose.points_ahead(lead.unit.text):
        return None
    after = sorted((c for c in candidates if c.hit_index == lead.hit_index and c.unit.position > lead.unit.position),
                   key=lambda c: c.unit.position)
    if not after or after[0].unit.kind not in ("item", "row") or after[0].unit.run is None:
        return None
    items = _whole_lines([c for c in after if c.unit.run == after[0].unit.run])
    if len(items) < 2:
        return None
    shown = items[:limit]
    return Composition(shown, 0.0, as_list=True, lead_in=lead.unit.text, more_items=len(items) - len(shown),
                       marker=prose.marker_kind(after[0].unit.raw))


def _defining_list(candidates: list[Candidate], lead: Candidate, asked: Asked, limit: int) -> Composition | None:
    """"백업 3-2-1 원칙이 뭐에요" led by an item under the heading that names it ("4. 백업: 3-2-1
    원칙" > "사본 3개: 원본 외에 백업 2개"): the thing is what its list says, item by item."""
    if (not asked.defined or lead.unit.kind != "item" or lead.unit.run is None or not lead.section
            or labels_asked(lead, asked)):  # "수준 1~2 얼라이언스: …" says what one kind of it is, itself
        return None
    (heading,) = morphemes_many([lead.section], cache=True)
    if not asked.defined <= set(heading):
        return None
    items = _whole_lines(sorted((c for c in candidates if _same_list(c, lead)), key=lambda c: c.unit.position))
    if len(items) < 2:
        return None
    shown = items[:limit]
    return Composition(shown, 0.0, as_list=True, lead_in=prose.heading_text(lead.section), more_items=len(items) - len(shown),
                       marker=prose.marker_kind(lead.unit.raw))


def _near_pointed_list(candidates: list[Candidate], ranked: list[Candidate], limit: int) -> Composition | None:
    """A line nearly as good as the best that points to a list ("최소한 다음 지점에서
    스캔합니다") answers with that list: the items say more than a line about them."""
    best = ranked[0].score
    for cand in ranked[1:3]:
        if cand.score >= 0.9 * best and (comp := _pointed_list(candidates, cand, limit)) is not None:
            return comp
    return None


def _order(picked: list[Candidate]) -> list[Picked]:
    """The answering sentence first, the supporting ones in source order."""
    shown = [picked[0], *sorted(picked[1:], key=lambda c: c.key)]
    out = []
    for i, cand in enumerate(shown):
        line = _as_picked(cand)
        if line.label and line.label == cand.unit.item_label and any(
                c.hit_index == cand.hit_index and c.unit.line == cand.unit.line for c in shown[:i]):
            line.label = None  # the item's first sentence, just shown, says what it is about
        out.append(line)
    return out


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
    rel = spread(scorer.score(asked.text, titles)) if scorer else np.zeros(len(lists))
    values = [_list_value(items, float(r), asked) for items, r in zip(lists, rel, strict=True)]
    best = int(np.argmax(values))
    if values[best] < 0.5 * ranked[0].score:
        return None
    items = _whole_lines(sorted(lists[best], key=lambda c: c.unit.position))
    shown = items[:limit]
    lead_in = lists[best][0].section or None
    if lead_in and prose.caution_label(lead_in):
        for picked in shown:
            picked.label = None  # "반려 사유 TOP 6" above the list already says what they are
    return Composition(shown, 0.0, as_list=True, lead_in=lead_in, more_items=len(items) - len(shown),
                       marker=prose.marker_kind(lists[best][0].unit.raw))


def _go_on_with_list(comp: Composition, hit: Hit, limit: int, following: Callable[[Chunk], Chunk | None],
                     analysed: Callable[[list[str]], Mapping[str, str]] | None) -> None:
    """A list its chunk cuts off ("공통 필수 서류": 사업 신청서 … 재무제표, and the chunk ends) goes
    on with the items of the next chunk of its document under the same heading, of the same kind
    ("□ (5) 4대보험 가입자 명부" …), the overlap the chunks share left out. Both chunks are read
    as ingest split them (`analysed`)."""
    section = comp.lead_in
    if not section:
        return
    after = following(hit.chunk)
    if after is None or after.metadata.get("section") != section:
        return
    analyses = analysed([hit.chunk.chunk_id, after.chunk_id]) if analysed else {}
    units = stored_units(hit.chunk, analyses.get(hit.chunk.chunk_id))
    if not units or units[-1][0].section != section:
        return  # the chunk ends past the list's heading: the list ended in it
    shown = {p.text for p in comp.sentences}
    more: list[Picked] = []
    for unit, _ in stored_units(after, analyses.get(after.chunk_id)):
        if unit.section != section:
            break
        text = prose.without_file_refs(prose.strip_markers(unit.raw))
        if unit.kind == "item" and prose.marker_kind(unit.raw) == comp.marker and text not in shown:
            more.append(Picked(comp.sentences[0].hit_index, len(units) + unit.position, text, 0.0))
    room = max(0, limit - len(comp.sentences))
    comp.sentences += more[:room]
    comp.more_items += len(more) - len(more[:room])


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
            picked.text = prose.without_file_refs(prose.strip_markers(cand.unit.raw))
            if picked.label and picked.label == cand.unit.item_label:
                picked.label = None  # the whole line says its label itself
        out.append(picked)
    return out


def _list_title(items: list[Candidate]) -> str:
    return list_title(items[0].title, items[0].context, items[0].unit.text)


def _list_value(items: list[Candidate], title_rel: float, asked: Asked) -> float:
    """How well a list answers: its best items, its title's relevance, the question's words it
    shares, its length, its chunk's rank. The words count in its heading above its items: a list
    named "공통 필수 서류" is about documents, while the many words of a list of steps ("자격
    확인", "견적 받기", "서류 준비") share a little of any question."""
    top = sorted((c.score for c in items), reverse=True)[:3]
    words: set[str] = set(items[0].context_terms)
    named = asked.overlap(words)
    for cand in items:
        words |= cand.terms
    lines = len({c.unit.line for c in items})
    return (0.35 * sum(top) / len(top) + 0.25 * title_rel + 0.25 * max(named, 0.5 * asked.overlap(words))
            + 0.15 * min(lines, 5) / 5 + 0.05 / (items[0].hit_index + 1))


def _coverage(asked: Asked, cited: list[Hit]) -> float:
    """Share of the question's terms (idf-weighted) the cited sources say, title and
    heading included: how much of the question the evidence behind the answer is about."""
    covered: set[str] = set()
    for hit in cited:
        covered |= set(hit.chunk.terms)
    return asked.overlap(covered)


def _missing(question: str, hits: list[Hit], idf: Callable[[str], float]) -> list[str]:
    """Nouns of the question, as the user wrote them, that no source mentions at all: not the
    retrieved ones, and not any other (a word the knowledge uses elsewhere, such as "업체" or
    "주변", is how the owner put it, not a topic the knowledge lacks)."""
    said: set[str] = set()
    text = ""
    for hit in hits:
        chunk = hit.chunk
        said |= set(chunk.terms)
        carried = " ".join(str(chunk.metadata.get(k) or "") for k in ("table_header", "section"))
        text += f" {chunk.title} {chunk.heading or ''} {carried} {chunk.text}"
    out: list[str] = []
    # an owner's phrase whose sources' words are there ("예고 없이" is said 돌발) is covered, each word of it
    bridged_phrases = [owner for owner, words in owner_words(question).items() if all(w in text for w in words)]
    known = known_by(idf)
    for surface, terms in noun_phrases(question):
        # "온도관리" is covered where the sources say 온도 and 관리 (`spell_apart`)
        content = [part for term in content_terms(terms) for part in known_parts(term, known)]
        if (not content or len(surface) < 2 or (surface.isascii() and not surface.isupper()) or surface in out
                or _NEGATED_VERB.match(surface)):
            continue  # "본 안뜨고": a verb the owner negated, written as one word, is no topic
        if any(t in said or t in text for t in content) or surface in text:
            continue
        if (bridged := source_words(surface)) and all(w in text for w in bridged):
            continue  # the owner's "공급업체" is the sources' "공급기업"
        if any(surface in phrase for phrase in bridged_phrases):
            continue
        if any(in_no_source(t, idf) for t in content):
            out.append(surface)
    return out


def _same_again(cand: Candidate, picked: Candidate) -> bool:
    """Says what an already picked line says: nearly the same words, or most of its content
    words with no figure the picked line lacks ("최종점검 통과일부터 3년간 사후관리 의무가
    있습니다" after "최종점검을 통과한 날부터 3년이 사후관리 의무기간입니다")."""
    if _similar(cand.unit.text, picked.unit.text):
        return True
    mine, theirs = cand.terms, picked.terms
    if not mine or not theirs:
        return False
    shared = len(mine & theirs) / min(len(mine), len(theirs))
    new_figures = set(_FIGURE.findall(cand.unit.text)) - set(_FIGURE.findall(picked.unit.text))
    return shared >= 0.75 and not new_figures


_FIGURE = re.compile(r"\d[\d,.]*\s*[^\s\d]?")  # a figure with its unit: "3년", "2 이"


def _similar(a: str, b: str) -> bool:
    sa, sb = set(a.split()), set(b.split())
    return bool(sa and sb) and len(sa & sb) / len(sa | sb) > 0.7
