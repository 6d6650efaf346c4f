"""Money from the subsidy rules: the company's share (with regional matching) and the
interest of a policy loan.

Every figure below is the one the knowledge states (marked 예시 there); a unit test reads the
documents and fails when they say something else.
"""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.answers.calculators.numbers import Quantity, labelled, percent, plain, quantities, won
from assistant.answers.calculators.result import Calculation, ask_for
from assistant.answers.intent import find_region
from assistant.korean import PAST_SYLLABLES

SUPPORT_LEVELS_DOC = "subsidies/support-levels.md"
COMPANY_SHARE_DOC = "subsidies/company-share.md"
REGIONAL_DOC = "subsidies/regional-matching.md"
LOANS_DOC = "subsidies/policy-loans.md"
WIN_WIN_DOC = "subsidies/win-win-supply-chain.md"

GOVERNMENT_SHARE = Decimal("0.5")  # of the total project cost, up to the stage's cap
STAGE_CAPS = {"기초": Decimal(50_000_000), "고도화1": Decimal(150_000_000), "고도화2": Decimal(200_000_000)}
CASH_SHARE = Decimal("0.3")  # of the company's own share (after regional matching)
# region -> (matching in percentage points of the total cost, cap per company)
REGIONAL_MATCHING = {
    "경기": (Decimal(10), Decimal(10_000_000)), "경남": (Decimal(10), Decimal(15_000_000)),
    "부산": (Decimal(5), Decimal(5_000_000)), "대구": (Decimal(7), Decimal(7_000_000)),
    "서울": (Decimal(10), Decimal(10_000_000)),
}
# the win-win (상생형) track: a large company pays in beside the state, on a smaller total
WIN_WIN_SHARES = (Decimal("0.3"), Decimal("0.3"), Decimal("0.4"))  # state, large company, the company itself
WIN_WIN_CAP = Decimal(100_000_000)  # total project cost per company
LOAN_BASE_RATE = Decimal("2.15")  # percent a year
LOAN_SELECTED_RATE = Decimal("1.85")  # for companies selected for the build support
LOAN_LEVEL_DISCOUNT = Decimal("0.2")  # more off for a level-check result of 3 or higher

# "정부에서 얼마 나와요", "나라가 몇 프로 대줘요": the grant is asked
_GRANT_ASKED = r"(?:정부|나라|국비)\s*(?:에서|가|는)?\s*(?:지원\S{0,3}\s*)?(?:얼마|몇)"
LABOUR_TOPIC = re.compile(r"인건비|참여율|월\s*급|급여|연봉")
SHARE_TOPIC = re.compile(r"부담\s*금|자부담|기업\s*부담|지원\s*금|국비|지방비|매칭|총\s*사업비|얼마\s*(?:내|부담)"
                         r"|(?:우리|저희|회사)\s*(?:가|이)?\s*(?:(?:내는\s*)?돈|부담)"  # "우리 돈 얼마 들어가요": the company's share
                         r"|현금\S{0,2}\s*(?:최소\s*)?얼마"  # "현금은 최소 얼마 넣어요": the cash part of the share
                         r"|" + _GRANT_ASKED +
                         r"|(?i:\b(?:company|our|own)\s+share|\bcash\b|contribution|\bput\s+in\b|\bpay\b)")
LOAN_TOPIC = re.compile(r"이자|정책\s*자금|융자|대출|빌리|빌려|(?i:\binterest\b|\bloan|\bborrow)")

