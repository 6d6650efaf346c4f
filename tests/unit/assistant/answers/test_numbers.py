"""Korean amounts and quantities read exactly, as owners type them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.answers.calculators.numbers import korean_amount, percent, quantities, won


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("6천만원", 60_000_000), ("6천만 원", 60_000_000), ("1억 2천", 120_000_000), ("1억 2,000만 원", 120_000_000),
        ("3,000만 원", 30_000_000), ("1.5억", 150_000_000), ("오천만 원", 50_000_000), ("60,000,000원", 60_000_000),
        ("1억5천만원", 150_000_000), ("2억 5000", 250_000_000), ("3억", 300_000_000), ("555,000원", 555_000),
    ],
)
def test_money(text: str, value: int) -> None:
    found = quantities(f"총사업비 {text}이면")
    assert [(q.kind, q.value) for q in found] == [("money", Decimal(value))]


def test_durations_are_minutes_exactly() -> None:
    found = quantities("부하시간 450분, 사이클 30초, 정지 1.5시간, 택트 45초")
    assert [(q.kind, q.value) for q in found] == [
        ("minutes", Decimal(450)), ("minutes", Decimal("0.5")), ("minutes", Decimal(90)), ("minutes", Decimal("0.75"))]


def test_counts_rates_and_a_count_in_man() -> None:
    found = quantities("5만 개 중 35개 불량, 금리 1.85%, 3프로")
    assert [(q.kind, q.value) for q in found] == [
        ("count", Decimal(50_000)), ("count", Decimal(35)), ("rate", Decimal("1.85")), ("rate", Decimal(3))]


def test_place_names_and_particles_are_not_numbers() -> None:
    assert quantities("이천 공장 이 업체 사출기") == []
    assert korean_amount("만") == Decimal(10_000)


def test_money_is_written_the_way_the_sources_write_it() -> None:
    assert won(Decimal(25_800_000)) == "2,580만 원"
    assert won(Decimal(140_000_000)) == "1억 4,000만 원"
    assert won(Decimal(100_000_000)) == "1억 원"
    assert won(Decimal(555_000)) == "55만 5,000원"  # as it is said, not 555,000원
    assert won(Decimal(123_456_789)) == "1억 2,345만 6,789원" and won(Decimal(5_000)) == "5,000원"
    assert percent(Decimal(291) / Decimal(450)) == "64.7%"
    assert percent(Decimal("0.8335")) == "83.4%"  # half up, not banker's rounding
