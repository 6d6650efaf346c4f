"""What shape of answer a question wants (how much, when, who, where, how, why, yes/no, list,
what), and how well a sentence has that shape: an amount for "얼마", a date for "언제"."""

from __future__ import annotations

import re
from enum import StrEnum


class QType(StrEnum):
    how_much = "how_much"
    when = "when"
    who = "who"
    where = "where"
    how = "how"
    why = "why"
    yes_no = "yes_no"
    list = "list"
    what = "what"


# "how often" is asked, and answered, in these words (a "when" question of its own kind)
_HOW_OFTEN = r"얼마\s*나?\s*자주|자주\s*(해|하|했|세|재|점검|교체|백업)|몇\s*번|빈도|주기|how\s+often"
_EVERY = r"매(일|주|월|년|분기|번|시간)|마다|주기|분기|수시로|정기"

# checked in order: the first that matches names the question's type
_ASKS: tuple[tuple[QType, re.Pattern[str]], ...] = (
    (QType.list, re.compile(
        r"뭐\s*(뭐|챙기|챙겨|준비|필요|가져)|무엇\s*무엇|어떤\s*(것|거|서류|항목|게)들|(서류|준비물|항목|조건|요건|혜택|종류)"
        r"\S{0,3}\s*(뭐|무엇|어떤|뭘)|(뭘|무엇을|뭐)\s*(챙겨|준비|내야|제출)|챙겨야|목록(?!에)|리스트(?!에)|체크\s*리스트"
        r"|(절차|순서|단계|과정|흐름)\S{0,2}\s*(가|는|이|은)?\s*(어떻게|뭐|무엇|어떤)|종류|what\s+documents|steps"
        r"|(실수|사유|이유|조건|요건|장점|혜택|서류)\S{0,2}\s*(가|는|이|은|로)?\s*(주로\s*)?(뭐|무엇|뭔|어떤|있)"
        r"|(뭐|무엇|어떤\s*(것|거|게))(가|이|들이)?\s*있"  # "현물로 낼 수 있는 건 뭐가 있어요?": its instances
        r"|(무슨|어떤)\s*(서류|준비물|증빙)"  # "신청할 때 무슨 서류 내야 돼요?"
        r"|(뭐|뭘|무엇을)\s*(보는지|봐요|보나요|봐야|확인해|확인하나|점검해|점검하나|물어보|물어봐|묻나|검사해|체크해)"  # "최종점검 때 뭐 보는지"
        r"|(뭘|무엇을|어떤\s*(걸|것을|거))\s*(\S{1,8}\s*)?수\s*있",  # "현물로는 뭘 인정받을 수 있어요?": its instances
        re.I)),
    (QType.why, re.compile(r"왜|이유|까닭|원인|어째서|\bwhy\b", re.I)),
    (QType.when, re.compile(
        _HOW_OFTEN + r"|언제|마감|기한|시기|며칠|몇\s*(월|일|년|개월|달|주|시)|얼마\s*(나|만에)\s*(걸|기간)|얼마\s*만에|유효\s*기간"
        r"|기간(이|은)?\s*(얼마|몇|어떻게)|일정|\bwhen\b|deadline|how\s+long|how\s+many\s+(days|weeks|months|years)"
        r"|\bperiod\b", re.I)),
    (QType.how_much, re.compile(
        r"얼마|몇\s*(%|퍼센트|프로|원|만|억|배|개|명|대|점|군데|곳|가지|회|차례|년|개월|페이지|쪽|장|분|시간)|어느\s*정도|얼만큼"
        r"|금액|비율|한도|최대|최소|비용|가격|예산|금리|이자|요율"
        r"|퍼센트|\bhow\s+(much|many)\b|\bcosts?\b|\brate\b|\blimit\b|\bmaximum\b|\bminimum\b|\bpercent|\binterest\b",
        re.I)),
    (QType.where, re.compile(r"어디|어느\s*\S{0,6}?(곳|기관|사이트|테크노파크|부서|지역)|창구|장소|\bwhere\b", re.I)),
    (QType.who, re.compile(r"누가|누구|어느\s*(회사|업체|분)|담당\s*(기관|자)|주관|\bwho\b", re.I)),
    (QType.how, re.compile(
        r"어떻게|어떡|방법|하려면|하나요\?*$|뭐\s*부터|무엇\s*부터|(?:어느|어떤)\s*\S{1,6}?\s*부터|먼저|계산|구하|어떤\s*(식|방식)으로"
        r"|(뭘|뭐를?|무엇을)\s*\S{0,4}?(해야|하면|할까)|\bhow\b", re.I)),  # "3년 동안 뭘 해야 돼요?": what to do
    (QType.yes_no, re.compile(
        r"(나요|까요|니까|되나|돼요|돼\?|되요|될까|있어요|있나|없나|없어요|가능|괜찮|괜찮아요|맞나|맞아요|해도|받아도|인가요|는지)\s*[?？]*\s*$"
        r"|^(can|is|are|do|does)\b", re.I)),
)

