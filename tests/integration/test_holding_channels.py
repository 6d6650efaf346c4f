"""The holding rules (`assistant.experts.holding`) through Slack and KakaoTalk: signed Slack
events and button clicks against the local Slack Web API server, Kakao skill payloads;
escalate, ask something else while queued, expert claims (the bot stays quiet, "봇에게
묻기" still reaches it), expert answers, ask again."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant.db.models import OutboxItem
from assistant.experts.staff import issue_token
from assistant.stores import Stores
from channels.kakao import responses as r
from channels.slack import blocks
from tests.integration.channel_app import add_staff, assistant_for, build_app, channel_settings
from tests.integration.fake_servers import FakeSlack
from tests.integration.test_kakao_e2e import HEADERS, labels, payload, texts
from tests.integration.test_slack_e2e import click, mention, post_event, post_interaction

pytestmark = pytest.mark.integration

ESCALATE = "사람이랑 상담하고 싶어요"
QUESTIONS = ("스마트공장 구축 지원사업 신청 자격은?", "스마트공장 수준확인 제도가 무엇인가요?",
             "스마트공장 지원사업에서 기업 부담금은 얼마인가요?")
QUEUED = "전문가 답변을 기다리는 동안, 이 질문에는 봇이 답합니다."
ASKED = "'봇에게 묻기'로 봇이 답합니다"


def _expert(assistant: Any, **handles: str) -> Any:
    uid = add_staff(assistant, name="김전문", **handles)
    with assistant.db.session_scope() as s:
        token = issue_token(s, user_id=uid).token
    return assistant.desk.authenticate(token)


def _relayed(assistant: Any) -> list[str]:
    with assistant.db.session_scope() as s:
        rows = s.scalars(select(OutboxItem).where(OutboxItem.kind == "ticket_user_message"))
        return [row.payload["text"] for row in rows]


def _ticket_of(assistant: Any, conversation_id: str) -> str:
    from assistant.experts.hand_off import active_ticket

    with assistant.db.session_scope() as s:
        ticket = active_ticket(s, conversation_id=conversation_id)
        assert ticket is not None
        return ticket.id


# -- Slack ------------------------------------------------------------------------------------
@pytest.fixture
def slack_env(tmp_path: Path, knowledge_stores: Stores) -> Iterator[tuple[TestClient, Any, FakeSlack]]:
    with FakeSlack() as slack:
        settings = channel_settings(tmp_path / "var", slack_bot_token=FakeSlack.TOKEN,
                                    slack_api_url=f"{slack.url}/api/")
        with assistant_for(settings, knowledge_stores) as assistant:
            with TestClient(build_app(settings, assistant)) as client:
                yield client, assistant, slack


def _thread_posts(slack: FakeSlack, count: int, timeout: float = 60.0) -> list[Any]:
    """The first `count` messages the bot posted in the asker's channel."""
    deadline = time.monotonic() + timeout
    while True:
        posts = [p for p in slack.calls("/chat.postMessage") if p.body["channel"] == "CQA"]
        if len(posts) >= count or time.monotonic() > deadline:
            assert len(posts) >= count, [p.body["text"] for p in posts]
            return posts[:count]
        time.sleep(0.05)


def _reply(ts: str, text: str, thread: str) -> dict[str, Any]:
    return {"type": "message", "channel_type": "channel", "user": "UOWNER", "text": text, "ts": ts,
            "thread_ts": thread, "channel": "CQA", "team": "T1", "event_ts": ts}


