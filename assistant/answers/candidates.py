"""Answer candidates: every line of the top chunks (sentence, list item, table row) with
what it is about, cleaned of what cannot answer, and scored against the question: words
shared (its own and its heading's), the shape of an answer to this type of question, the
chunk's rank, and the relevance model."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from assistant.answers import prose
from assistant.answers.glossary import bridged_only, korean_terms, source_words
from assistant.answers.question_types import (
    QType,
    asked_count,
    asks_about_cautions,
    asks_about_difficulties,
    asks_cost,
    asks_first_step,
    asks_frequency,
    asks_money,
    asks_where_to_start,
    defines,
    fit,
    question_type,
    states_frequency,
)
from assistant.answers.retrieval import Hit, known_by
from assistant.answers.scoring import SentenceScorer
from assistant.korean import PAST_SYLLABLES, has_topic, morphemes_many, remember_terms, sentences_of_chunk
from assistant.stores.catalog import Chunk

# question words and light verbs that say nothing about the subject
STOP_TERMS = frozenset(
    "얼마 무엇 뭐 뭣 어떻 어떤 어디 언제 누구 왜 몇 어느 좀 것 거 수 때 등 알리다 하다 되다 있다 없다 주다 "
    "가능 궁금 문의 질문 설명 관련 경우 정도 이거 그거 저거 우리 저희 제 나 요 니다 싶다 보다 받다 말씀 "
    "알다 그럼 그러면 혹시 정말 그냥 대해 대하다 이다 아니다 같다 어떻게 가요 해요 인가요 나요 거기 여기 저기 그곳 "
    "이곳 그것 이것 저것 그쪽 이쪽 얼마나 꼭 제일 대충 대략 뭘 뭔가 무슨 어디다 쯤 법 알려주다 돼다 건가 거예요 며칠 "
    "안 데 뭐뭐".split()
)
# nouns too general to be what a question is about (a coverage note, a follow-up with no subject of its own)
GENERIC_NOUNS = frozenset(
    "이유 까닭 원인 절차 순서 단계 기간 시기 금액 비율 종류 조건 장점 단점 차이 효과 결과 기준 의미 뜻 목록 항목 예시 사례 "
    "실수 주의 점 얘기 부분 경우 "
    "부족 필요 문제 고민 방법 내용 생각 상황 얘기 이야기 답변 회사 사람 대충 보통 제일 가장 대략 자기 자신 사장 올해 작년 "
    "내년 요즘 지금 이번 다음 처음 나중 한번 정도 쪽 조심 "
    "프로 퍼센트 퍼 "  # "60프로": the owner's way of saying a percentage, which the sources write as %
    "안".split()  # "며칠 안에": within, not a topic
)


def content_terms(terms: list[str]) -> list[str]:
    """The terms that say what a question is about: neither question words nor general nouns."""
    return [t for t in terms if t not in STOP_TERMS and t not in GENERIC_NOUNS]


_QUESTION_LINE = re.compile(r"^\s*Q\d*[.:)]\s*|[?？]\s*$")
_NOTE_LINE = re.compile(r"^\s*※")
_FINITE = re.compile(r"(다|요|죠)[.!]?\s*$")  # a full sentence says its own meaning
_PAST = re.compile(f"[{PAST_SYLLABLES}]습니다[.!]?$")  # a case's story ("반겼습니다"), not the rule
_ASKS_CASE = re.compile(r"사례|경우|해\s*본|해\s*보니|했던|실제로|효과|결과(?!\s*(?:는|가|은)?\s*(?:언제|통보|발표|나오|나와|나옵|알려))|성과|얼마나\s*(줄|늘|올|좋|나아|개선|달라)"
                        r"|줄었|늘었|올랐|줄인|줄였|달라졌|(?:몇\S*|얼마\S*)\s*(?:떨어|내려|올라)\S*(?:졌|갔|왔)|(?:줄어|늘어|올라|좋아져|나아져)요|줄어드|줄일\s*수")
_MIN_CHARS = 8
_BARE_REPLY_CHARS = 16
_ASKS_FORMULA = re.compile(r"계산|구하|구해|공식|산식|산출|calculat|formula|compute", re.I)
# "가동률 계산할 때 점심시간은 빼요?": the calculation is where the question stands, not what it asks
_FORMULA_AS_SETTING = re.compile(r"(계산|산출)\s*(?:할|하는|한)\s*때|(계산|산출)\s*(?:시|에서|에|상)(?=\s)")
# "OEE가 뭐예요?", "8D 리포트 이게 뭐에요": what a thing is (not "인정되는 게 뭐예요?", which asks for its instances)
# "ABC분석이 뭐에요 재고관리에서": the field it belongs to may come after the question word
_ASKS_DEFINITION = re.compile(r"^(?!.*(?<![이그저])(게|거|건|것)\s*(뭐|무엇)).*\S\s*(뭐|무엇|뭔가)\S{0,5}\s*[?？]*"
                              r"(?:\s+\S+에서[는요]?)?\s*[?？]*\s*$"
                              r"|^\s*what\s+(is|are)\s+(an?\s+)?\S+(\s+\S+)?\s*\?*\s*$", re.I)
# "발주점을 엄격히 관리하는 품목은 뭐예요?" asks which ones do something, not what a 품목 is
_ASKS_WHICH = re.compile(r"[가-힣](?:하는|되는|하던|받는|쓰는|있는|없는|인)\s+\S+?(?:은|는|이|가)\s+(?:뭐|무엇)")
# the thing a "what is it" question names, right before its question word ("PPM이 정확히 뭐예요" -> PPM)
_DEFINED_THING = re.compile(r"(\S+?)(?:이|가|은|는|이란|란)?\s+(?:정확히\s+|도대체\s+|대체\s+)?(?:뭐|무엇|뭔|무슨\s*(?:말|뜻|의미))")
# "OEE가 무슨 뜻이에요?", "3-2-1 이게 무슨 말이에요?": what a thing means (its 말 and 뜻 are no topic)
_ASKS_MEANING = re.compile(r"무슨\s*(말|뜻|의미)\S{0,6}\s*[?？]*\s*$")
_MEANING_WORDS = frozenset({"말", "뜻", "의미"})
_LABELLED = re.compile(r"^[^:：]{1,12}[:：]\s*(.+)$")  # "회사: (주)덴탈브릿지", "지역: 서울"
# "X(은|는|이란) … 입니다/말합니다": a sentence that says what X is
_DEFINITION = re.compile(r"^(.{1,60}?)(?:은|는|이란|란|이라\s*함은)\s.*(?:입니다|말합니다|뜻합니다|의미합니다|가리킵니다)[.]?$")
_DEFINITION_END = re.compile(r"^(?!.*것입니다).*[가-힣]입니다[.]?$")  # with no topic of its own: `has_topic`
_HANGUL = re.compile(r"[가-힣]")
_STATEMENT_END = re.compile(r"[가-힣]니다[.]?$")
# a question that ends asking what something costs ("돈 들어요?", "돈 따로 나가요?", "돈은요?"), not one
# that only mentions money on its way ("돈 주고 푸는게 나아요?", "돈 내면 풀어준대요 내도 돼요?")
_ASKS_COST = re.compile(r"(?:돈|비용|요금|수수료)\S{0,2}(?:\s+\S{1,3})?\s*(?:들어요|들어|드나요|들까요|들죠|내요|내나요|나가요|나와요"
                        r"|은요|는요|이요)\s*[?？]*\s*$")
# a result: a figure that moved ("25일에서 14일로", "불량률 3% → 1%", "40% 줄었습니다")
_RESULT = re.compile(
    r"\d[\d,.]*\s*\S{0,6}\s*(에서|→|->)\s*\S{0,8}\d"
    r"|\d[\d,.]*\s*(%p?|건|일|시간|분|만\s*원|원|개|명|배)\S{0,3}\s*(줄|늘|감소|증가|단축|절감|낮|높|올|개선)"
    r"|전[^:]{0,12}:\s*[^,]{0,20}\d.{0,40}후[^:]{0,12}:\s*[^,]{0,20}\d")  # a row "도입 전: 25일, 도입 후: 14일"
# the section a case's line sits in: what came out of it, or the problem it started from
_OUTCOME_SECTION = re.compile(r"결과|성과|효과|변화|도입\s*후")


def tells_result(cand: Candidate) -> bool:
    """A line that says how a figure moved ("납기 준수율 - 도입 전: 78%, 도입 후(6개월): 94%")."""
    return bool(_RESULT.search(cand.unit.text))


def tells_outcome(cand: Candidate) -> bool:
    """A figure that moved, under what came of a case ("결과": "연간 돌발 고장 - 도입 전: 9건, …")."""
    return tells_result(cand) and bool(_OUTCOME_SECTION.search(cand.section))


# a section that tells the problem as it was ("상황", "진단(사고 원인)"), not one about
# solving it ("전담 인력 문제는 어떻게 푸나")
def _section_named(prefixes: str, names: str) -> re.Pattern[str]:
    """A section heading that is one of `names`, perhaps numbered, after one of `prefixes`."""
    return re.compile(rf"^\s*(?:\d+[.)]\s*)?(?:(?:{prefixes})\s*)?(?:{names})(?:\s*[:(].*)?\s*$")


_PROBLEM_SECTION = _section_named("현재|문제|추진", r"상황|진단|배경|문제|현황|도입\s*전")


def is_problem_section(section: str) -> bool:
    """A section that tells a plant's problem as it was ("상황", "진단", "도입 전")."""
    return bool(_PROBLEM_SECTION.search(section))