_FREQUENCY_ASK = re.compile(_HOW_OFTEN, re.I)
_FREQUENCY_FIT = re.compile(_EVERY + r"|매교대|(하루|주|월|연)\s*\d+\s*(회|번)")
_FIRST_STEP = re.compile(r"뭐\s*부터|무엇\s*부터|먼저|처음|첫\s*단계|시작")
# of those, the ones that ask where to start ("뭐부터 해야돼요?", "뭘 먼저 해요?"), not "처음 해 봤더니",
# "수집을 시작했더니"
_WHERE_TO_START = re.compile(r"(?:뭐|무엇|뭘|어디|(?:어느|어떤)\s*\S{1,6}?)\s*(?:부터|먼저)|먼저\s*(?:해야|할|하나|하는)")
# "그거 안 내면 어떻게 돼요?", "목표 못 채우면요?": what goes wrong when it is not done is asked too
_CAUTION_ASK = re.compile(r"하면\s*안|안\s*되는|주의|조심|실수|반려|탈락|떨어|금지|위험|문제|환수|감점|하지\s*말|피해야"
                          r"|(?:안|못)\s*\S{1,5}면|않으면|없으면\s*(?:어떻|어떡)")
_DIFFICULTY_ASK = re.compile(r"어려움|어려운|힘든|힘들|막히|애로|고충|고민|불만|문제점")

# a figure as the sources write it, Korean units of ten thousand and more included ("3만 개", "5천만 원")
_AMOUNT = r"\d[\d,.]*\s*(?:[십백천만억]\s*)*"

# "직원 수 하한은 없지만": no figure is the answer to "최소 몇 명?"
NO_LIMIT = r"(?:하한|상한|제한|한도)\S{0,2}\s*없(?:습니다|어요|음|지만|고|으며|으나)"

# what an answering sentence of each type usually contains
_FITS: dict[QType, re.Pattern[str]] = {
    QType.how_much: re.compile(_AMOUNT + r"(만\s*원|억|원|%p?|퍼센트|배|개|명|인(?![가-힣])|PPM|대|곳|군데|건|점|시간|회|장|벌|쪽|페이지)"
                               r"|무료|전액|절반|" + NO_LIMIT),  # "직원 수 하한은 없습니다"
    QType.when: re.compile(
        r"\d+\s*(월|일|년|개월|주|시간|영업일|분기|시)(?!치|분)|월\s*(초|말|중순)|이내|까지|이후|이전|직후|마감|기한|연\s*\d"
        r"|" + _EVERY),
    QType.who: re.compile(r"추진단|테크노파크|공단|센터|기관|중기부|중소벤처기업부|지자체|공급기업|멘토|전문가|담당|위원|대표|전담자|협회"),
    QType.where: re.compile(r"홈페이지|사이트|누리집|시스템|센터|테크노파크|창구|온라인|방문|에서\s*(신청|접수|받)|으로\s*신청"),
    # an instruction or a procedure ("합니다" alone ends half the sentences of any document)
    QType.how: re.compile(r"먼저|다음|단계|순서|방법|계산식|[=×÷]|하세요|하면\s*됩니다|나눈|곱한|뺀"),
    QType.why: re.compile(r"때문|이유|위해|므로|니까|원인|탓|해서|라서"),
    QType.yes_no: re.compile(r"가능|불가|수\s*있습니다|수\s*없습니다|됩니다|안\s*됩니다|없습니다|아닙니다|인정|해당|^네|^아니요"
                             r"|필요합니다|필요\s*없|필수|(?:해|받아|내야|있어)야\s*합니다"),  # "받아야 돼요?": whether it is required
    QType.list: re.compile(r"."),
    QType.what: re.compile(r"(제도|것|곳|사업|일|뜻|말|방식|모임|협의체|기관|지표)입니다[.]?$|말합니다|뜻합니다|의미합니다"),
}