_TOTAL = re.compile(r"총\s*사업\s*비|사업\s*비|총\s*비용|총액|견적|전체\s*비용|프로젝트\s*비용|총\s*(?=\d)")  # "총 6천 잡으면"
SHARE_LABEL = re.compile(r"자부담\s*금?|기업\s*부담\s*금?|(?<!총\s)부담\s*금")  # "자부담 3천", "기업 부담금 2천만 원"
# "우리가 내는 돈이 2천만 원인데": names the amount after it ("2억 잡으면 우리가 내는 돈은" asks it of a total)
_WE_PAY = re.compile(r"(?:우리|저희)\s*(?:가|회사)?\s*(?:내는|부담)")
_RECEIVED = re.compile(r".{0,6}(?:받|지원\s*(?:금|받))")
_STAGE = re.compile(r"고도화\s*([12])|(기초)")
_RATE = re.compile(r"금리|이율|이자율|연")
_MONTHS = re.compile(r"(\d+)\s*개월")
_MONTHLY = re.compile(r"한\s*달|매\s*달|월\s*(?:이자|얼마|몇)|(?i:per\s+month|monthly|a\s+month)")
_SALARY = re.compile(r"월\s*급(?:여)?|월\s*(?=\d)|급여|연봉")
_LEVEL = re.compile(r"수준\s*(?:확인)?\D{0,8}?([1-5])\s*(?:단계|수준|레벨)|(?:레벨|level)\s*([1-5])", re.I)
_PRINCIPAL = re.compile(r"빌리|빌려|대출|융자|원금|정책\s*자금|(?i:\bborrow|\bloan)")
# "1억 빌리면 몇 년 안에 갚아야 돼요?" asks the loan's term, not its interest: the sources answer it
_ASKS_TERM = re.compile(r"몇\s*년|기간|언제까지|상환|(?i:how\s+long|how\s+many\s+years|\bterm\b|\brepay)")
_ASKS_COST = re.compile(r"이자|금리|이율|얼마|(?i:interest|\brate\b|how\s+much)")
_MATCHING = re.compile(r"지방\s*비|매칭|(?i:regional|matching)")
# "지방비는 없다고 치고요", "without matching": the owner leaves it out, nothing to say about it
_NO_MATCHING = re.compile(r"(?:지방\s*비|매칭)[^,.?]{0,8}(?:없|안\s*받|제외|빼)|(?i:(?:without|no)\s+(?:regional\s+)?matching)")
# programmes whose shares differ from the build support's 50 %: the calculator does not know them
_OTHER_PROGRAMME = re.compile(r"클라우드|SaaS|구독|컨설팅|역량\s*강화|(?i:cloud|consulting)")
_WIN_WIN = re.compile(r"상생|(?i:win-win)")
# the company's own part asked too ("우린 얼마 내요", "우리 부담은")
_ASKS_OWN = re.compile(r"(?:우리|저희|회사|우린|저흰)\S{0,2}\s*(?:얼마\s*)?(?:내|부담)|자부담|기업\s*부담|부담\s*금")
_ASKS_CASH = re.compile(r"현금|(?i:\bcash\b)")  # "현금은 최소 얼마": the cash part leads
# "정부에서 얼마 나와요", "지원금은 얼마 받아요": the grant leads (not when the owner's own share is asked too)
_ASKS_GRANT = re.compile(_GRANT_ASKED + r"|지원\s*금\S{0,2}\s*(?:얼마|몇)"
                         r"|얼마\s*(?:까지\s*)?(?:지원|나와|받)|(?i:\bgrant\b|government\s+(?:support|pays?|gives?))")


def project_total(text: str, qs: list[Quantity]) -> Decimal | None:
    """The total project cost: the amount named as such, else the one amount of the question
    unless the text names the total elsewhere or the amount is what is received."""
    named = labelled(text, _TOTAL, ("money",), qs)
    if named is not None:
        return named.value
    money = [q for q in qs if q.kind == "money"]
    if len(money) != 1 or _TOTAL.search(text) or _RECEIVED.match(text, money[0].end):
        return None
    return money[0].value


# "총사업비 8천만 원으로 했는데 세금 깎아주는 거 있어요?": the tax credit is asked, not the share
_ASKS_TAX = re.compile(r"세금|세액|공제|법인세|소득세|환급|돌려\s*받")


# "8천짜리 과제에서 현황판 하나 안 달았으면 지원금 얼마로 줄어요?": a part left out, settled on what was built
_PART_LEFT_OUT = re.compile(r"안\s*(?:달|샀|사|넣|만들|설치)\S{0,3}(?:으면|면|는데|어요|았|었)|빠지|빠졌|감액|취소")  # "정부 지원 빼고" is no part left out