# of those, the section that tells the plant's problem itself (not its diagnosis or background)
_SITUATION_SECTION = _section_named("현재|문제", r"상황|현황|문제|도입\s*전")
_ASKS_SITUATION = re.compile(r"상황|진단|배경|현황|처음에|원래|전에는|도입\s*전")
# the sections whose heading says they hold the kind of answer a question wants: a case's 비용
# answers what it cost, its 로드맵 and 실행 내용 what to do, its 진단 why (`wanted_sections`)
_MONEY_SECTION = re.compile(r"비용|금액|예산|부담")
_ACTION_SECTION = re.compile(r"실행|해결|대책|조치|방법|교훈|권고|메모")
_PLAN_SECTION = re.compile(r"로드맵|먼저|우선순위|" + _ACTION_SECTION.pattern)  # "뭐부터?": a plan's first step, "무엇을 먼저 하나"
_CAUSE_SECTION = re.compile(r"진단|원인|이유")
# how much a line of such a section counts above others (golden and dev suites with e5: the
# same figures at 1.15 and 1.3, docs/benchmarks.md)
WANTED_SECTION = 1.15
_WORKED_EXAMPLE = re.compile(r"계산\s*예시|예시\s*\d+\s*\)|예시\s*\(가상\)")  # "견적 비교 예시(가상)": one made-up case
# the owner's own numbers ("총사업비 1억", "2800 들면"): a worked example may be their case
_OWN_FIGURE = re.compile(r"\d{3,}|\d\s*(?:천|만|억|원|%|프로|퍼센트|분|초|개)")
_ASKS_MONTH = re.compile(r"몇\s*월|어느\s*달|무슨\s*달|which\s+month", re.I)
_STATES_MONTH = re.compile(r"(?<![개\d])\d{1,2}\s*월(?!급)|(?:연초|연말|상반기|하반기)|월\s*(?:초|말|중순)")
_SAYS_WHERE_TO_START = re.compile(r"(?<!처음)(?<!지금)(?<!이제)(?<!오늘)[가-힣A-Za-z)]부터(?:\s*[.]?\s*$|\s+(?:시작|하세요|손대))")
_CAVEAT_LINE = re.compile(r"^\s*(주의|유의|참고)\s*[:：]")
# "뭐가 달라요?", "차이가 뭐예요?", "vs" (not "달라서", "달라고")
_ASKS_DIFFERENCE = re.compile(r"차이|(?:뭐가|어떻게|뭐|무엇이)\s*달라|달라요\s*[?？]*$|다른\s*점|비교|\bvs\b|differ|compare", re.I)
_DIFFERENCE_WORDS = frozenset({"차이", "차이점", "비교", "다르다", "다른", "점"})
_COUNTER_WORDS = frozenset({"프로", "퍼센트", "군데"})
# "뭐부터 해요?", "뭘 먼저 해요?": the first step is asked, 먼저 is no word to match ("… 먼저 확인하세요")
_FIRST_WORDS = frozenset({"먼저", "우선"})
_EXAMPLE_LINE = re.compile(r"^\s*(예|예시|보기)\s*[):：]|^\s*\(예\)")
# how much the relevance model counts against the words shared with the question (golden
# set with e5, key facts stated: 0.562 at 0.3, 0.574 at 0.5, 0.596 at 0.7, 0.587 at 0.85);
# a question in another language shares no word with the Korean sources: the model decides
RELEVANCE_WEIGHT = 0.7
FOREIGN_RELEVANCE_WEIGHT = 0.8
# a read chunk sharing less than OFF_TOPIC_SHARE of what the best read chunk shares with the
# question is not about it, and its lines give up 1 - OFF_TOPIC (`mark_off_topic`; golden set with
# e5: first sentence 0.567 -> 0.575 at 0.85 and 0.5, 0.572 at 0.7; dev key facts 0.535 -> 0.544)
OFF_TOPIC = 0.85
NAMED_NUMBER = 1.3  # a line naming the asked one of a numbered series, over one naming only others
OFF_TOPIC_SHARE = 0.5
# a sentence that leans on the one before it ("즉 …", "그래서 …") cannot open an answer
_DEPENDENT = re.compile(r"^(즉|그래서|따라서|그러나|하지만|그런데|또한|또|이때|이 경우|그러면|그럼|다만|이렇게|이처럼|반면|오히려|게다가|더구나|그리고)[\s,]"
                        # "많으면 관리가 안 됩니다": more than what? The line before says (3~5개만 고르세요)
                        r"|^(많|적|없|크|작|높|낮|길|짧|늦|빠르|어려우|쉬우|느리)(으면|면)\s")



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
    situation: bool = False  # asks what a plant's situation was before (not what to do about it)
    frequency: bool = False  # asks how often
    month: bool = False  # asks in which month ("몇 월에 해요?"): a month answers, not "3년치" or "2022년까지"
    foreign: bool = False  # not asked in Korean: no word can match, the relevance model decides
    formula: bool = False  # asks how a figure is calculated
    definition: bool = False  # asks what a thing is
    money: bool = False  # asks an amount of money
    cost: bool = False  # asks what something costs ("얼마 들어요?"): a sum answers, a share does not
    defined: frozenset[str] = frozenset()  # the terms of the thing a "what is it" question names
    sections: re.Pattern[str] | None = None  # the section headings that hold what it asks (`wanted_sections`)
    own_figures: bool = False  # gives numbers of its own ("총사업비 1억"): a worked example may be its case
    comparison: bool = False  # asks how two things differ ("반려랑 탈락이랑 뭐가 달라요?")
    count: re.Pattern[str] | None = None  # a count of the counter asked ("몇 명": "2명"), `asked_count`
    where_to_start: bool = False  # asks where to start ("뭐부터 해야돼요?"), a narrower `first_step`
    numbered: tuple[tuple[re.Pattern[str], str], ...] = ()  # "레벨3": (수준|레벨 + a number, "3"), `numbered_names`
    per: re.Pattern[str] | None = None  # "한달에 얼마": an amount of that period answers (`_PERIODS`)

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
    off_topic: bool = False  # its chunk shares little of the question next to the best read chunk
    retells_problem: bool = False  # a plant's problem as it was: an owner with the same one asked what to do

    @property
    def section(self) -> str:
        """The line's own section: the last part of its context ("" when it has none)."""
        return self.context.split(" > ")[-1] if self.context else ""

    @property
    def key(self) -> tuple[int, int]:
        return self.hit_index, self.unit.position


