"""Ticket topics come from what the owner asked (never from the bot's sources), 미분류 when unsure.

The questions here are not golden cases: the golden ones are measured by `eval topics`.
"""

from __future__ import annotations

import pytest

from assistant.experts.routing import GENERAL_TOPIC, TICKET_TOPICS, topic_for


@pytest.mark.parametrize(("question", "topic"), [
    ("사람이랑 상담하고 싶어요", GENERAL_TOPIC),  # a request for a person names no subject
    ("방문 상담 신청 가능할까요", GENERAL_TOPIC),  # "신청" alone is a weak hint
    ("납품 계약 분쟁이 생겼어요", "계약·법률"),
    ("MES 구축업체와 계약 해지 소송 중입니다", "계약·법률"),  # the judgement asked, not the system named
    ("로봇 셀에 안전 펜스를 꼭 쳐야 하나요", "안전·인증"),
    ("안전재고는 어떻게 정하나요", "ERP"),
    ("작업지시가 현장에 늦게 내려가요", "MES"),
    ("바우처 사업계획서 양식 어디서 받나요", "지원사업"),
    ("사출 불량이 늘었어요", "품질"),
])
def test_topic_from_the_question(question: str, topic: str) -> None:
    assert topic_for(question) == topic
    assert topic in TICKET_TOPICS


def test_an_unsure_request_takes_the_topic_of_the_owners_earlier_questions() -> None:
    earlier = ["재고가 장부랑 안 맞아요", "ERP 바꾸면 해결되나요?"]
    assert topic_for("담당자 연결해 주세요", earlier) == "ERP"
    assert topic_for("담당자 연결해 주세요", ["안녕하세요"]) == GENERAL_TOPIC
    assert topic_for("PLC 통신이 끊겨요", earlier) == "자동화"  # the question itself wins