def company_share(text: str) -> Calculation | None:
    if _OTHER_PROGRAMME.search(text) or _ASKS_TAX.search(text) or _PART_LEFT_OUT.search(text):
        return None  # the cloud track, consulting: their own shares; a tax credit, a part left out: for the sources
    qs = quantities(text)
    share = labelled(text, SHARE_LABEL, ("money",), qs)
    if share is None and (we_pay := _WE_PAY.search(text)):
        share = next((q for q in qs if q.kind == "money" and 0 <= q.start - we_pay.end() <= 14), None)
    if share is not None and labelled(text, _TOTAL, ("money",), qs) is None:
        return _cash_part(share.value)  # "자부담 2천만 원인데 현금은 얼마": the share is given (30 % in cash on both tracks)
    total = _latest_total(text) or project_total(text, qs)
    if total is None:
        return None  # amounts that are not the total (a cut item, the grant sought): for the sources
    if _WIN_WIN.search(text):
        return _win_win_share(text, total)
    sources = [SUPPORT_LEVELS_DOC, COMPANY_SHARE_DOC]
    stage, assumed = _stage(text)
    cap = STAGE_CAPS[stage]
    half = total * GOVERNMENT_SHARE
    government = min(half, cap)
    region = _latest_region(text)
    matching, regional_lines = _regional(region, total, sources, labelled(text, _MATCHING, ("rate",), qs))
    if region is None and not regional_lines and _MATCHING.search(text) and not _NO_MATCHING.search(text):
        regional_lines = ["- 지방비 매칭은 지역마다 비율과 한도가 달라 빼고 계산했습니다. 공장 지역을 알려 주시면 넣어서 "
                          "계산합니다."]
    company = total - government - matching
    cash = company * CASH_SHARE
    share_line = f"기업 부담금은 {won(company)}입니다 (총사업비의 {percent(company / total)}) [1]."
    cash_line = f"현금은 최소 {won(cash)}입니다 (기업 부담금 {won(company)}의 30%) [2]."
    asks_cash = bool(_ASKS_CASH.search(text))
    asks_grant = not asks_cash and bool(_ASKS_GRANT.search(text))
    grant = government + matching
    parts = f"국비 {won(government)}, 지방비 {won(matching)}" if matching else ""
    if asks_grant and _ASKS_OWN.search(text):  # "정부에서 얼마 나오고 우리가 얼마 내요?": both, in one line
        lead = f"정부 지원은 {won(grant)}{f'({parts})' if parts else ''}, 기업 부담금은 {won(company)}입니다 [1]."
    elif asks_grant:
        lead = f"정부 지원은 {won(grant)}입니다 (총사업비의 {percent(grant / total)}{f': {parts}' if parts else ''}) [1]."
    else:
        lead = cash_line if asks_cash else share_line  # what was asked comes first
    lines = [lead]
    gov_line = f"- 정부 지원 = min(총사업비 {won(total)} × 50% = {won(half)}, {stage} 한도 {won(cap)}) = {won(government)} [1]"
    lines.append(gov_line)
    lines += regional_lines
    formula = f"- 기업 부담금 = {won(total)} − {won(government)}"
    lines.append(formula + (f" − {won(matching)}" if matching else "") + f" = {won(company)}")
    if asks_cash:
        lines.append(f"- 현금 = {won(company)} × 30% = {won(cash)} [2]")
    else:
        lines.append(f"- 그중 현금은 최소 {won(cash)}입니다 (기업 부담금의 30%) [2].")
    if assumed:
        lines.append(f"{stage} 단계로 계산했습니다. 고도화1·고도화2라면 알려 주세요.")
    lines.append("부가가치세는 총사업비에 들어가지 않고 전액 기업이 따로 냅니다 [2].")
    return Calculation("기업 부담금", lines, sources)


