"""What a calculator hands back: the answer lines and the documents its rules come from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MARK = re.compile(r"\[(\d+)\]")


@dataclass
class Calculation:
    """Lines of the answer (result first, then the formula with the numbers), citing
    `sources` by position: "[1]" is sources[0]. `missing` names inputs the owner still
    has to give; then the lines ask for exactly those."""

    topic: str
    lines: list[str]
    sources: list[str]
    missing: list[str] = field(default_factory=list)
    covered: bool = True  # False: the rules do not cover the owner's case; the lines say so

    def __post_init__(self) -> None:
        """Number the sources in the order the lines first cite them (the cash line that leads
        cites the company-share rule: it becomes [1])."""
        order: list[int] = []
        for line in self.lines:
            order += [n for n in map(int, _MARK.findall(line)) if n not in order and 1 <= n <= len(self.sources)]
        order += [n for n in range(1, len(self.sources) + 1) if n not in order]
        new = {old: i for i, old in enumerate(order, start=1)}
        self.lines = [_MARK.sub(lambda m: f"[{new.get(int(m.group(1)), int(m.group(1)))}]", ln) for ln in self.lines]
        self.sources = [self.sources[old - 1] for old in order]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def ask_for(topic: str, missing: list[str], formula: str, sources: list[str]) -> Calculation:
    """The reply when an input is missing: what to give, and the formula it goes into."""
    what = ", ".join(missing)
    lines = [f"{topic}{_object(topic)} 계산하려면 {what}{_object(missing[-1])} 알려 주세요.", f"계산식: {formula} [1]"]
    return Calculation(topic, lines, sources, missing)


def _object(word: str) -> str:
    """The object particle 을/를 for `word` (by its last syllable's final consonant)."""
    last = word.rstrip(" )").split("(")[0].rstrip()[-1:] or "가"
    if "가" <= last <= "힣":
        return "을" if (ord(last) - 0xAC00) % 28 else "를"
    return "을" if last.upper() in "LMN" else "를"
