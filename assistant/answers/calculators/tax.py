"""The investment tax credit on the company's own share of a smart-factory project.

The rule is the one `subsidies/tax-credits.md` states (marked 예시 there): the basic credit is
10 % of what the company itself invested in assets. The grant and the regional matching are
not the company's investment, and neither is the in-kind part (its own staff's time). A unit
test reads the document and fails when it says something else.
"""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.answers.calculators.numbers import Quantity, labelled, plain, quantities, won
from assistant.answers.calculators.result import Calculation, ask_for
from assistant.answers.calculators.subsidy import SHARE_LABEL, SUPPORT_LEVELS_DOC, own_share, project_total

TAX_DOC = "subsidies/tax-credits.md"
BASIC_CREDIT = Decimal("0.10")  # of the investment that counts
EXTRA_CREDIT = Decimal("0.03")  # of this year's investment above the average of the three years before

# "세금 혜택 있나요?", "세액공제 얼마 받아요", "법인세에서 얼마 빠져요"; not arrears ("세금 밀린거")
# nor an invoice ("세금계산서")
TAX_TOPIC = re.compile(r"세액\s*공제|세금(?!\s*계산서)|법인세|소득세|(?i:\btax\b)")
_ARREARS = re.compile(r"체납|밀리|밀린|밀려|밀렸|분납|연체")
# the share as the share calculator names it, or as what "우리가 낸" or "투자한 돈" was
_SHARE = re.compile(SHARE_LABEL.pattern + r"|우리\s*(?:가\s*)?(?:낸|내는|부담)|투자\s*(?:액|금액|한\s*돈)?")
_IN_KIND = re.compile(r"현물|인건비|월급|급여")  # "그중 천만원은 우리 직원 월급으로 잡았어요"
_CLAUSES = re.compile(r"(?<=[?？.!,])\s*|\s+(?=그중|그\s+중)")


def tax_credit(text: str) -> Calculation | None:
    """"자부담 5천만 원 들어갔는데 세금 혜택 있나요? 그중 1천만 원은 인건비 현물이에요": the
    basic credit on the cash the company put in, with the formula; None for arrears or when the
    text gives no amount at all."""
    if _ARREARS.search(text):
        return None
    qs = quantities(text)
    money = [q for q in qs if q.kind == "money"]
    if not money:
        return None
    in_kind = _in_kind(text, qs)
    share = labelled(text, _SHARE, ("money",), qs)
    if share is not None and in_kind is not None and share.start == in_kind.start:
        share = None
    shown: list[str] = []
    sources = [TAX_DOC]
    if share is not None:
        company = share.value
    elif (total := project_total(text, [q for q in qs if q is not in_kind])) is not None:
        company, line = own_share(text, total)
        shown, sources = [line], [TAX_DOC, SUPPORT_LEVELS_DOC]
    else:
        formula = "세액공제(기본) = (기업 부담금 − 현물 − 지방비 매칭) × 10%"
        return ask_for("세액공제", ["총사업비나 기업 부담금(자부담)"], formula, [TAX_DOC])
    kind_value = in_kind.value if in_kind is not None and in_kind.value < company else Decimal(0)
    base = company - kind_value
    credit = base * BASIC_CREDIT
    rate = f"{plain(BASIC_CREDIT * 100, 0)}%"
    lead = f"기본 세액공제로 약 {won(credit)}을 돌려받는다고 보시면 됩니다 (공제 대상 투자액 {won(base)}의 {rate}) [1]."
    lines = [lead, *shown]
    if kind_value:
        lines.append(f"- 공제 대상 투자액 = 기업 부담금 {won(company)} − 현물(자사 인건비) {won(kind_value)} = {won(base)}: "
                     "현물은 자산 취득이 아니라 빠집니다 [1]")
    else:
        lines.append(f"- 공제 대상 투자액 = 기업 부담금 {won(company)} (현물로 낸 부분이 있다면 빠집니다) [1]")
    lines += [f"- 기본공제 = {won(base)} × {rate} = {won(credit)} [1]",
              f"올해 투자액이 직전 3년 평균을 넘으면 넘는 부분의 {plain(EXTRA_CREDIT * 100, 0)}%가 더 붙습니다. "
              "정부 지원금과 지방비 매칭분은 "
              "회사가 투자한 돈이 아니라 공제 대상에서 빠집니다 [1].",
              "공제는 그해 낼 세액 안에서만 되고 남으면 이월됩니다. 공제율은 예시이니 신고 전에 세무사와 확인하세요 [1]."]
    return Calculation("세액공제", lines, sources)


def _in_kind(text: str, qs: list[Quantity]) -> Quantity | None:
    """The in-kind amount: named right by "현물"/"인건비", or the one amount of a clause that
    says it is ("그중 1천만 원은 우리 직원 인건비 현물이에요")."""
    named = labelled(text, _IN_KIND, ("money",), qs)
    if named is not None:
        return named
    offset = 0
    for clause in _CLAUSES.split(text):
        start = text.find(clause, offset)
        offset = start + len(clause)
        if clause and _IN_KIND.search(clause):
            inside = [q for q in qs if q.kind == "money" and start <= q.start < offset]
            if len(inside) == 1:
                return inside[0]
    return None
