"""Who answers while a conversation has a ticket: the rules themselves, then each state on
the real service (database, shipped knowledge)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.db.models import OutboxItem
from assistant.experts import staff
from assistant.experts.holding import Context, about_ticket, ask_bot_request, route
from assistant.service import Assistant
from assistant.stores import Stores
from assistant.types import Channel, Decision, Question
from assistant.wiring import build_assistant
from tests.conftest import make_settings

ESCALATE = "사람이랑 상담하고 싶어요"
OTHER = "설비종합효율은 어떻게 계산해요?"


@pytest.mark.parametrize(
    ("status", "message", "context", "answerer", "relay", "reason"),
    [
        (None, "언제 답 와요?", Context(), "bot", False, "no_ticket"),
        ("closed", "사진 보내 드릴게요", Context(), "bot", False, "no_ticket"),
        ("open", "사진 보내 드릴게요", Context(), "expert", True, "attached_to_ticket"),
        ("reopened", "언제 답 와요?", Context(), "expert", True, "attached_to_ticket"),
        ("open", OTHER, Context(), "bot", False, "queued_bot_answers"),
        ("open", OTHER, Context(in_ticket_thread=True), "bot", True, "queued_bot_answers"),
        ("claimed", OTHER, Context(), "expert", True, "held_by_human"),
        ("claimed", OTHER, Context(ask_bot=True), "bot", False, "asked_bot"),
        ("open", "언제 답 와요?", Context(ask_bot=True), "bot", False, "asked_bot"),
        ("answered", "감사합니다", Context(), "expert", True, "reply_to_expert"),
        ("answered", OTHER, Context(), "bot", False, "after_expert_answer"),
        ("answered", OTHER, Context(in_ticket_thread=True), "bot", True, "after_expert_answer"),
    ],
)
def test_routing_table(status: str | None, message: str, context: Context, answerer: str, relay: bool,
                       reason: str) -> None:
    routing = route(status, message, context)
    assert (routing.answerer, routing.relay, routing.reason) == (answerer, relay, reason)
    if status not in (None, "closed"):
        assert routing.notice and ("봇" in routing.notice or "전문가" in routing.notice)  # says who answers


def test_claimed_notice_names_the_expert_and_offers_the_bot() -> None:
    notice = route("claimed", "아직이에요?", Context(expert_name="김자동")).notice or ""
    assert "김자동 전문가가" in notice and "봇에게 묻기" in notice


def test_about_the_ticket_is_a_short_message_about_the_hand_off() -> None:
    for text in ("사진 보내 드릴게요", "언제 답 와요?", "감사합니다!", "담당자 연락 부탁해요", "아직인가요?"):
        assert about_ticket(text), text
    for text in (OTHER, "그럼 신청은 언제 해요?", "", "MES 도입 비용 " * 8):
        assert not about_ticket(text), text


def test_ask_bot_prefix() -> None:
    assert ask_bot_request("봇에게 묻기: 신청은 언제 해요?") == (True, "신청은 언제 해요?")
    assert ask_bot_request("[봇에게 묻기] 불량률") == (True, "불량률")
    assert ask_bot_request("봇에게 묻기") == (True, "")
    assert ask_bot_request("신청은 언제 해요?") == (False, "신청은 언제 해요?")


# -- each state on the real service ----------------------------------------------------------
@pytest.fixture
def desk(tmp_path: Path, knowledge_stores: Stores) -> Iterator[tuple[Assistant, object]]:
    assistant = build_assistant(make_settings(tmp_path / "var"), stores=knowledge_stores)
    assert assistant.db is not None
    with assistant.db.session_scope() as s:
        expert = staff.create_user(s, name="김자동", role="expert", expertise=["일반"])
        token = staff.issue_token(s, user_id=expert.id).token
    yield assistant, assistant.desk.authenticate(token)
    assistant.db.dispose()


def _relayed(assistant: Assistant) -> list[str]:
    with assistant.db.session_scope() as s:  # type: ignore[union-attr]
        items = s.scalars(select(OutboxItem).where(OutboxItem.kind == "ticket_user_message")
                          .order_by(OutboxItem.created_at))
        return [i.payload["text"] for i in items]


def test_each_state_on_the_service(desk: tuple[Assistant, object]) -> None:
    assistant, expert = desk

    def ask(text: str, **extra: object):
        return assistant.ask(Question(text=text, conversation_id=cid, channel=Channel.web, user_id="owner-1",
                                      **extra))

    first = assistant.ask(Question(text=ESCALATE, channel=Channel.web, user_id="owner-1"))
    cid = first.conversation_id
    assert first.decision == Decision.escalate and first.ticket_id

    queued = ask(OTHER)  # waiting in the queue: the bot answers other questions, and says so
    assert queued.decision in (Decision.answered, Decision.offer_expert) and queued.citations
    assert queued.answer.startswith("전문가 답변을 기다리는 동안") and not queued.offer_ask_bot
    attached = ask("사진 보내 드릴게요")
    assert attached.decision == Decision.escalate and attached.offer_ask_bot and "덧붙여" in attached.answer
    assert _relayed(assistant)[-1].endswith("사진 보내 드릴게요")

    assistant.desk.claim_ticket(expert, first.ticket_id)  # an expert on it: the bot stays quiet
    held = ask(OTHER)
    assert held.decision == Decision.escalate and held.offer_ask_bot and "김자동 전문가가" in held.answer
    assert not held.citations and _relayed(assistant)[-1].endswith(OTHER)
    anyway = ask("봇에게 묻기")  # ...unless the owner asks the bot anyway: it answers the held message
    assert anyway.decision in (Decision.answered, Decision.offer_expert) and anyway.citations
    assert anyway.answer.startswith("'봇에게 묻기'로 봇이 답합니다")
    assert [c.source for c in anyway.citations] == [c.source for c in queued.citations]  # the same question
    flagged = ask(OTHER, ask_bot=True)
    assert flagged.citations and not flagged.offer_ask_bot

    assistant.desk.answer_ticket(expert, first.ticket_id, "담당 전문가입니다. 내일 전화 드리겠습니다.")
    after = ask(OTHER)  # answered: the bot answers new questions again
    assert after.decision in (Decision.answered, Decision.offer_expert) and after.citations
    assert "봇이 답합니다" in after.answer
    thanks = ask("감사합니다")  # a reply to the expert still reaches them
    assert thanks.decision == Decision.escalate and _relayed(assistant)[-1].endswith("감사합니다")

    again = ask("납품업체와 계약 분쟁이 생겼는데 손해배상 청구가 가능할까요?")  # a new escalation after the answer is a new ticket, not the answered one
    assert again.decision == Decision.escalate and again.ticket_id and again.ticket_id != first.ticket_id
