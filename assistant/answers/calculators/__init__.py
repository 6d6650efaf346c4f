"""Deterministic calculators for the figures owners ask about most, from their own numbers.

`calculate(text)` returns a `Calculation` when the question names a formula and gives at
least one number for it, or asks the regional matching rule of a region it names (a look-up:
the table the subsidy calculator uses); otherwise None and the question is answered from the
sources.
"""

from __future__ import annotations

from assistant.answers.calculators.numbers import quantities
from assistant.answers.calculators.plant import (
    INVENTORY_TOPIC,
    OEE_TOPIC,
    PPM_TOPIC,
    inventory_accuracy,
    oee,
    ppm,
)
from assistant.answers.calculators.result import Calculation
from assistant.answers.calculators.subsidy import (
    LABOUR_TOPIC,
    LOAN_TOPIC,
    MATCHING_TOPIC,
    SHARE_TOPIC,
    company_share,
    labour_in_kind,
    loan_interest,
    regional_matching,
)

__all__ = ["Calculation", "calculate"]

# topic, the kinds of number it needs at least one of, calculator (first match wins)
_CALCULATORS = (
    (OEE_TOPIC, ("minutes", "count"), oee),
    (PPM_TOPIC, ("count", "rate"), ppm),
    (INVENTORY_TOPIC, ("count",), inventory_accuracy),
    (LABOUR_TOPIC, ("money",), labour_in_kind),
    (LOAN_TOPIC, ("money",), loan_interest),
    (SHARE_TOPIC, ("money",), company_share),
)


def calculate(text: str) -> Calculation | None:
    """The owner's figure computed from the numbers in `text`, if it asks for one."""
    kinds = {q.kind for q in quantities(text) if not q.text[-1].isdigit()}  # "20년" or a bare 3 is no input
    for topic, needs, calculator in _CALCULATORS:
        if topic.search(text) and kinds & set(needs) and (calculation := calculator(text)) is not None:
            return calculation
    if MATCHING_TOPIC.search(text) and "money" not in kinds:
        return regional_matching(text)
    return None
