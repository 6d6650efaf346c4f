"""The whole loop on the real database and stores: an unanswerable question escalates, the
ticket reaches the right expert, the expert answers, the asker's conversation gets it, a
mentor approves the note, and the same question is then answered by the bot from that note."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from assistant.errors import FMError
from assistant.experts import staff
from assistant.types import Channel, Decision, Question
from channels.runtime import Runtime, build_assistant
from ingestion.pipeline import Ingestor
from tests.conftest import make_settings

QUESTION = "화낙 로봇 SRVO-050 충돌검출 알람이 계속 떠요. 리셋 어떻게 해요?"
EXPERT_ANSWER = (
    "SRVO-050 충돌검출 알람은 로봇이 예상보다 큰 외력을 받았을 때 뜹니다. 먼저 비상정지 후 주변 간섭물을 치우고, "
    "티치펜던트에서 알람 이력을 확인한 뒤 RESET 키로 해제하세요. 같은 위치에서 반복되면 가반하중 설정을 점검해야 합니다."
)


@pytest.fixture
def service(tmp_path: Path):
    docs = tmp_path / "docs" / "policies"
    docs.mkdir(parents=True)
    (docs / "oee.md").write_text("# 설비종합효율\n설비종합효율은 가동률 × 성능효율 × 양품률로 계산합니다.\n", encoding="utf-8")
    settings = make_settings(tmp_path / "var")
    assistant = build_assistant(settings)
    Ingestor(assistant.stores).sync(tmp_path / "docs")
    with assistant.db.session_scope() as s:
        automation = staff.create_user(s, name="김자동", role="expert", expertise=["자동화"], region="경기")
        staff.create_user(s, name="이품질", role="expert", expertise=["품질"], region="경기")
        mentor = staff.create_user(s, name="박멘토", role="mentor")
        tokens = {
            "expert": staff.issue_token(s, user_id=automation.id).token,
            "mentor": staff.issue_token(s, user_id=mentor.id).token,
        }
    yield assistant, tokens
    assistant.db.dispose()
    assistant.stores.close()


def test_unanswerable_question_round_trip(service) -> None:
    assistant, tokens = service
    first = assistant.ask(Question(text=QUESTION, channel=Channel.web, user_id="owner-1"))
    assert first.decision == Decision.escalate and first.ticket_id

    expert = assistant.desk.authenticate(tokens["expert"])
    queue = assistant.desk.list_tickets(expert)
    assert [t.id for t in queue] == [first.ticket_id]
    ticket = queue[0]
    assert ticket.topic == "자동화" and ticket.assignee == "김자동"  # routed by expertise
    assert ticket.question == QUESTION and ticket.conversation[0].text == QUESTION

    # while a person holds the conversation the bot stays quiet
    held = assistant.ask(Question(text="아직인가요?", conversation_id=first.conversation_id, channel=Channel.web,
                                  user_id="owner-1"))
    assert held.decision == Decision.escalate and "전문가" in held.answer and held.ticket_id is None

    assistant.desk.claim_ticket(expert, ticket.id)
    answered = assistant.desk.answer_ticket(expert, ticket.id, EXPERT_ANSWER)
    assert answered.status == "answered"
    turns = assistant.desk.history(first.conversation_id, owner_id="owner-1")
    assert turns[-1].role == "expert" and turns[-1].text == EXPERT_ANSWER
    with pytest.raises(FMError):
        assistant.desk.history(first.conversation_id, owner_id="someone-else")

    # the delivery to the asker goes through the outbox, once
    runtime = Runtime(assistant.settings, assistant=assistant)
    delivered = asyncio.run(runtime.background_loop(runtime.senders()).worker.drain())
    assert delivered >= 1
    assistant.desk.close_ticket(expert, ticket.id)

    mentor = assistant.desk.authenticate(tokens["mentor"])
    with pytest.raises(FMError) as info:
        assistant.desk.approve_note(expert, assistant.desk.list_notes(mentor)[0].id)  # experts cannot approve
    assert info.value.status == 403
    note = assistant.desk.list_notes(mentor)[0]
    assert note.question == QUESTION and note.expert_name == "김자동"
    assistant.desk.approve_note(mentor, note.id)

    again = assistant.ask(Question(text=QUESTION, channel=Channel.web, user_id="owner-2"))
    assert again.decision in (Decision.answered, Decision.offer_expert), again.answer
    assert again.citations[0].source.startswith("notes/expert-note-")
    assert "외력" in again.answer  # the expert's own words, now from the knowledge base


def test_rejected_note_is_kept_but_not_ingested(service) -> None:
    assistant, tokens = service
    first = assistant.ask(Question(text=QUESTION, channel=Channel.web, user_id="owner-1"))
    expert = assistant.desk.authenticate(tokens["expert"])
    assistant.desk.claim_ticket(expert, first.ticket_id)
    assistant.desk.answer_ticket(expert, first.ticket_id, EXPERT_ANSWER)
    mentor = assistant.desk.authenticate(tokens["mentor"])
    note = assistant.desk.list_notes(mentor)[0]
    assistant.desk.reject_note(mentor, note.id, "사실 확인 필요")
    assert [n.status for n in assistant.desk.list_notes(mentor, status=None)] == ["rejected"]
    assert not any(s.startswith("notes/") for s in assistant.stores.catalog.sources())


def test_expert_request_after_an_answer(service) -> None:
    assistant, tokens = service
    answer = assistant.ask(Question(text="설비종합효율은 어떻게 계산해요?", channel=Channel.web, user_id="owner-9"))
    assert answer.decision == Decision.answered
    ticket = assistant.desk.request_expert(answer.conversation_id, owner_id="owner-9")
    again = assistant.desk.request_expert(answer.conversation_id, owner_id="owner-9")
    assert again.id == ticket.id  # one ticket per conversation, however often the button is pressed
    assert ticket.draft and "가동률" in ticket.draft and ticket.sources
    with pytest.raises(FMError):
        assistant.desk.request_expert(answer.conversation_id, owner_id="intruder")