def _win_win_share(text: str, total: Decimal) -> Calculation:
    """"상생형으로 1억 하면 우리 부담 얼마?": the state's, the large company's and the company's
    parts of a win-win project; a total above the track's cap is computed up to the cap, and the
    rest is said to be beyond what the sources tell."""
    counted = min(total, WIN_WIN_CAP)
    state, large, company = (counted * share for share in WIN_WIN_SHARES)
    cash = company * CASH_SHARE
    over = total > WIN_WIN_CAP
    base = f"{won(counted)}까지" if over else won(counted)
    if _ASKS_CASH.search(text):
        lead = f"현금은 최소 {won(cash)}입니다 (기업 부담금 {won(company)}의 30%) [1]."
    elif _ASKS_GRANT.search(text) and not _ASKS_OWN.search(text):
        lead = f"정부 지원은 {won(state)}, 대기업 출연금은 {won(large)}입니다 (총사업비 {base}의 30%씩) [1]."
    else:
        lead = f"기업 부담금은 {won(company)}입니다 (상생형, 총사업비 {base}의 40%) [1]."
    lines = [lead, "- 상생형 분담(예시): 정부 30% / 대기업 30% / 중소기업 40% [1]"]
    if over:
        lines.append(f"- 상생형 총사업비 한도는 기업당 {won(WIN_WIN_CAP)}(예시)이라 {won(WIN_WIN_CAP)}까지로 계산했습니다. 넘는 "
                     f"{won(total - WIN_WIN_CAP)}을 누가 내는지는 자료에 없어, 전담기관이나 대기업 상생협력 부서에 확인하셔야 합니다 [1].")
    lines += [f"- 정부 = {won(counted)} × 30% = {won(state)}, 대기업 = {won(counted)} × 30% = {won(large)}",
              f"- 기업 부담금 = {won(counted)} × 40% = {won(company)}",
              f"- 현금 = {won(company)} × 30% = {won(cash)} (일반 과제와 같은 기준) [1]" if lead.startswith("현금") else
              f"- 그중 현금은 최소 {won(cash)}입니다 (기업 부담금의 30%, 일반 과제와 같은 기준) [1]."]
    if _MATCHING.search(text) or find_region(text):
        lines.append("- 상생형에 지방비 매칭이 붙는지는 자료에 없어 빼고 계산했습니다.")
    general = counted - min(counted * GOVERNMENT_SHARE, STAGE_CAPS["기초"])
    lines.append(f"일반 구축 지원(정부 50%)이라면 기업 부담금은 {won(general)}이니, 상생형이 {won(general - company)} 덜 냅니다 [1].")
    lines.append("부가가치세는 총사업비에 들어가지 않고 전액 기업이 따로 냅니다 [2].")
    return Calculation("기업 부담금", lines, [WIN_WIN_DOC, COMPANY_SHARE_DOC], covered=not over)


def own_share(text: str, total: Decimal) -> tuple[Decimal, str]:
    """The company's share of a total the owner names, the grant and the named region's matching
    taken off (the stage and the region said last), with the line that shows it."""
    stage, _ = _stage(text)
    government = min(total * GOVERNMENT_SHARE, STAGE_CAPS[stage])
    region = _latest_region(text)
    matching, _ = _regional(region, total, [])
    company = total - government - matching
    shown = f" − 지방비({region}) {won(matching)}" if matching else ""
    return company, f"- 기업 부담금 = 총사업비 {won(total)} − 정부 지원 {won(government)}({stage}){shown} = {won(company)} [2]"


def _stage(text: str) -> tuple[str, bool]:
    """The stage said last ("고도화1", "기초"), and whether none was said (기초 is assumed)."""
    m = _latest(_STAGE, text)
    return ("고도화" + m.group(1)) if m and m.group(1) else "기초", m is None


