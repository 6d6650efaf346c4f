"""Kakao renderings of the hand-off: where a later expert answer appears, and "봇에게 묻기"."""

from __future__ import annotations

from assistant.types import Answer, Decision
from channels.kakao import responses as r
from tests.unit.channels.kakao.test_responses import assert_limits


def test_an_escalation_says_the_answer_comes_with_the_next_message() -> None:
    answer = Answer(answer="전문가에게 질문을 전달했습니다.", decision=Decision.escalate, confidence=0.0,
                    conversation_id="c", message_id="m", ticket_id="t1")
    body = r.answer_response(answer)
    assert_limits(body)
    text = body["template"]["outputs"][0]["simpleText"]["text"]
    assert text.endswith(r.LATER_NOTE) and "다음에 메시지를 보내실 때" in text
    assert [q["label"] for q in body["template"]["quickReplies"]] == [r.Q_EXPERT_CHECK]


def test_a_held_message_offers_to_ask_the_bot() -> None:
    answer = Answer(answer="김전문 전문가가 이 질문의 답변을 작성하고 있어요.", decision=Decision.escalate,
                    confidence=0.0, conversation_id="c", message_id="m", offer_ask_bot=True)
    body = r.answer_response(answer)
    assert_limits(body)
    (first, *_rest) = body["template"]["quickReplies"]
    assert first == {"label": "봇에게 묻기", "action": "message", "messageText": "봇에게 묻기"}
    assert r.LATER_NOTE not in body["template"]["outputs"][0]["simpleText"]["text"]  # no new ticket