def question_terms(terms: list[str]) -> list[str]:
    seen: list[str] = []
    for t in terms:
        if t not in STOP_TERMS and t not in seen and len(t) > 0:
            seen.append(t)
    return seen


# "레벨3", "수준 2", "고도화1": one of a numbered series of names, the number not a count ("3년",
# "2A", "3군데") nor part of a longer figure ("3-2-1")
_NUMBERED = re.compile(r"(?<![A-Za-z\d])([가-힣]{2,4}|[A-Za-z]{3,8}|[A-Z])\s?(\d{1,2})(?![\d,.\-%A-Za-z]|\s?(?:년|개|명|원|만|천|억|월|일|시|분|초|대|차|번|회"
                       r"|주|장|곳|군데|단계|층|가지|배|세|살|평|톤|종|호|인|건|줄|등|위|박|프로|퍼센트)|공장)")
_NUMBERED_IN_LINE = r"(?<![가-힣A-Za-z])(?:{names})\s?(\d{{1,2}})(?![\d,.])"


def numbered_names(question: str, q_terms: set[str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The numbered names the question asks about ("레벨3 이면 어떤 모습"): a pattern that finds the
    same name with a number in a line (in the sources' word too: 레벨 is 수준), and the number."""
    found = []
    for match in _NUMBERED.finditer(question):
        name, number = match.group(1), match.group(2)
        if not any(name.lower().startswith(term) for term in q_terms if len(term) >= min(2, len(name))):
            continue  # "고도화1": Kiwi's term is 고도; "D4": d
        names = [name, *source_words(name)]
        found.append((re.compile(_NUMBERED_IN_LINE.format(names="|".join(map(re.escape, names))), re.I), number))
    return tuple(found)


def names_number(cand: Candidate, asked: Asked) -> float:
    """1 when the line names the asked one of a numbered series ("수준 3 - 명칭: 중간2" for
    "레벨3"), -1 when it names only others of it ("수준 4 - …"), 0 when it names none."""
    verdict = 0.0
    for pattern, number in asked.numbered:
        numbers = pattern.findall(cand.unit.text)
        if number in numbers:
            return 1.0
        if numbers:
            verdict = -1.0
    return verdict


# "설비 20대 중에", "사출기 15대 돌리는데": the owner's machines counted in passing, not what is
# asked (a head count stays: "직원 7명도 되나요?" asks about the size; "4대보험" is a word)
_PLANT_SIZE = re.compile(r"(\d+)\s*(대)(?=\s|[,.?!]|$|인데|이고|짜리|정도|중|밖에|뿐|가\s|를\s|는\s|도\s|에\s|의\s)")


def _plant_size_terms(question: str) -> set[str]:
    """The count and counter terms of the plant's size the owner gives in passing."""
    found = _PLANT_SIZE.findall(question)
    return {term for number, counter in found for term in (number, counter)}


def analyse(question: str, q_terms: list[str], idf: Callable[[str], float]) -> Asked:
    foreign = not _HANGUL.search(question)
    if foreign:  # the sources' own words for the question's English ones
        q_terms = [*q_terms, *(t for t in korean_terms(question) if t not in q_terms)]
    meaning = bool(_ASKS_MEANING.search(question))
    definition = meaning or (bool(_ASKS_DEFINITION.search(question)) and not _ASKS_WHICH.search(question))
    comparison = bool(_ASKS_DIFFERENCE.search(question))
    money = asks_money(question)
    qtype = question_type(question)
    if qtype == QType.what and _ASKS_COST.search(question):
        qtype = QType.how_much  # "수준확인 받는거 돈들어요?", "그럼 회사가 내야 하는 돈은요?": the amount first
    # words of how the question is put, not of what it is about: the machines counted in passing,
    # the 뜻 of "무슨 뜻이에요?", the 차이 of "차이가 뭐예요?" (not a case's "매일 밤 차이를 비교"),
    # the 먼저 of "뭘 먼저 해요?"
    first_step = asks_first_step(question)
    phrasing = (_plant_size_terms(question) | (_MEANING_WORDS if meaning else frozenset())
                | (_DIFFERENCE_WORDS if comparison else frozenset()) | (_FIRST_WORDS if first_step else frozenset())
                | _COUNTER_WORDS)  # the 프로 of "몇 프로 나와요?": how a count is asked, no topic
    asked = Asked(
        text=question, qtype=qtype, weights=_bridged_weights({t: idf(t) for t in q_terms if t not in phrasing}, idf),
        first_step=first_step, cautions=asks_about_cautions(question),
        difficulties=asks_about_difficulties(question), case=bool(_ASKS_CASE.search(question)),
        situation=bool(_ASKS_SITUATION.search(question)), frequency=asks_frequency(question),
        month=bool(_ASKS_MONTH.search(question)),
        foreign=foreign, formula=bool(_ASKS_FORMULA.search(_FORMULA_AS_SETTING.sub(' ', question))),
        definition=definition, money=money, cost=money and asks_cost(question),
        defined=_defined_thing(question) if definition else frozenset(),
        own_figures=bool(_OWN_FIGURE.search(question)), comparison=comparison, count=asked_count(question),
        where_to_start=asks_where_to_start(question), numbered=numbered_names(question, set(q_terms)),
        per=next((fits for asks, fits in _PERIODS if asks.search(question)), None) if qtype == QType.how_much else None,
    )
    asked.sections = wanted_sections(asked)
    return asked


def _bridged_weights(weights: dict[str, float], idf: Callable[[str], float]) -> dict[str, float]:
    """An owner's word no source uses ("레벨") hands its weight to the sources' word for it (수준),
    which the question's terms hold beside it: no line can say the owner's word, and the rare
    word's weight would otherwise go to lines that share the question's other words."""
    out = dict(weights)
    known = known_by(idf)
    for term, weight in weights.items():
        if bridged_only(term, known) and (said := [w for w in source_words(term) if w in out]):
            del out[term]
            for word in said:
                out[word] = max(out[word], weight)
    return out


def wanted_sections(asked: Asked) -> re.Pattern[str] | None:
    """The headings of the sections that hold what the question asks: what it cost for money,
    what was done for "뭐부터 해야 돼요?", the diagnosis for "왜". A question about a case's
    effect is served by its outcome already (`_penalty`)."""
    if asked.money:
        return _MONEY_SECTION
    if asked.case:
        return None
    if asked.first_step:
        return _PLAN_SECTION
    if asked.qtype == QType.how:
        return _ACTION_SECTION
    if asked.qtype == QType.why:
        return _CAUSE_SECTION
    return None


def _defined_thing(question: str) -> frozenset[str]:
    """"고객사에서 PPM 관리하라는데 PPM이 정확히 뭐예요?" asks what PPM is, whatever else it says."""
    match = _DEFINED_THING.search(question)
    if match is None:
        return frozenset()
    (terms,) = morphemes_many([match.group(1)], cache=True)
    return frozenset(t for t in terms if t not in STOP_TERMS)


def units_in_context(chunk: Chunk, sentences: list[list[str]] | None = None) -> list[tuple[prose.Unit, str]]:
    """The chunk's units (sentence, list item, table row), each with what it is about: its
    section's own heading and the inline section it sits under. `sentences` is the chunk's
    Kiwi split when it is known (stored at ingest)."""
    units = prose.units_of_chunk(
        chunk.text, sentences if sentences is not None else sentences_of_chunk(chunk.text),
        table_header=chunk.metadata.get("table_header"), section=chunk.metadata.get("section"),
    )
    heading = own_heading(chunk.heading)
    return [(unit, " > ".join(p for p in (heading, unit.section, unit.step) if p)) for unit in units]


def scoring_texts(chunk: Chunk) -> list[str]:
    """Every text the relevance model may read for this chunk: each line in its context, and
    the title of each list in it. Ingest embeds these ahead, so answering encodes only the
    question."""
    lines = units_in_context(chunk)
    texts = [_in_context(context, unit.text) for unit, context in lines]
    texts += dict.fromkeys(list_title(chunk.title, context, unit.text) for unit, context in lines
                           if unit.run is not None and unit.kind in ("item", "row"))
    return texts


def stored_units(chunk: Chunk, analysis: str | None = None) -> list[tuple[prose.Unit, str]]:
    """`units_in_context` of the chunk, split as ingest stored it (`analysis`) so that its Kiwi
    split is not redone (redone when there is none)."""
    return units_in_context(chunk, _stored_split(analysis))


def line_texts(chunk: Chunk, analysis: str | None = None) -> list[str]:
    """Each line of the chunk in its context, as the relevance model reads it (`analysis`: what
    ingest stored of the chunk)."""
    return [_in_context(context, unit.text) for unit, context in stored_units(chunk, analysis)]


def line_analysis(chunk: Chunk, sentences: list[list[str]] | None = None, *,
                  terms: Callable[[list[str]], list[list[str]]] = morphemes_many) -> str:
    """What the composer reads of this chunk, analysed once (ingest stores it): the Kiwi split
    of its text (`sentences` when the caller knows it) and the terms of every text `collect`,
    `clean` and `_shape` give the analyser, as JSON. Answering then analyses only the question."""
    split = sentences if sentences is not None else sentences_of_chunk(chunk.text)
    texts = [chunk.title]
    for unit, context in units_in_context(chunk, split):
        texts += [unit.text, context, context.split(" > ")[-1]]
        texts += [m.group(1) for m in (_LABELLED.match(unit.text), _DEFINITION.match(unit.text)) if m]
    texts = list(dict.fromkeys(texts))  # "" too: a line with no heading has an empty context
    analysed = {t: " ".join(ts) for t, ts in zip(texts, terms(texts), strict=True)}
    return json.dumps({"sentences": split, "terms": analysed}, ensure_ascii=False)


def _stored_split(raw: str | None) -> list[list[str]] | None:
    """A stored analysis read back: its terms go to the analyser's cache, its split is returned
    (None when there is none, or it cannot be read: the chunk is analysed as it is asked)."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
        split = [[str(s) for s in line] for line in data["sentences"]]
        remember_terms({str(t): str(ts).split() for t, ts in data["terms"].items()})
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return split


def collect(hits: list[Hit], analyses: Mapping[str, str] | None = None) -> list[Candidate]:
    """Every unit (sentence, list item, table row) of the hits, with what it is about.
    `analyses` holds what ingest stored of the chunks (`line_analysis`), by chunk id."""
    out: list[Candidate] = []
    for hi, hit in enumerate(hits):
        split = _stored_split(analyses.get(hit.chunk.chunk_id)) if analyses else None
        for unit, context in units_in_context(hit.chunk, split):
            out.append(Candidate(hi, unit, context, hit.chunk.title))
    terms = morphemes_many([c.unit.text for c in out], cache=True)
    contexts = morphemes_many([c.context for c in out], cache=True)
    for cand, ts, cs in zip(out, terms, contexts, strict=True):
        cand.terms, cand.context_terms = set(ts), set(cs)
    return out


def own_heading(heading: str | None) -> str:
    """The section's own heading (the path without the document title)."""
    parts = [p.strip() for p in (heading or "").split(">") if p.strip()]
    return parts[-1] if len(parts) > 1 else ""


def clean(candidates: list[Candidate], asked: Asked) -> list[Candidate]:
    """Drop what cannot answer: questions (they lend their match to the next line),
    restatements, fragments, signposts, complaints and quotes; label lines a heading gives a meaning."""
    kept: list[Candidate] = []
    asked_terms = set(asked.weights) | STOP_TERMS
    lend: dict[tuple[int, int], Candidate] = {}
    for cand in candidates:
        text, unit = cand.unit.text, cand.unit
        if unit.names_step and asked.qtype != QType.list:
            continue  # "2) 신청 (마감까지)" names the step its items below say; alone it answers nothing
        if _QUESTION_LINE.search(text):
            lend[(cand.hit_index, unit.position + 1)] = cand
            continue
        short = len(text) < (2 if unit.kind in ("item", "row") else _MIN_CHARS)
        if (short or not (cand.terms - asked_terms) or prose.is_lead_in(text) or _names_title(cand, asked_terms)
                or prose.is_signpost(text, cand.section) or prose.introduces_example(text)):
            continue
        if not asked.difficulties and (prose.is_complaint(text, cand.context) or prose.is_quoted_speech(text)):
            continue
        cand.caution = prose.caution_label(cand.context)
        cand.retells_problem = not (asked.situation or asked.case) and bool(_SITUATION_SECTION.search(cand.section))
        bare = unit.kind in ("item", "row") or not _FINITE.search(text)
        cand.label = cand.caution if cand.caution and bare and prose.needs_label(text, cand.caution, unit.item_label) else None
        if cand.label is None and _bare_reply(cand):
            cand.label = unit.section  # "공급기업을 바꿔야 하나요? 꼭 그렇지는 않습니다": not a yes to any question
        if cand.label is None and unit.item_label:
            cand.label = unit.item_label  # "A 품목: 주 단위로 재고를 보고 …", as its item says
        kept.append(cand)
    for cand in kept:
        if cand.key in lend:
            cand.follows_question = asked.overlap(lend[cand.key].terms)
    return kept


def mark_off_topic(candidates: list[Candidate], hits: list[Hit], asked: Asked,
                   share: float = OFF_TOPIC_SHARE) -> None:
    """Mark the lines of chunks that share less than `share` of what the best read chunk shares
    with the question (idf-weighted): "랜섬웨어 돈 주면 풀어주긴 하나요" is about ransomware,
    and a subsidy FAQ that only shares "돈" should not answer it, however its lines read."""
    named = morphemes_many([t for h in hits for t in (h.chunk.title, own_heading(h.chunk.heading))], cache=True)
    shared = [asked.overlap(set(h.chunk.terms) | set(named[2 * i]) | set(named[2 * i + 1])) for i, h in enumerate(hits)]
    best = max(shared, default=0.0)
    for cand in candidates:
        cand.off_topic = best > 0 and shared[cand.hit_index] < share * best


def _bare_reply(cand: Candidate) -> bool:
    """A short reply that means something only under its document's own question ("꼭 그렇지는
    않습니다.", "처음에는 필요 없습니다." under "Q. …?")."""
    return prose.is_question(cand.unit.section or "") and len(cand.unit.text) <= _BARE_REPLY_CHARS


def _names_title(cand: Candidate, asked_terms: set[str]) -> bool:
    """"회사: (주)덴탈브릿지" under the profile of (주)덴탈브릿지: a labelled value that is only
    the document's own title (and the question's words) tells the owner nothing."""
    match = _LABELLED.match(cand.unit.text)
    if not match or not cand.title:
        return False
    value, title = map(set, morphemes_many([match.group(1), cand.title], cache=True))
    return bool(value & title) and value <= title | asked_terms


def _cheap(cand: Candidate, asked: Asked) -> float:
    """Words shared with the question (the line's own, and with its heading, which says
    what an elided subject is), the answer's shape for this type of question, the chunk's rank."""
    own = asked.overlap(cand.terms)
    with_heading = max(asked.overlap(cand.terms | cand.context_terms), cand.follows_question)
    if cand.unit.position == 0 and cand.context:
        own = max(own, 0.8 * with_heading)  # a section's first sentence is about its heading
    cand.shape = _shape(cand, asked)
    return 0.35 * own + 0.3 * with_heading + 0.25 * cand.shape + 0.1 / (cand.hit_index + 1)


# "한달에 얼마 내야돼요": an amount by the month answers, not a cap or a total; "1년에 얼마": by the year
_PERIODS = (
    (re.compile(r"한\s*달에?|매\s*달|매월|월에|월\s*(?:얼마|몇)"), re.compile(r"월\s*\d|매월|매달|한\s*달|/\s*월|월간|월\s*\S{0,4}료")),
    (re.compile(r"(?:1|일|한)\s*년에|한\s*해에|매년|연간|연\s*(?:얼마|몇)"),
     re.compile(r"연\s*\d|연간|매년|(?:1|한)\s*년에|/\s*년|연\s*\S{0,4}(?:료|비|이자)")),
)


def _shape(cand: Candidate, asked: Asked) -> float:
    unit = cand.unit
    if asked.per is not None and not asked.per.search(unit.text):
        return 0.0  # "한달에 얼마": "정부 지원 한도: 기업당 최대 2,000만 원" is no monthly amount
    if asked.case and _RESULT.search(unit.text):
        return 1.0  # "what did it change" is answered by a figure that moved
    if asked.month:
        return 1.0 if _STATES_MONTH.search(unit.text) else 0.0
    if asked.frequency:
        return 1.0 if states_frequency(unit.text) else 0.0  # "매주", "분기마다", not "6개월 이상"
    if asked.formula and prose.states_formula(unit.text):
        return 1.0  # "어떻게 계산해요?" is answered by the formula
    if asked.first_step and (opens_steps(cand) or says_where_to_start(cand)):
        return 1.0
    if asked.qtype == QType.what and unit.kind == "sentence":
        if defines_asked(cand, asked):
            return 1.0  # "설비종합효율(OEE)은 … 지표입니다" says what the asked thing is
        if defines(cand.context) and " > " not in cand.context:
            return 1.0 if unit.position == 0 else 0.6  # "지방비 매칭이란" says what it is
    return fit(asked.qtype, unit.text, first_step=asked.first_step, money=asked.money, cost=asked.cost)


def opens_steps(cand: Candidate) -> bool:
    """The first of a numbered list of steps ("1. 즉시 대응(1주): 감염 장비 네트워크 분리, …")."""
    unit = cand.unit
    return unit.kind == "item" and unit.run == unit.line and prose.marker_kind(unit.raw) == "num"


def says_where_to_start(cand: Candidate) -> bool:
    """"… 현장 실적과 불량을 모른다면 MES부터", "기초 MES부터 시작하는 경우가 많습니다"."""
    return bool(_SAYS_WHERE_TO_START.search(cand.unit.text))


def defines_asked(cand: Candidate, asked: Asked, *, opening: bool = False) -> bool:
    """A sentence whose topic ("X은/는/이란 …") is what the question asks about and that
    ends the way a definition does; or, under a heading that names it ("### 8D 보고서"), a
    sentence with no topic of its own that says what it is ("여덟 단계로 … 기록하는 양식입니다.");
    with `opening`, also the statement that opens such a section."""
    text = cand.unit.text
    match, ends_as_definition = _DEFINITION.match(text), _DEFINITION_END.match(text)
    # with `opening`, a section's opening statement under a heading that names the thing ("## ABC
    # 분석": "연간 사용 금액 기준으로 품목을 나눕니다.") says what it is, whatever verb it ends on
    opens_section = opening and cand.unit.position == 0 and bool(_STATEMENT_END.search(text))
    if not (match or ends_as_definition or opens_section):
        return False  # most lines: no need to ask Kiwi for their topic
    topic_named = has_topic(text)  # "기록하는 양식입니다" has no topic: its 는 is an ending
    if match and topic_named:
        (topic,) = morphemes_many([match.group(1)], cache=True)  # the composer meets the same lines again
        named = bool(asked.defined) and asked.defined <= set(topic) <= set(asked.weights) | STOP_TERMS
        return named or asked.overlap(set(topic)) >= 0.5
    if not (ends_as_definition or opens_section) or not cand.context or topic_named:
        return False
    (heading,) = morphemes_many([cand.section], cache=True)
    heading_names = set(heading) - STOP_TERMS
    if (thing := asked.defined & set(asked.weights)) and not thing <= set(heading):
        return False  # "8D 보고서에서 D4가 뭐에요?": a sentence under "8D 보고서" says what 8D is, not D4
    # the heading names the thing in the question's words ("8D 보고서" for "8D 리포트 이게 뭐에요")
    return asked.overlap(set(heading)) >= 0.5 or (bool(heading_names) and heading_names <= set(asked.weights))


_NAMED_LABEL = re.compile(r"^([^:：]{1,20})[:：]\s*\S")


def labels_asked(cand: Candidate, asked: Asked) -> bool:
    """A line labelled with the thing a "what is it" question names, that says what it is:
    "예지보전(상태 기준): 센서로 설비 상태를 계속 보다가 이상 징후가 보일 때 정비한다." """
    match = _NAMED_LABEL.match(cand.unit.text)
    if match is None or not asked.defined:
        return False
    (label,) = morphemes_many([match.group(1)], cache=True)
    return asked.defined <= set(label)  # "수준 1~2 얼라이언스: …" says what an 얼라이언스 is, by a kind of it


def score(candidates: list[Candidate], asked: Asked, scorer: SentenceScorer | None, pool: int) -> list[Candidate]:
    """Cheap features for all; the relevance model for the best `pool` (each line read with
    its heading, as the document means it); best first."""
    for cand in candidates:
        cand.score = _cheap(cand, asked) * _penalty(cand, asked)
    ranked = sorted(candidates, key=lambda c: -c.score)[: len(candidates) if asked.foreign else pool]
    if scorer is not None and ranked:
        rel = spread(scorer.score(asked.text, [in_context(c) for c in ranked]))
        weight = FOREIGN_RELEVANCE_WEIGHT if asked.foreign else RELEVANCE_WEIGHT
        for cand, r in zip(ranked, rel, strict=True):
            cand.related = float(r)
            cand.score = (1 - weight) * cand.score + weight * cand.related * _penalty(cand, asked)
        ranked.sort(key=lambda c: -c.score)
    return ranked


def in_context(cand: Candidate) -> str:
    return _in_context(cand.context, cand.unit.text)


def _in_context(context: str, text: str) -> str:
    return f"{context}: {text}" if context else text


def list_title(title: str, context: str, first_item: str) -> str:
    """What a list is, as the document says it: its title, heading and section."""
    return " > ".join(p for p in (title, context) if p) or first_item


def spread(values: np.ndarray) -> np.ndarray:
    """Min-max over the candidates (cosines of different models live on different scales),
    over at least 0.15 of cosine so that a few near-equal candidates are not pulled apart."""
    hi = float(values.max())
    lo = min(float(values.min()), hi - 0.15)
    return (values - lo) / (hi - lo)


def _penalty(cand: Candidate, asked: Asked) -> float:
    factor = OFF_TOPIC if cand.off_topic else 1.0
    if cand.caution and not asked.cautions and asked.qtype != QType.yes_no:
        factor *= 0.7  # a "what not to do" line is not a recommendation
    if _NOTE_LINE.match(cand.unit.raw):
        factor *= 0.6  # "※ 금액은 예시입니다" notes rarely answer
    elif not asked.cautions and _CAVEAT_LINE.match(cand.unit.text):
        factor *= 0.8  # "주의: 제조사가 PLC를 잠가 두었을 수 있습니다" qualifies an answer, it is not one
    if _DEPENDENT.match(cand.unit.text):
        factor *= 0.8
    # what one plant did answers "what happened", not "what is the rule"; but an FAQ's answer with the
    # figure its question asks ("이미지 몇 장 …?": "석 달 동안 모은 약 18만 장 …") answers it
    if not asked.case and _PAST.search(cand.unit.text) and not (_QUESTION_LINE.search(cand.section) and (asked.qtype != QType.yes_no or cand.shape >= 1.0)):
        factor *= 0.85
    if _EXAMPLE_LINE.match(cand.unit.raw):
        factor *= 0.8  # "예) 기초 과제, 총사업비 1억 원" introduces a worked example, it does not answer
    elif not asked.own_figures and _WORKED_EXAMPLE.search(cand.context):
        factor *= 0.85  # a step of a worked example ("→ 정부 2억 원, 기업 3억 원") is one case, not the rule
    if asked.numbered:
        factor *= NAMED_NUMBER ** names_number(cand, asked)  # "레벨3": 수준 3, not 수준 4
    section = cand.section
    if asked.sections is not None and asked.sections.search(section):
        factor *= WANTED_SECTION  # "얼마 들었어요?" is answered under 비용, "뭐부터?" under 로드맵
    if asked.case and (_OUTCOME_SECTION.search(section) or _RESULT.search(cand.unit.text)):
        factor *= 1.15  # "줄인 사례 있어요?" is answered by the outcome
    elif is_problem_section(section) and not asked.situation:
        factor *= 0.8  # a plant's problem as it was, told back to an owner who has the same one, answers nothing
    return factor