def test_holding_in_a_slack_thread(slack_env: tuple[TestClient, Any, FakeSlack]) -> None:
    client, assistant, slack = slack_env
    expert = _expert(assistant, slack="UEXP")
    thread = "1700000000.000100"
    post_event(client, mention(thread, ESCALATE), "EvH1")
    first = _thread_posts(slack, 1)[0].body
    assert "전문가" in first["text"]
    cid = assistant.desk.conversation_id_for("slack", "UOWNER")
    ticket = _ticket_of(assistant, cid)

    post_event(client, _reply("1700000000.000200", QUESTIONS[0], thread), "EvH2")  # queued: the bot answers
    queued = _thread_posts(slack, 2)[1].body
    assert queued["thread_ts"] == thread and queued["blocks"][0]["text"]["text"].startswith(QUEUED)
    assert "[1]" in json.dumps(queued["blocks"], ensure_ascii=False)
    assert _relayed(assistant)[-1].endswith(QUESTIONS[0])  # in the ticket's thread: the expert sees it too

    assistant.desk.claim_ticket(expert, ticket)  # the expert is on it: the bot stays quiet
    post_event(client, _reply("1700000000.000300", QUESTIONS[1], thread), "EvH3")
    held = _thread_posts(slack, 3)[2].body
    assert "김전문 전문가가" in held["text"]
    ask_bot = next(b for b in held["blocks"][-1]["elements"] if b["action_id"] == blocks.A_ASK_BOT)
    assert ask_bot["text"]["text"] == "봇에게 묻기"
    resp = post_interaction(client, click(blocks.A_ASK_BOT, json.loads(ask_bot["value"]), user="UOWNER",
                                          channel="CQA", message_ts="1800000000.000009", thread_ts=thread))
    assert resp.status_code == 200
    anyway = _thread_posts(slack, 4)[3].body  # the bot answers the held question anyway
    assert anyway["thread_ts"] == thread and anyway["blocks"][0]["text"]["text"].startswith(ASKED)
    assert "수준확인" in json.dumps(anyway["blocks"], ensure_ascii=False)

    assistant.desk.answer_ticket(expert, ticket, "중소기업이면 신청할 수 있습니다. 공고문을 확인하세요.")
    post_event(client, _reply("1700000000.000400", QUESTIONS[2], thread), "EvH4")
    posts = _thread_posts(slack, 6)  # the expert's answer (through the outbox) and the bot's, in either order
    after = next(p.body for p in posts[4:] if p.body["text"].startswith("전문가 답변이 끝난 문의와 별개의"))
    assert after["blocks"][0]["text"]["text"].startswith("전문가 답변이 끝난 문의와 별개의 새 질문이라 봇이 답합니다")
    assert "부담금" in json.dumps(after["blocks"], ensure_ascii=False)
    assert _relayed(assistant)[-1].endswith(QUESTIONS[2])  # a reply in the ticket's thread still reaches the expert


# -- KakaoTalk --------------------------------------------------------------------------------
@pytest.fixture
def kakao_env(tmp_path: Path, knowledge_stores: Stores) -> Iterator[tuple[TestClient, Any]]:
    settings = channel_settings(tmp_path / "var", kakao_answer_wait_s=30.0)  # inline answers, however loaded
    with assistant_for(settings, knowledge_stores) as assistant:
        with TestClient(build_app(settings, assistant)) as client:
            yield client, assistant


def _say(client: TestClient, text: str) -> dict[str, Any]:
    resp = client.post("/kakao/skill", json=payload(text), headers=HEADERS)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_holding_on_kakao(kakao_env: tuple[TestClient, Any]) -> None:
    client, assistant = kakao_env
    expert = _expert(assistant)
    first = _say(client, ESCALATE)
    assert "전문가" in texts(first)[0] and r.Q_EXPERT_CHECK in labels(first)
    ticket = _ticket_of(assistant, assistant.desk.conversation_id_for("kakao", "kakao-user-1"))

    queued = _say(client, QUESTIONS[0])
    assert texts(queued)[0].startswith(QUEUED) and r.Q_ASK_BOT not in labels(queued)
    attached = _say(client, "사진 보내 드릴게요")
    assert "덧붙여" in texts(attached)[0] and labels(attached)[0] == r.Q_ASK_BOT
    assert _relayed(assistant)[-1].endswith("사진 보내 드릴게요")

    assistant.desk.claim_ticket(expert, ticket)
    held = _say(client, QUESTIONS[1])
    assert "김전문 전문가가" in texts(held)[0] and labels(held)[0] == r.Q_ASK_BOT
    anyway = _say(client, r.Q_ASK_BOT)  # the quick reply sends its label: the bot answers the held question
    assert texts(anyway)[0].startswith(ASKED) and "수준확인" in " ".join(texts(anyway))

    assistant.desk.answer_ticket(expert, ticket, "중소기업이면 신청할 수 있습니다. 공고문을 확인하세요.")
    deadline = time.monotonic() + 60
    while not assistant.desk.pending_deliveries("kakao", "kakao-user-1") and time.monotonic() < deadline:
        time.sleep(0.1)  # the app's outbox worker files it for the next message
    after = _say(client, QUESTIONS[2])  # the expert's answer first (Kakao cannot push), then the bot's
    shown = texts(after)
    assert "공고문을 확인하세요" in shown[0]
    assert any("봇이 답합니다" in t for t in shown[1:]) and "부담금" in " ".join(shown[1:])
