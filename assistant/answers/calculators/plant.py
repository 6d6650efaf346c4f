"""Plant figures from the owner's own numbers: OEE and its parts, PPM, inventory accuracy,
safety stock and the reorder point.

The formulas are the ones the knowledge states (policies/oee.md,
policies/quality-defect-records.md, policies/inventory-management.md).
"""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.answers.calculators.numbers import Quantity, all_labelled, labelled, percent, plain, quantities
from assistant.answers.calculators.result import Calculation, ask_for

OEE_DOC = "policies/oee.md"
PPM_DOC = "policies/quality-defect-records.md"
INVENTORY_DOC = "policies/inventory-management.md"
INVENTORY_TARGET = Decimal("0.95")

# "성능 얼마나 나오는 거예요?" with a cycle time and a count is the performance rate
OEE_TOPIC = re.compile(r"OEE|설비\s*종합\s*효율|가동률|성능\s*(?:가동률|효율)|양품률|성능\s*(?:이|은)?\s*(?:얼마|몇)", re.I)
PPM_TOPIC = re.compile(r"PPM|불량률", re.I)
SAFETY_STOCK_TOPIC = re.compile(r"안전\s*재고|발주\s*점|재주문\s*점|safety\s*stock|reorder\s*point", re.I)
INVENTORY_TOPIC = re.compile(r"(?:재고|실사|장부).{0,40}(?:정확도|일치율|정확성)|장부.{0,12}실물|실물.{0,12}장부")

_LOADING = re.compile(r"부하\s*시간|계획\s*(?:(?:가동|생산)\s*)?시간|loading\s*time", re.I)  # "계획시간 9600분"
_SHIFT = re.compile(r"근무(?:\s*시간)?")
_PLANNED_STOP = re.compile(r"계획\s*(?:정지|휴지)|조회|청소|점심|휴식")
_STOP = re.compile(r"(?<!계획)(?<!계획\s)(?:비가동|정지|고장|다운\s*타임|셋업|금형\s*교체|(?:자재\s*)?대기)(?:\s*시간)?", re.I)
_RUNNING = re.compile(r"(?<![비부하])(?<!부하\s)(?:가동\s*시간|(?:실제|실)\s*가동(?!률))")  # "실제 가동 400분"
_RAN = re.compile(r"돌(?:려|리|면서|았|아|고|린)|운전(?:했|하면서|해서)|가동(?:했|하면서|해서)")  # "400분 돌면서"
_CYCLE = re.compile(r"(?:이론\s*)?(?:사이클|싸이클|택트|C/?T)(?:\s*타임)?|cycle\s*time", re.I)
_TOTAL = re.compile(r"(?:총\s*)?(?:생산\s*(?:량|수량)|생산(?!한)|만든\s*(?:수량|개수)|투입|전체\s*수량|총\s*수량)")
_MADE = re.compile(r"만들|만든|생산했|생산한|찍었|뽑았|나와|나오|나온|나왔|밖에\s*(?:안\s*)?(?:나와|나오|나온|못)")  # verbs: the number comes first ("2000개밖에 안 나와요")
_GOOD = re.compile(r"양품(?!률)")
_BAD = re.compile(r"불량(?!률)|클레임|반품|NG", re.I)
_INSPECTED = re.compile(r"(?:총|전체|납품|생산|검사|출하)\s*(?:수량|량|한\s*(?:게|것))?")
_MATCHED = re.compile(r"(?<!불)일치(?!\s*안|하지)|(?<!안\s)(?<!안)맞(?:은|는|았)")
_MISMATCHED = re.compile(r"틀린|틀리|틀렸|틀려|달라|다르|다른|불일치|안\s*맞|일치\s*안|일치하지|차이\s*(?:난|나는)")
_COUNTED = re.compile(r"실사|전체|총|조사|장부")
_COUNTED_VERB = re.compile(r"셌|세어|세 ?봤|세 ?본|실사\s*(?:했|한|해)")  # "250품목 세어봤는데", "300품목 실사했는데": the number comes first


def _value(q: Quantity | None) -> Decimal | None:
    return q.value if q is not None else None


def _topic(word: str) -> str:
    """The topic particle 은/는 for a Korean word."""
    return "은" if (ord(word[-1]) - 0xAC00) % 28 else "는"


def _rate(ratio: Decimal) -> str:
    """A small percentage without trailing zeros: 0.07%, 0.123%."""
    return f"{(ratio * 100).quantize(Decimal('0.001')).normalize():f}%"


def _minutes(value: Decimal) -> str:
    seconds = value * 60
    if value < 1 and seconds == seconds.to_integral_value():  # a cycle time reads better in seconds
        return f"{int(seconds)}초"
    return f"{value.quantize(Decimal('0.01')).normalize():f}분"


