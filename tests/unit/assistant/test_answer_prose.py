"""What an owner reads, on the shipped knowledge: no copied table pipes or checkboxes, no
complaint quoted as an answer, no "what not to do" item passed off as advice, lists as lists."""

from __future__ import annotations

import re

import pytest

from assistant.service import Assistant
from assistant.types import Decision, Question

ARTIFACTS = re.compile(r" \| |[□■☐☑☒✓✔▢◻]")


@pytest.mark.parametrize(
    "text",
    [
        "고도화1은 지원 한도가 얼마예요?",
        "울산 자동차부품 회사는 도입하고 불량이 얼마나 줄었어요?",
        "신청 전에 점검할 거 뭐 있어요?",
        "제출 서류 중에 빠뜨리기 쉬운 게 뭐예요?",
        "지원 단계별로 뭘 구축해요?",
    ],
)
def test_answers_carry_no_table_pipes_or_checkboxes(assistant: Assistant, text: str) -> None:
    answer = assistant.ask(Question(text=text))
    assert answer.answer and not ARTIFACTS.search(answer.answer), answer.answer


def test_the_chat_page_example_is_not_answered_with_a_complaint(assistant: Assistant) -> None:
    answer = assistant.ask(Question(text="기업 부담금은 얼마인가요?"))
    assert "헷갈린다" not in answer.answer, answer.answer
    first = answer.answer.split("\n")[0]
    assert re.search(r"\d+\s*%|원", first), answer.answer  # the share or the amount comes first


def test_what_not_to_do_is_not_offered_as_what_counts(assistant: Assistant) -> None:
    answer = assistant.ask(Question(text="그럼 현물로는 뭘 인정받을 수 있어요?"))
    for line in answer.answer.split("\n"):
        for part in re.split(r"\[\d+\]", line):
            if "부풀려" in part or "대신 내 주는" in part:
                assert "하면 안 되는 것" in part, answer.answer


def test_a_list_question_gets_a_list(assistant: Assistant) -> None:
    answer = assistant.ask(Question(text="사업계획서 쓸 때 흔히 하는 실수가 뭐예요?"))
    assert answer.decision in (Decision.answered, Decision.offer_expert)
    items = [ln for ln in answer.answer.split("\n") if re.match(r"(- |\d\. )", ln)]
    assert 3 <= len(items) <= 7, answer.answer


def test_a_rule_that_points_to_a_list_is_answered_with_the_list(assistant: Assistant) -> None:
    """"…아래 세 가지를 모두 갖춘 기업이 신청할 수 있습니다" is worth nothing without the three."""
    answer = assistant.ask(Question(text="스마트공장 구축 지원사업 신청 자격은?"))
    lines = answer.answer.split("\n")
    assert "신청할 수 있습니다" in lines[0], answer.answer
    assert any("중소기업" in line for line in lines[1:]) and any("제조업" in line for line in lines[1:]), answer.answer