# a question with no question word that ends asking "is it so?" wants a yes or a no, whatever it
# mentions on the way ("예지보전 하려면 AI 꼭 있어야돼요?", "1차에서 떨어지면 올해는 끝난거예요?")
_WH = re.compile(r"뭐|무엇|뭘|뭔|어떻|어떤|어떡|얼마|언제|어디|누가|누구|왜|몇|며칠|어느|무슨"
                 r"|\b(how|what|when|where|who|why|which)\b", re.I)
_ASKS_IF_SO = re.compile(r"(나요|까요|니까|되나|돼요|되요|될까|있어요|있나|없나|없어요|괜찮|괜찮아요|맞나|맞아요|해도|받아도|인가요"
                         r"|거예요|거에요|건가요|거임|건지|겠죠|되죠|맞죠|있죠|없죠|하죠|인가|야\s*돼요|야\s*되나)\s*[?？]*\s*$")


# "MES가 뭔지 잘 모르겠어요", "예지보전이 뭔지 설명 좀 해 주세요": a what-is question put as a
# statement, whose 모르다 and 설명 are not what it is about
_NOT_KNOWING = re.compile(r"(?:뭔지|무엇인지|뭐인지)\s*(?:(?:잘|정확히|좀|도통|전혀)\s*)*"
                          r"(?:모르겠\S*|몰라\S*|모릅니다|궁금\S*|알려\s*주\S*|알려줘\S*|설명\s*(?:좀\s*)?해\s*주\S*"
                          r"|설명\s*좀\S*|설명\s*부탁\S*)[.?？!~ㅠㅜ]*\s*$")


def as_question(text: str) -> str:
    """The question a statement puts ("MES가 뭔지 잘 모르겠어요" asks "MES가 뭐예요?"); any
    other text as it is."""
    return _NOT_KNOWING.sub("뭐예요?", text)


# where a question's last clause begins: "체납이 몇십만원밖에 안되는데 | 그래도 안돼요?"
_CLAUSE_END = re.compile(r"(?:는데|은데|인데|던데|니까|지만|[.,!~]|ㅠ+|ㅜ+)\s+")


# a statement after the question that gives its reason ("공급기업 바꿔야 할까요? 제안서가 좀
# 이상해서요"): the question is the sentence that ends asking
_AFTERTHOUGHT = re.compile(r"[?？]\s*([^?？]+?)\s*$")


def question_type(text: str) -> QType:
    if (after := _AFTERTHOUGHT.search(text)) and not _WH.search(after.group(1)) and not _ASKS_IF_SO.search(after.group(1)):
        text = text[: after.start() + 1]
    if _ASKS_IF_SO.search(text) and not _WH.search(text):
        return QType.yes_no
    for qtype, pattern in _ASKS:
        if pattern.search(text):
            # "계약서에 뭐 넣어야돼요?" ends as a yes-or-no question does but asks what: a question
            # word in its last clause says so ("몇십만원밖에 안되는데 그래도 안돼요?" asks if it is so)
            if qtype == QType.yes_no and _WH.search(_CLAUSE_END.split(text)[-1]):
                break
            return qtype
    return QType.what


def asks_frequency(text: str) -> bool:
    """"얼마나 자주", "몇 번", "주기": answered by how often, not by any date or duration."""
    return bool(_FREQUENCY_ASK.search(text))


def states_frequency(sentence: str) -> bool:
    return bool(_FREQUENCY_FIT.search(sentence))


def asks_first_step(text: str) -> bool:
    return bool(_FIRST_STEP.search(text))


def asks_where_to_start(text: str) -> bool:
    return bool(_WHERE_TO_START.search(text))


def asks_about_cautions(text: str) -> bool:
    """Does the question ask what not to do, what goes wrong, why one is rejected?"""
    return bool(_CAUTION_ASK.search(text))


