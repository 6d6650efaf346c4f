"""Korean amounts and quantities as owners type them, read exactly (Decimal).

"6천만원", "1억 2천", "3,000만 원", "1.5억", "오천만 원" are money (and "100M won",
"KRW 30 million" in an English question); "450분", "30초",
"2시간" are durations (in minutes); "582개", "50,000개" counts; "1.85%", "3프로" rates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_SINO = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
_SMALL = {"십": 10, "백": 100, "천": 1000}
_BIG = {"만": 10**4, "억": 10**8, "조": 10**12}
_NUM = r"\d[\d,]*(?:\.\d+)?"
_PIECE = rf"(?:{_NUM}|[일이삼사오육칠팔구])?\s?[십백천]?\s?[만억조]?"
# one money expression: pieces ending in a big unit, optionally a trailing piece, optionally 원
_MONEY = re.compile(
    rf"(?<![\d.,])((?:(?:{_NUM}|[일이삼사오육칠팔구])?\s?[십백천]?\s?[만억조]\s?)+(?:(?:(?:{_NUM}|[일이삼사오육칠팔구])?\s?[십백천])+|{_NUM})?)\s*(원)?"
    rf"|(?<![\d.,])({_NUM})\s*원"
)
# in English: "100M won", "KRW 30 million", "1.2 billion won", "₩50,000,000"
_MONEY_EN = re.compile(rf"(?:KRW|₩)\s*({_NUM})\s*(million|billion|mn|bn|m|b)?(?![A-Za-z])"
                       rf"|(?<![\d.,])({_NUM})\s*(million|billion|mn|bn|m|b)?\s*(?:won|KRW)(?![A-Za-z])", re.I)
_EN_SCALE = {"m": 10**6, "mn": 10**6, "million": 10**6, "b": 10**9, "bn": 10**9, "billion": 10**9}
_DURATION = re.compile(rf"(?<![\d.,])({_NUM})\s*(시간|분|초|hours?|hrs?|h|min(?:utes?)?|sec(?:onds?)?|s)(?![A-Za-z])", re.I)
_RATE = re.compile(rf"(?<![\d.,])({_NUM})\s*(%|퍼센트|프로)")
_COUNT = re.compile(rf"(?<![\d.,])({_NUM})\s*(개|EA|ea|pcs|건|품목|종|대|세트)?(?![\d,]|\.\d)")
# "3천개", "2천 5백 개": a count in thousands (a bare "3" before 천 is not the count)
_COUNT_THOUSANDS = re.compile(rf"(?<![\d.,])({_NUM}\s*천(?:\s*\d\s*백)?)\s*(?=개|EA|ea|pcs|건|품목|종|대|세트)")
_TOKEN = re.compile(rf"({_NUM})|([일이삼사오육칠팔구])|([십백천])|([만억조])")

# unit -> (multiply, divide) into minutes, so that 30초 is exactly 0.5분
_MINUTES = {**{u: (60, 1) for u in ("시간", "h", "hr", "hrs", "hour", "hours")},
            **{u: (1, 1) for u in ("분", "min", "mins", "minute", "minutes")},
            **{u: (1, 60) for u in ("초", "s", "sec", "secs", "second", "seconds")}}
_COUNT_AFTER = re.compile(r"\s*(개|EA|ea|pcs|건|품목|종|대|세트)")


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    kind: str  # "money" (won), "minutes", "rate" (percent), "count"
    start: int
    end: int
    text: str  # as typed


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def korean_amount(expr: str) -> Decimal | None:
    """The value of one Korean money expression ("1억 2천" -> 120,000,000), or None."""
    total, section, current = Decimal(0), Decimal(0), None
    last_big = None
    for digits, sino, small, big in _TOKEN.findall(expr.replace(" ", "")):
        if digits or sino:
            current = _number(digits) if digits else Decimal(_SINO[sino])
        elif small:
            section += (current if current is not None else Decimal(1)) * _SMALL[small]
            current = None
        else:
            section += current if current is not None else Decimal(0)
            total += (section or Decimal(1)) * _BIG[big]
            section, current, last_big = Decimal(0), None, big
    section += current if current is not None else Decimal(0)
    if section and last_big == "억":  # "1억 2천" and "1억 5000" mean 1억 2천만, 1억 5,000만
        section *= _BIG["만"]
    total += section
    return total if total > 0 else None


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


# "총사업비 5천이면", "총 6천 잡으면", "대출 3천", "자부담 3천": where only money is meant, a bare 천 is 천만 원
_THOUSANDS_OF_MAN = re.compile(r"(?:총\s*사업\s*비|사업\s*비|예산|자부담|부담\s*금|견적|대출|융자|총(?=\s*\d))\s*(?:가|는|이|을|를|은|으로|로)?\s*"
                               r"(\d{1,2}(?:\.\d)?\s*천(?:\s*\d\s*백)?)(?!\s*(?:만|원|개|명|장|대|품목|분|시간|건|번))"
                               # "8천짜리 과제", "6천으로 하면", "5천 잡으면": a project's worth
                               r"|(?<![\d.,억])(?<!억\s)(\d{1,2}(?:\.\d)?\s*천(?:\s*\d\s*백)?)(?=\s*(?:짜리|과제|프로젝트|(?:(?:으로|로)\s*)?(?:하면|할\s*때|잡으면|하는데)))")


def quantities(text: str) -> list[Quantity]:
    """Every amount, duration, rate and count in `text`, in reading order, none overlapping."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _THOUSANDS_OF_MAN.finditer(text):
        group = 1 if m.group(1) else 2
        thousand, _, hundred = m.group(group).replace(" ", "").partition("천")  # "4천5백": 4,500만 원
        thousands = _number(thousand) * 10_000_000 + (_number(hundred.rstrip("백")) * 1_000_000 if hundred else 0)
        found.append(Quantity(thousands, "money", m.start(group), m.end(group), m.group(group)))
        taken.append((m.start(group), m.end(group)))
    for m in _MONEY_EN.finditer(text):
        scale = (m.group(2) or m.group(4) or "").lower()
        amount = _number(m.group(1) or m.group(3)) * _EN_SCALE.get(scale, 1)
        found.append(Quantity(amount, "money", m.start(), m.end(), m.group(0).strip()))
        taken.append((m.start(), m.end()))
    for m in _MONEY.finditer(text):
        if _overlaps((m.start(), m.end()), taken):
            continue
        expr = m.group(1) or m.group(3)
        if not expr or not re.search(r"\d|[일이삼사오육칠팔구][십백천만억]|[십백천][만억]", expr):
            continue
        if m.group(1) and not re.search(r"[만억조]", expr):
            continue
        value = korean_amount(expr) if m.group(1) else _number(expr)
        if value is not None:
            unit = _COUNT_AFTER.match(text, m.end()) if not m.group(2) else None  # "5만 개" is a count
            end = unit.end() if unit else m.end()
            kind = "count" if unit else "money"
            found.append(Quantity(value, kind, m.start(), end, text[m.start():end].strip()))
            taken.append((m.start(), end))
    for m in _COUNT_THOUSANDS.finditer(text):
        value = korean_amount(m.group(1))  # "2천5백" -> 2,500 ("0천" is none)
        if value is not None and not _overlaps((m.start(), m.end()), taken):
            unit = _COUNT_AFTER.match(text, m.end())
            end = unit.end() if unit else m.end()
            found.append(Quantity(value, "count", m.start(), end, text[m.start():end].strip()))
            taken.append((m.start(), end))
    for pattern, kind in ((_DURATION, "minutes"), (_RATE, "rate"), (_COUNT, "count")):
        for m in pattern.finditer(text):
            if _overlaps((m.start(), m.end()), taken):
                continue
            value = _number(m.group(1))
            if kind == "minutes":
                times, per = _MINUTES[m.group(2).lower()]
                value = value * times / per
            found.append(Quantity(value, kind, m.start(), m.end(), m.group(0).strip()))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda q: q.start)


