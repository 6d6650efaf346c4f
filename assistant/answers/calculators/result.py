"""What a calculator hands back: the answer lines and the documents its rules come from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Calculation:
    """Lines of the answer (result first, then the formula with the numbers), citing
    `sources` by position: "[1]" is sources[0]. `missing` names inputs the owner still
    has to give; then the lines ask for exactly those."""

    topic: str
    lines: list[str]
    sources: list[str]
    missing: list[str] = field(default_factory=list)

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