def oee(text: str) -> Calculation:
    qs = quantities(text)
    loading = _value(labelled(text, _LOADING, ("minutes",), qs))
    shift, planned = _value(labelled(text, _SHIFT, ("minutes",), qs)), _value(labelled(text, _PLANNED_STOP, ("minutes",), qs))
    if loading is None and shift is not None:
        loading = shift - (planned or 0)
    stops = all_labelled(text, _STOP, ("minutes",), qs)
    stop = sum((q.value for q in stops), Decimal(0)) if stops else None
    cycle_q = labelled(text, _CYCLE, ("minutes",), qs)
    ran = labelled(text, _RAN, ("minutes",), qs, before_first=True)
    if ran is not None and cycle_q is not None and ran.start == cycle_q.start:
        ran = None  # "15대 돌리는데 사이클타임 20초": the cycle time is not how long they ran
    running = _value(labelled(text, _RUNNING, ("minutes",), qs) or ran)
    if loading is None and running is not None and stop is not None:
        loading = running  # "가동시간 400분 중에 비가동 50분": the time the stops are part of
        running = loading - stop
    if running is None and loading is not None and stop is not None:
        running = loading - stop
    cycle = _value(cycle_q)
    total = _value(labelled(text, _TOTAL, ("count",), qs) or labelled(text, _MADE, ("count",), qs, before_first=True))
    good = _value(labelled(text, _GOOD, ("count",), qs))
    bad = _value(labelled(text, _BAD, ("count",), qs))
    if good is None and total is not None and bad is not None:
        good = total - bad
    if total is None and good is not None and bad is not None:
        total = good + bad
    return _oee_lines(loading, running, cycle, total, good)


def _oee_lines(loading: Decimal | None, running: Decimal | None, cycle: Decimal | None,
               total: Decimal | None, good: Decimal | None) -> Calculation:
    parts: list[str] = []
    ratios: list[Decimal] = []
    if loading and running is not None:
        ratios.append(running / loading)
        parts.append(f"- 가동률 = 가동시간 {_minutes(running)} ÷ 부하시간 {_minutes(loading)} = {percent(ratios[-1])}")
    if cycle and total and running:
        ratios.append(cycle * total / running)
        parts.append(f"- 성능가동률 = 사이클 타임 {_minutes(cycle)} × 생산량 {plain(total, 0)}개 ÷ 가동시간 "
                     f"{_minutes(running)} = {percent(ratios[-1])}")
    if total and good is not None:
        ratios.append(good / total)
        parts.append(f"- 양품률 = 양품 {plain(good, 0)}개 ÷ 생산량 {plain(total, 0)}개 = {percent(ratios[-1])}")
    if loading and cycle and good is not None:
        value = good * cycle / loading
        head = f"OEE(설비종합효율)는 {percent(value)}입니다 [1]."
        formula = (f"- OEE = 양품 {plain(good, 0)}개 × 사이클 타임 {_minutes(cycle)} ÷ 부하시간 {_minutes(loading)} "
                   f"= {plain(good * cycle, 2)} ÷ {plain(loading, 2)} = {percent(value)}")
        lines = [head, *parts, formula] if len(parts) == 3 else [head, formula, *parts]
        still = [name for name, v in (("정지시간", running), ("총 생산량", total)) if v is None]
        if len(parts) < 3 and still:
            lines.append(f"가동률·성능가동률·양품률을 나눠 보려면 {'과 '.join(still)}도 알려 주세요.")
        return Calculation("OEE", lines, [OEE_DOC])
    missing = [name for name, v in (("부하시간(분)", loading), ("이론 사이클 타임", cycle), ("양품 수", good)) if v is None]
    if not parts and cycle and total and running is None:
        return _performance_needs_time(cycle, total)
    if parts:
        name, result = parts[0][2:].split(" = ")[0], parts[0].rsplit(" = ", 1)[1]
        lines = [f"{name}{_topic(name)} {result}입니다 [1].", *parts,
                 f"OEE까지 구하려면 {', '.join(missing)}도 알려 주세요."]
        return Calculation("OEE", lines, [OEE_DOC], missing)
    return ask_for("OEE", missing, "OEE = 가동률 × 성능가동률 × 양품률 = 양품 수 × 이론 사이클 타임 ÷ 부하시간",
                   [OEE_DOC])