def _named(text: str, label: re.Pattern[str], kinds: tuple[str, ...], qs: list[Quantity],
           window: int, before_first: bool) -> list[Quantity]:
    """For each place `label` matches, the quantity it names, if any: the first one right after
    the label (within `window` characters), else the nearest one just before it (or the other
    way round for a verb: "1,100개 만들어서")."""
    named = []
    for m in label.finditer(text):
        after = [q for q in qs if q.kind in kinds and 0 <= q.start - m.end() <= window][:1]
        before = [q for q in qs if q.kind in kinds and 0 <= m.start() - q.end <= 4][-1:]
        named += (before + after if before_first else after + before)[:1]
    return named


def labelled(text: str, label: re.Pattern[str], kinds: tuple[str, ...], qs: list[Quantity] | None = None,
             window: int = 14, before_first: bool = False) -> Quantity | None:
    """The quantity of one of `kinds` the first matching label names (see `_named`)."""
    named = _named(text, label, kinds, quantities(text) if qs is None else qs, window, before_first)
    return named[0] if named else None


def all_labelled(text: str, label: re.Pattern[str], kinds: tuple[str, ...],
                 qs: list[Quantity] | None = None, window: int = 14) -> list[Quantity]:
    """Every distinct quantity of `kinds` named by `label` ("고장 40분, 금형 교체 60분": both)."""
    named = _named(text, label, kinds, quantities(text) if qs is None else qs, window, False)
    return sorted({q.start: q for q in named}.values(), key=lambda q: q.start)


def won(value: Decimal) -> str:
    """Money the way Koreans say it: 2,580만 원, 1억 4,000만 원, 55만 5,000원, 5,000원."""
    man, below = divmod(int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP)), 10**4)
    eok, rest = divmod(man, 10**4)
    above = " ".join(([f"{eok}억"] if eok else []) + ([f"{rest:,}만"] if rest or not eok else []))
    if not below:
        return f"{above} 원"
    return f"{above} {below:,}원" if man else f"{below:,}원"


def plain(value: Decimal, places: int = 1) -> str:
    """A figure with `places` decimals (half up), trailing zeros of integers dropped."""
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if q == q.to_integral_value():
        return f"{int(q):,}"
    return f"{q:,.{places}f}"


def percent(ratio: Decimal, places: int = 1) -> str:
    return f"{(ratio * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):.{places}f}%"