def asks_about_difficulties(text: str) -> bool:
    return bool(_DIFFICULTY_ASK.search(text))


_DEFINING_HEADING = re.compile(r"이?란\??$|뜻|무엇|뭔가|어떤\s*\S+인가|개요")


def defines(context: str) -> bool:
    """Is this the section that says what something is ("지방비 매칭이란")?"""
    return bool(context) and bool(_DEFINING_HEADING.search(context.split(" > ")[0]))


# "얼마 들어요", "한도가 얼마", "support limit": money is asked, and a count or a duration
# ("2~4개월") is not its answer
_MONEY_ASK = re.compile(r"돈|비용|사업비|금액|가격|예산|한도|지원금|부담금|자부담|얼마\s*(?:정도|쯤|씩|나)?\s*(들|내|줘|드|받|나가|나와|해요|까지\s*지원)|몇\s*(원|만|억)"
                        r"|\b(cost|price|budget|limit|won|fee)s?\b|how\s+much", re.I)
_MONEY_FIT = re.compile(_AMOUNT + r"(만\s*원|억|원|%p?|퍼센트)|무료|전액|절반")


_COST_ASK = re.compile(r"얼마\S*\s*(?:정도\s*|쯤\s*)?(?:들|드)|비용|사업비\S{0,2}\s*(?:는|은)?\s*얼마|가격|견적|\bcosts?\b|\bprice", re.I)
_COST_FIT = re.compile(_AMOUNT + r"(만\s*원|억|원)|무료")


def asks_cost(text: str) -> bool:
    """"MES 넣으면 얼마 들어요?": what something costs, not a share of it."""
    return bool(_COST_ASK.search(text))


def asks_money(text: str) -> bool:
    return bool(_MONEY_ASK.search(text))


def fit(qtype: QType, sentence: str, *, first_step: bool = False, money: bool = False, cost: bool = False) -> float:
    """1.0 when the sentence has the shape of an answer to this type of question, else 0
    (0.5 for a sentence that only says something comes first). `money`: the question asks an
    amount of money, which only a sum, a share or "무료" answers; `cost`: what something costs
    ("얼마 들어요?"), which a sum answers and a share ("가동률 41%") does not."""
    if first_step and re.search(r"먼저|우선|처음|첫|1단계|시작", sentence):
        return 0.5
    if money and qtype == QType.how_much:
        return 1.0 if (_COST_FIT if cost else _MONEY_FIT).search(sentence) else 0.0
    return 1.0 if _FITS[qtype].search(sentence) else 0.0


# "몇 명까지?", "몇 군데?", "몇 번 와요?": the counter asked, and how the sources write a count of it
_ASKED_COUNTER = re.compile(r"몇\s*(명|대|곳|군데|개(?!월)|번|회|건|개월|달|주(?!기)|년|시간|분|장|배|점|프로|퍼센트|%|페이지|쪽)")
_ANY_COUNT = "개(?!월)|곳|군데|가지|대|명|건|장|벌|종|번|회"
_COUNTERS = {"명": "명", "대": "대", "곳": _ANY_COUNT, "군데": _ANY_COUNT, "개": _ANY_COUNT, "번": "번|회", "회": "회|번",
             "건": "건", "개월": "개월|달", "달": "개월|달", "주": "주", "년": "년", "시간": "시간", "분": "분",
             "장": "장", "배": "배", "점": "점", "프로": "%|퍼센트", "퍼센트": "%|퍼센트", "%": "%|퍼센트",
             "페이지": "쪽|페이지", "쪽": "쪽|페이지"}


def asked_count(text: str) -> re.Pattern[str] | None:
    """A count of the counter the question asks ("채용지원 몇명까지?": "기업당 최대 2명"), which a
    number of another counter does not answer ("채용 후 6개월 이상"); "몇 개" is any count ("19곳",
    "840장"), not a time or a sum."""
    match = _ASKED_COUNTER.search(text)
    if match is None or asks_money(text):
        return None  # "얼마 들었고 몇 프로였어요?" asks a sum too
    return re.compile(_AMOUNT + rf"(?:{_COUNTERS[match.group(1)]})")