def _performance_needs_time(cycle: Decimal, total: Decimal) -> Calculation:
    """A cycle time and an output without the time they took: the time that output needs in
    theory, and the one number still wanted ("사이클 20초짜리가 하루 2000개밖에 안 나와요")."""
    needed = cycle * total
    hours = (needed / 60).quantize(Decimal("0.1")).normalize()
    return Calculation("성능가동률", [
        f"사이클 타임 {_minutes(cycle)}로 {plain(total, 0)}개를 만드는 데 필요한 시간은 이론상 "
        f"{_minutes(needed)}(약 {hours:f}시간)입니다 [1].",
        f"- 성능가동률 = 사이클 타임 {_minutes(cycle)} × 생산량 {plain(total, 0)}개 ÷ 실제 가동시간",
        "성능가동률을 구하려면 그 수량을 만든 실제 가동시간(분, 정지 시간 뺀 것)을 알려 주세요.",
    ], [OEE_DOC], ["가동시간(분)"])


_DEFECT_RATE = re.compile(r"불량\s*률|불량")
_ASKS_PPM = re.compile(r"PPM|피피엠", re.I)


def ppm(text: str) -> Calculation | None:
    qs = quantities(text)
    if not any(q.kind == "count" for q in qs):
        rate = _value(labelled(text, _DEFECT_RATE, ("rate",), qs))
        if rate is None or not _ASKS_PPM.search(text):
            return None  # "불량률 2%인데 줄이려면?" asks no figure
        value, given = rate * 10_000, f"{rate.normalize():f}%"  # "불량률 0.5프로면 PPM으로?": 1% is 10,000 PPM
        return Calculation("PPM", [
            f"불량률 {given}는 {plain(value, 1)} PPM입니다 [1].",
            f"- PPM = 불량률 {given} ÷ 100 × 1,000,000 = {plain(value, 1)} PPM (1% = 10,000 PPM)",
        ], [PPM_DOC])
    bad = _value(labelled(text, _BAD, ("count",), qs))
    good = _value(labelled(text, _GOOD, ("count",), qs))
    counts = [q.value for q in qs if q.kind == "count"]
    total = max(counts) if len(counts) >= 2 else _value(labelled(text, _INSPECTED, ("count",), qs))
    if len(counts) >= 2 and (bad is None or bad == total):
        bad = min(counts)  # of two counts, the defects are the smaller one
    if good is not None and bad is not None and good != bad and good == total:
        total = good + bad  # "양품 950개 불량 50개": 1,000 were made, not 950
    if not total or bad is None:
        missing = [name for name, v in (("불량 수량", bad), ("총 수량(검사·납품 수량)", total)) if not v]
        return ask_for("PPM", missing, "PPM = 불량 수량 ÷ 총 수량 × 1,000,000", [PPM_DOC])
    value = bad / total * 1_000_000
    lead = (f"PPM은 {plain(value, 1)} PPM입니다 (불량률 {_rate(bad / total)}) [1]." if _ASKS_PPM.search(text)
            else f"불량률은 {_rate(bad / total)}입니다 ({plain(value, 1)} PPM) [1].")  # "불량률 몇 프로예요?"
    return Calculation("PPM", [
        lead,
        f"- PPM = 불량 {plain(bad, 0)}개 ÷ 총 {plain(total, 0)}개 × 1,000,000 = {plain(value, 1)} PPM",
        f"- 불량률 = 불량 {plain(bad, 0)}개 ÷ 총 {plain(total, 0)}개 × 100 = {_rate(bad / total)}",
    ], [PPM_DOC])


def inventory_accuracy(text: str) -> Calculation:
    qs = quantities(text)
    counted = _value(labelled(text, _COUNTED_VERB, ("count",), qs, before_first=True)
                     or labelled(text, _COUNTED, ("count",), qs))
    matched = _value(labelled(text, _MATCHED, ("count",), qs))
    wrong = _value(labelled(text, _MISMATCHED, ("count",), qs))
    others = [q.value for q in qs if q.kind == "count" and q.value != counted]
    if wrong is None and matched is None and counted and len(others) == 1 and others[0] <= counted \
            and _MISMATCHED.search(text) and not _MATCHED.search(text):
        wrong = others[0]  # "120개 품목 했는데 9개가 장부랑 달라요": the other count is the wrong one
    if matched is None and counted is not None and wrong is not None:
        matched = counted - wrong
    if matched is None and counted and len(others) == 1 and others[0] <= counted and _MATCHED.search(text):
        matched = others[0]  # "400품목 셌고 382개가 장부랑 일치했어요": the other count matched
    if not counted or matched is None or not 0 <= matched <= counted:
        missing = [name for name, v in (("실사한 품목 수", counted), ("장부와 실물이 일치한 품목 수", matched)) if not v]
        return ask_for("재고 정확도", missing, "재고 정확도 = 장부와 실물이 일치한 품목 수 ÷ 실사 품목 수 × 100",
                       [INVENTORY_DOC])
    value = matched / counted
    return Calculation("재고 정확도", [
        f"재고 정확도는 {percent(value)}입니다 [1].",
        f"- 재고 정확도 = 일치한 품목 {plain(matched, 0)}개 ÷ 실사 품목 {plain(counted, 0)}개 × 100 = {percent(value)}",
        f"자료의 목표(95% 이상)를 {'넘었습니다' if value >= INVENTORY_TARGET else '밑돕니다'} [1].",
    ], [INVENTORY_DOC])


