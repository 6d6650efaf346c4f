"""The chat page's example questions are what a new user tries first: each one, asked
through the web API over the shipped knowledge, is answered (not offered to an expert,
not escalated), cites a source, and states the fact the question asks for."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.unit.channels.web.conftest import OWNER

pytestmark = pytest.mark.quality

# example text on the page -> what a good answer must state (any one of the alternatives)
EXPECTED = {
    "기초 단계 구축 지원은 정부가 최대 얼마까지 지원하나요?": ["5,000만 원", "5,000만원"],  # cost
    "기업 부담금 중 현금은 얼마나 내야 하나요?": ["30%"],  # subsidy rule
    "창원에서 기계부품 만드는데 MES 구축할 공급기업 추천해 주세요": ["다온스마트팩토리"],  # supplier
    "부하시간 450분, 사이클 30초, 양품 582개면 OEE는 얼마인가요?": ["64.7%"],  # OEE with numbers
    "스마트공장 수준확인 제도가 뭔가요?": ["현장에서 확인", "1~5단계", "5단계"],  # programme: what it is
}
EXAMPLE = re.compile(r'<button type="button" class="example">([^<]+)</button>')


def page_examples(client: TestClient) -> list[str]:
    return EXAMPLE.findall(client.get("/").text)


def test_the_page_shows_examples_across_cost_subsidy_supplier_and_calculation(client: TestClient) -> None:
    examples = page_examples(client)
    assert examples == list(EXPECTED), "an example changed: give it its expected fact here"


@pytest.mark.parametrize("example", list(EXPECTED))
def test_each_example_is_answered_with_a_citation_and_its_fact(client: TestClient, example: str) -> None:
    body = client.post("/v1/chat", json={"message": example}, headers=OWNER).json()
    assert body["decision"] == "answered", (example, body["decision"], body["answer"])
    assert body["citations"], example
    assert re.findall(r"\[\d+\]", body["answer"]), "the answer refers to its sources"
    squashed = re.sub(r"\s+", "", body["answer"])
    assert any(re.sub(r"\s+", "", fact) in squashed for fact in EXPECTED[example]), body["answer"]