def _latest(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The last match: a follow-up's text carries the question before it ("고도화1로 1억 8천 하면
    …? 고도화2면요?"), and what the owner says last wins."""
    matches = list(pattern.finditer(text))
    return matches[-1] if matches else None


def _latest_region(text: str) -> str | None:
    """The region named last, sentence by sentence from the end ("…? 대구면요?")."""
    return next((region for part in reversed(_SENTENCES.split(text)) if (region := find_region(part))), None)


_SENTENCES = re.compile(r"(?<=[?？.!])\s*")


def _latest_total(text: str) -> Decimal | None:
    """A follow-up's own amount ("…고도화1이면 정부 얼마 나와요? 그럼 2억이면요?"): the one sum of
    its last sentence, when the text before it is another sentence (not a share it names)."""
    parts = [part for part in _SENTENCES.split(text) if part.strip()]
    if len(parts) < 2 or SHARE_LABEL.search(parts[-1]) or _WE_PAY.search(parts[-1]):
        return None
    money = [q for q in quantities(parts[-1]) if q.kind == "money"]
    return money[0].value if len(money) == 1 else None


def _cash_part(company: Decimal) -> Calculation:
    """Cash and in-kind parts of a company share the owner already knows."""
    cash = company * CASH_SHARE
    return Calculation("기업 부담금", [
        f"현금은 최소 {won(cash)}입니다 (기업 부담금 {won(company)}의 30%) [1].",
        f"- 현금 = {won(company)} × 30% = {won(cash)}",
        f"- 나머지 {won(company - cash)}까지는 자사 인력 인건비 같은 현물로 채울 수 있습니다 [1].",
        "부가가치세는 총사업비에 들어가지 않고 전액 기업이 따로 냅니다 [1].",
    ], [COMPANY_SHARE_DOC])


def _regional(region: str | None, total: Decimal, sources: list[str],
              given: Quantity | None = None) -> tuple[Decimal, list[str]]:
    """Matching funds for the factory's region, and the line showing them; without a region,
    the matching rate the owner gives ("지방비 10% 매칭"), if any."""
    if region is None:
        if given is None:
            return Decimal(0), []
        sources.append(REGIONAL_DOC)
        matching = total * given.value / 100
        return matching, [f"- 지방비 매칭 = {won(total)} × {plain(given.value, 1)}%p = {won(matching)} (말씀하신 비율로 "
                          f"계산했습니다. 지역마다 비율과 한도가 다르니 지역을 알려 주시면 그 기준으로 계산합니다) [3]"]
    if region not in REGIONAL_MATCHING:
        return Decimal(0), [f"- {region}의 지방비 매칭 기준은 자료에 없어 매칭 없이 계산했습니다."]
    points, cap = REGIONAL_MATCHING[region]
    sources.append(REGIONAL_DOC)
    raw = total * points / 100
    matching = min(raw, cap)
    capped = f", 한도 {won(cap)} 적용" if raw > cap else f" (한도 {won(cap)} 이내)"
    return matching, [f"- {region} 지방비 매칭 = {won(total)} × {plain(points, 0)}%p = {won(raw)}{capped} → "
                      f"{won(matching)} [3]"]


# "대구 공장인데 지방비 매칭 얼마나 받아요?", "충북도 매칭 돼요?": the region's matching rule (no
# total cost to compute with; "부산은 매칭 얼마 받았어요?" asks what a plant got, the sources say)
MATCHING_TOPIC = re.compile(_MATCHING.pattern + r"|(?:도|시)\s*에서\s*(?:따로|별도로?)\s*지원")
# "얼마 나왔어요?", "그 회사 지방비도 받았어요?": what a plant got, which its case tells
_ASKS_WHAT_HAPPENED = re.compile(f"[{PAST_SYLLABLES}](?:어요|나요|대요|습니까|죠|던)|그\\s*(?:회사|공장|업체)")
# "지방비 매칭 어떻게 신청해요?", "대구는 어디에 내요?": the procedure, which the sources tell
_ASKS_PROCEDURE = re.compile(r"어떻게|어디|언제|절차|방법|서류|신청\s*(?:해|하|은|는)|(?:내|제출)\S{0,2}\s*(?:요|나요)?\s*[?？]")


def regional_matching(text: str) -> Calculation | None:
    """The matching rule of the factory's region, or that the knowledge has none for it."""
    region = find_region(text)
    if region is None or _NO_MATCHING.search(text) or _ASKS_WHAT_HAPPENED.search(text) or _ASKS_PROCEDURE.search(text):
        return None
    common = "국비 과제에 선정된 기업만 받을 수 있고, 기준은 본사가 아니라 구축할 공장의 소재지입니다 [1]."
    if region not in REGIONAL_MATCHING:
        known = "·".join(REGIONAL_MATCHING)
        return Calculation("지방비 매칭", [
            f"{region}의 지방비 매칭 기준은 가진 자료에 없습니다. 자료에는 {known}의 예시 기준만 있습니다 [1].",
            f"- 지방비 매칭은 {common}",
            f"- {region} 기준(비율·한도·모집 시기)은 도청 기업지원 부서나 지역 테크노파크 공고로 확인하셔야 합니다.",
        ], [REGIONAL_DOC], covered=False)
    points, cap = REGIONAL_MATCHING[region]
    own = GOVERNMENT_SHARE * 100 - points
    return Calculation("지방비 매칭", [
        f"{region}의 지방비 매칭은 총사업비의 {plain(points, 0)}%p, 기업당 최대 {won(cap)}입니다(예시) [1].",
        f"- 한도 안이면 기업 부담이 총사업비의 50%에서 {plain(own, 0)}%로 줄어듭니다 [1].",
        f"- {common}",
        "총사업비를 알려 주시면 국비·지방비·기업 부담금으로 나눠 계산해 드릴게요.",
    ], [REGIONAL_DOC])


# "상생형은 돈 누가 얼마씩 내요?", "상생형 총사업비 최대 얼마까지 돼요?": the track's split or cap, looked up
_ASKS_SPLIT = re.compile(r"(?:누가|누구)\s*(?:얼마|돈|내|부담)|얼마씩|비율|분담|몇\s*(?:프로|%|퍼센트)|부담|한도|최대\s*얼마|얼마\s*까지"
                         r"|얼마\s*(?:내|줘|나와|받|들)|(?i:\bshare|\bsplit|who\s+pays|how\s+much)")
_ASKS_HOW_TO = re.compile(r"어떻게|어디|언제|절차|방법|서류|신청")  # "상생형 신청은 어디에 해요?": the sources tell
_ASKS_CAP = re.compile(r"한도|최대\s*얼마|얼마\s*까지|(?i:\blimit|\bcap\b|maximum)")


def win_win_rule(text: str) -> Calculation | None:
    """Who pays what on the win-win track, or its cap, when no total is given to compute with."""
    if not _WIN_WIN.search(text) or not _ASKS_SPLIT.search(text) or _ASKS_HOW_TO.search(text):
        return None
    state, large, own = (plain(share * 100, 0) for share in WIN_WIN_SHARES)
    split = f"상생형 스마트공장은 정부 {state}%, 대기업 {large}%, 중소기업 {own}%(예시)로 나눠 냅니다 [1]."
    cap = f"상생형 총사업비 한도는 기업당 최대 {won(WIN_WIN_CAP)}(기초~고도화1 수준 과제, 예시)입니다 [1]."
    asks_cap = bool(_ASKS_CAP.search(text))
    return Calculation("상생형 분담", [
        cap if asks_cap else split,
        f"- {split if asks_cap else cap}",
        f"- 중소기업 부담 {own}% 중 최소 30%는 현금입니다(일반 과제와 같은 기준) [1].",
        f"- 일반 구축 지원(정부 50% / 기업 50%)보다 기업 부담이 {plain(GOVERNMENT_SHARE * 100 - Decimal(own), 0)}%p 적습니다 [1].",
        "총사업비를 알려 주시면 정부·대기업·우리 회사 몫으로 나눠 계산해 드릴게요.",
    ], [WIN_WIN_DOC])


def asks_loan_term(text: str) -> bool:
    """"거치기간은 몇년이에요?": the loan's term is asked, not its interest (the sources answer it)."""
    return bool(_ASKS_TERM.search(text)) and not _ASKS_COST.search(text)


def loan_interest(text: str) -> Calculation | None:
    if asks_loan_term(text):
        return None
    qs = quantities(text)
    principal_q = labelled(text, _PRINCIPAL, ("money",), qs, window=20)
    money = [q for q in qs if q.kind == "money"]
    principal = principal_q.value if principal_q else (money[-1].value if money else None)
    if principal is None:
        return ask_for("정책자금 이자", ["빌리려는 금액"], f"연 이자 = 융자 원금 × 연 금리(선정 기업 {LOAN_SELECTED_RATE}%, 예시)",
                       [LOANS_DOC])
    given = labelled(text, _RATE, ("rate",), qs, window=8) or next((q for q in qs if q.kind == "rate"), None)
    level = _level(text)
    rate = given.value if given else LOAN_SELECTED_RATE - (LOAN_LEVEL_DISCOUNT if level >= 3 else 0)
    interest = principal * rate / 100
    if _MONTHLY.search(text):  # "이자 한달에 얼마예요": the month's share leads
        monthly = interest / 12
        lines = [f"한 달 이자는 약 {won(monthly)}입니다 (연 이자 {won(interest)} ÷ 12) [1].",
                 f"- 연 이자 = {won(principal)} × 연 {plain(rate, 2)}% = {won(interest)}, "
                 f"한 달 = {won(interest)} ÷ 12 ≈ {won(monthly)}"]
    else:
        lines = [f"연 이자는 약 {won(interest)}입니다 (원금 {won(principal)}, 연 {plain(rate, 2)}%) [1].",
                 f"- 연 이자 = {won(principal)} × {plain(rate, 2)}% = {won(interest)}"]
    lines.append("거치 기간에는 이 이자만 내고, 그 뒤 원금을 나눠 갚습니다 [1].")
    if given is None:
        lines.append(f"금리는 스마트공장 구축 지원사업 선정 기업 우대 금리 연 {LOAN_SELECTED_RATE}%(예시, 기준금리 "
                     f"{LOAN_BASE_RATE}%에서 0.3%p 우대)"
                     + (f"에 수준확인 수준 3 이상 추가 우대 {LOAN_LEVEL_DISCOUNT}%p를 더 받은 연 {plain(rate, 2)}%"
                        if level >= 3 else "") + "로 계산했습니다 [1].")
    return Calculation("정책자금 이자", lines, [LOANS_DOC])


def _level(text: str) -> int:
    """The level-check result the owner names ("수준확인도 3단계 받았어요"), or 0."""
    m = _LEVEL.search(text)
    return int(m.group(1) or m.group(2)) if m else 0


def labour_in_kind(text: str) -> Calculation | None:
    """The in-kind labour cost of one employee on the project: monthly pay × share of time × months
    (None when only the pay is given: "월급 250만원 직원도 현물로 돼요?" is for the sources)."""
    qs = quantities(text)
    pay_q = labelled(text, _SALARY, ("money",), qs) or next((q for q in qs if q.kind == "money"), None)
    share_q = next((q for q in qs if q.kind == "rate"), None)
    months_m = _MONTHS.search(text)
    if share_q is None and months_m is None:
        return None
    formula = "현물 인건비 = 월 급여 × 과제 참여율 × 참여 개월 수"
    missing = [name for name, v in (("월 급여", pay_q), ("과제 참여율(%)", share_q), ("참여 개월 수", months_m)) if v is None]
    if pay_q is None or share_q is None or months_m is None:
        return ask_for("현물 인건비", missing, formula, [COMPANY_SHARE_DOC])
    pay, share, months = pay_q.value, share_q.value, Decimal(months_m.group(1))
    if annual := bool(re.search(r"연봉", text)):
        pay = pay / 12
    value = pay * share / 100 * months
    lines = [f"현물 인건비로 {won(value)}을 잡을 수 있습니다 [1].",
             f"- 현물 인건비 = 월 급여 {won(pay)}{' (연봉 ÷ 12)' if annual else ''} × 참여율 {plain(share, 1)}% × "
             f"{plain(months, 0)}개월 = {won(value)}",
             "참여율은 한 사람당 최대 100%이고, 여러 과제를 합쳐도 100%를 넘을 수 없습니다 [1].",
             "근거 서류는 급여대장, 4대보험 가입자 명부, 참여율 확인서입니다 [1]."]
    if share > 100:
        lines.insert(1, "참여율은 100%를 넘을 수 없으니 숫자를 다시 확인해 주세요 [1].")
    return Calculation("현물 인건비", lines, [COMPANY_SHARE_DOC])