# "하루 평균 100장 최대 120장 쓰고 납기 평균 5일 최대 7일": daily use in the unit it is counted in,
# lead times in days ("1일 평균 100장": the 1일 says per day, it is no lead time)
DAILY_USE = re.compile(r"(?<![\d.,])(\d[\d,]*(?:\.\d+)?)\s*(개|장|매|EA|ea|pcs|kg|톤|롤|박스|box|세트|본|L|리터|m)(?![A-Za-z가-힣])")
_LEAD_DAYS = re.compile(r"(?<![\d.,~-])(\d+(?:\.\d+)?)\s*일(?!\s*(?:당|기준|에\s))")
_PER_DAY = re.compile(r"\s*(?:평균|최대|사용|보통)")
_AVERAGE = re.compile(r"평균|보통|평소|average", re.I)
_MAXIMUM = re.compile(r"최대|많[을으]\s*때|많이\s*쓸|최고|길[면게]|늦[으을]|max", re.I)
_ASKS_REORDER = re.compile(r"발주\s*점|재주문\s*점|언제\s*(?:발주|주문)|reorder", re.I)


def _average_and_most(text: str, found: list[tuple[Decimal, int]]) -> tuple[Decimal | None, Decimal | None]:
    """The average and the most of two figures: by the word just before each ("평균", "최대"),
    else the smaller is the average."""
    if len(found) == 1:  # "하루 200개 씀": what is usually used
        return (None, found[0][0]) if _MAXIMUM.search(text[max(0, found[0][1] - 6):found[0][1]]) else (found[0][0], None)
    if len(found) != 2:
        return None, None
    marked = {}
    for value, start in found:
        before = text[max(0, start - 6):start]
        if _MAXIMUM.search(before):
            marked["most"] = value
        elif _AVERAGE.search(before):
            marked["average"] = value
    low, high = sorted(v for v, _ in found)
    return marked.get("average", low), marked.get("most", high)


def safety_stock(text: str) -> Calculation:
    uses = [(Decimal(m.group(1).replace(",", "")), m.start(), m.group(2)) for m in DAILY_USE.finditer(text)]
    days = [(Decimal(m.group(1)), m.start()) for m in _LEAD_DAYS.finditer(text)
            if not (m.group(1) == "1" and _PER_DAY.match(text, m.end()))]  # "1일 평균 50kg": per day
    unit = uses[0][2] if uses else "개"
    use_avg, use_max = _average_and_most(text, [(v, start) for v, start, _ in uses])
    days_avg, days_max = _average_and_most(text, days)
    formula = "안전재고 = (최대 일사용량 × 최대 조달기간) − (평균 일사용량 × 평균 조달기간)"
    missing = [name for name, v in (("평균 일사용량", use_avg), ("최대 일사용량", use_max),
                                    ("평균 조달기간(일)", days_avg), ("최대 조달기간(일)", days_max)) if v is None]
    if use_avg is None or use_max is None or days_avg is None or days_max is None:
        return ask_for("안전재고", missing, formula, [INVENTORY_DOC])
    worst, usual = use_max * days_max, use_avg * days_avg
    stock = max(worst - usual, Decimal(0))
    reorder = usual + stock

    def n(value: Decimal) -> str:  # the owner's unit on every figure
        return f"{plain(value, 1)}{unit}"

    safety_line = f"안전재고는 {n(stock)}입니다 [1]."
    reorder_line = f"발주점은 {n(reorder)}입니다: 재고가 {n(reorder)} 아래로 떨어지면 발주합니다 [1]."
    asks_reorder = bool(_ASKS_REORDER.search(text))
    return Calculation("안전재고", [
        reorder_line if asks_reorder else safety_line,
        f"- 안전재고 = (최대 일사용량 {n(use_max)} × 최대 조달기간 {plain(days_max, 1)}일) − (평균 일사용량 {n(use_avg)} × "
        f"평균 조달기간 {plain(days_avg, 1)}일) = {plain(worst, 1)} − {plain(usual, 1)} = {n(stock)}",
        f"- 발주점 = 평균 일사용량 {n(use_avg)} × 평균 조달기간 {plain(days_avg, 1)}일 + 안전재고 {n(stock)} = {n(reorder)}",
        safety_line if asks_reorder else reorder_line,
    ], [INVENTORY_DOC])
