"""Deterministic calculators for the figures owners ask about most, from their own numbers.

`calculate(text)` returns a `Calculation` when the question names a formula and gives at
least one number for it, or asks the regional matching rule of a region it names or the
win-win track's split (look-ups of the rules the subsidy calculator uses); otherwise None and
the question is answered from the sources.
"""

from __future__ import annotations

import re

from assistant.answers.calculators.numbers import quantities
from assistant.answers.calculators.plant import (
    DAILY_USE,
    INVENTORY_TOPIC,
    OEE_TOPIC,
    PPM_TOPIC,
    SAFETY_STOCK_TOPIC,
    inventory_accuracy,
    oee,
    ppm,
    safety_stock,
)
from assistant.answers.calculators.result import Calculation
from assistant.answers.calculators.subsidy import (
    LABOUR_TOPIC,
    LOAN_TOPIC,
    MATCHING_TOPIC,
    SHARE_TOPIC,
    asks_loan_term,
    company_share,
    labour_in_kind,
    loan_interest,
    regional_matching,
    win_win_rule,
)
from assistant.answers.calculators.tax import TAX_TOPIC, tax_credit

__all__ = ["Calculation", "calculate"]

# topic, the kinds of number it needs at least one of, calculator, whether it is a plant figure
# (first match wins)
_CALCULATORS = (
    (OEE_TOPIC, ("minutes", "count"), oee, True),
    (PPM_TOPIC, ("count", "rate"), ppm, True),
    (INVENTORY_TOPIC, ("count",), inventory_accuracy, True),
    (SAFETY_STOCK_TOPIC, ("count", "use"), safety_stock, True),
    (TAX_TOPIC, ("money",), tax_credit, False),
    (LABOUR_TOPIC, ("money",), labour_in_kind, False),
    (LOAN_TOPIC, ("money",), loan_interest, False),
    (SHARE_TOPIC, ("money",), company_share, False),
)
# "설비 20대 가동률이 60%밖에 안 나와요 어떻게 올려요?", "불량률이 3%에서 안 내려가요 뭐부터 봐야돼요":
# the owner tells a plant figure and asks what to do about it, not for the figure
_ASKS_WHAT_TO_DO = re.compile(r"어떻게|어떡|뭐부터|무엇부터|왜|방법|(?:올리|줄이|높이|낮추|개선하)려면|(?:올려|줄여|높여|낮춰)요")
_ASKS_FIGURE = re.compile(r"얼마|몇|계산|구해|구하|알려|환산")
# "CNC 8대 … 가동률 모니터링만 하고 싶어요. 얼마나 들어요?": what it costs, not the plant's figure
_ASKS_COST = re.compile(r"(?:얼마|몇\s*(?:만|천)\s*원)\S*\s*(?:들|드|든)|비용|가격|견적|예산|돈\b|돈\s|돈$")


def calculate(text: str, now: str | None = None) -> Calculation | None:
    """The owner's figure computed from the numbers in `text`, if it asks for one. `now` is the
    message as typed when `text` carries the previous turn's subject: "거치기간은 몇년이에요?"
    after the interest of a loan asks its term, which the sources answer."""
    if now is not None and LOAN_TOPIC.search(text) and asks_loan_term(now):
        return None
    kinds = {q.kind for q in quantities(text) if not q.text[-1].isdigit()}  # "20년" or a bare 3 is no input
    if DAILY_USE.search(text):
        kinds.add("use")  # "하루 100장": a count of what is used, in its own unit
    what_to_do = bool(_ASKS_WHAT_TO_DO.search(text)) and not _ASKS_FIGURE.search(text)
    cost = bool(_ASKS_COST.search(text))
    for topic, needs, calculator, plant in _CALCULATORS:
        if plant and (what_to_do or cost):
            continue
        if topic.search(text) and kinds & set(needs) and (calculation := calculator(text)) is not None:
            return calculation
    if "money" in kinds:
        return None
    if MATCHING_TOPIC.search(text):
        return regional_matching(text)
    return win_win_rule(text)
