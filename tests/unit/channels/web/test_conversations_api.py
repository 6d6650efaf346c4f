"""An owner's conversation: history, isolation between owners, feedback, asking for an expert."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant.db import open_database
from assistant.db.models import Feedback
from assistant.delivery.outbox import Delivery
from channels.web.events import ConversationEvents, WebSender
from tests.unit.channels.web.conftest import ANSWERABLE, OTHER, OWNER, ask, sse_events


def test_history_lists_the_turns_with_their_citations(client: TestClient) -> None:
    answer = ask(client)
    response = client.get(f"/v1/conversations/{answer['conversation_id']}", headers=OWNER)
    assert response.status_code == 200
    turns = response.json()["turns"]
    assert [t["role"] for t in turns] == ["user", "assistant"]
    assert turns[1]["text"] == answer["answer"]
    assert turns[1]["citations"][0]["title"] == answer["citations"][0]["title"]


def test_owners_only_see_their_own_conversations(client: TestClient) -> None:
    cid = ask(client)["conversation_id"]
    for method, path, body in [
        ("GET", f"/v1/conversations/{cid}", None),
        ("GET", f"/v1/conversations/{cid}/events?wait=0", None),
        ("POST", f"/v1/conversations/{cid}/expert", {}),
        ("POST", "/v1/chat", {"message": "이어서 질문합니다", "conversation_id": cid}),
    ]:
        response = client.request(method, path, json=body, headers=OTHER)
        assert response.status_code == 403, (path, response.text)
        assert response.json()["error"]["message"] == "이 대화를 볼 권한이 없습니다."
    unknown = client.get("/v1/conversations/no-such-conversation", headers=OWNER)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"]
    assert client.get(f"/v1/conversations/{cid}").json()["error"]["code"] == "missing_owner"


def test_feedback_is_recorded_and_a_second_vote_replaces_the_first(client: TestClient) -> None:
    answer = ask(client)
    path = f"/v1/conversations/{answer['conversation_id']}/messages/{answer['message_id']}/feedback"
    assert client.post(path, json={"rating": "up"}, headers=OWNER).json() == {"ok": True}
    assert client.post(path, json={"rating": "down", "comment": "지원 금액이 빠졌어요"}, headers=OWNER).status_code == 200
    db = open_database(client.app_settings)  # type: ignore[attr-defined]
    with db.session_scope() as s:
        rows = list(s.scalars(select(Feedback).where(Feedback.message_id == answer["message_id"])))
        assert [(r.rating, r.comment) for r in rows] == [(-1, "지원 금액이 빠졌어요")]
    db.dispose()
    bad = client.post(path, json={"rating": "meh"}, headers=OWNER)
    assert bad.status_code == 422 and "rating" in bad.json()["error"]["message"]
    assert client.post(path, json={"rating": "up"}, headers=OTHER).status_code == 403


def test_asking_for_an_expert_opens_one_ticket_the_expert_sees(client: TestClient,
                                                                 staff: dict[str, dict[str, str]]) -> None:
    answer = ask(client)
    cid = answer["conversation_id"]
    first = client.post(f"/v1/conversations/{cid}/expert", json={"message_id": answer["message_id"]}, headers=OWNER)
    assert first.status_code == 200
    assert first.json()["status"] == "open" and "전문가" in first.json()["message"]
    again = client.post(f"/v1/conversations/{cid}/expert", json={}, headers=OWNER)
    assert again.json()["ticket_id"] == first.json()["ticket_id"]
    queue = client.get("/v1/staff/tickets", headers=staff["expert"]).json()
    assert [t["id"] for t in queue] == [first.json()["ticket_id"]]
    assert queue[0]["conversation_id"] == cid and queue[0]["question"] == ANSWERABLE
    assert [t["role"] for t in queue[0]["conversation"]] == ["user", "assistant"]
    assert queue[0]["draft"] == answer["answer"]  # the bot's answer is the expert's starting draft
    assert {s["title"] for s in queue[0]["sources"]} >= {c["title"] for c in answer["citations"]}


def test_expert_answer_reaches_the_owners_conversation_and_wakes_open_pages(
    client: TestClient, staff: dict[str, dict[str, str]]
) -> None:
    cid = ask(client)["conversation_id"]
    ticket = client.post(f"/v1/conversations/{cid}/expert", json={}, headers=OWNER).json()
    events = client.app.state.events  # type: ignore[attr-defined]  # this app's waiting pages
    waiting = client.portal.start_task_soon(_wait, events, cid)  # type: ignore[union-attr]  # a page waiting
    text = "수준확인은 스마트제조혁신추진단이 지정한 기관이 현장 심사로 확인합니다. (전문가)"
    sent = client.post(f"/v1/staff/tickets/{ticket['ticket_id']}/answer", json={"text": text}, headers=staff["expert"])
    assert sent.status_code == 200 and sent.json()["status"] == "answered"
    assert waiting.result(timeout=10) is True  # the in-process outbox worker ran the web sender
    turns = client.get(f"/v1/conversations/{cid}", headers=OWNER).json()["turns"]
    assert turns[-1]["role"] == "expert" and turns[-1]["text"] == text
    stream = client.get(f"/v1/conversations/{cid}/events?after=2&wait=0", headers=OWNER)
    events = sse_events(stream.text)
    assert [(e, d["role"], d["index"]) for e, d in events] == [("turn", "expert", 2)]


async def _wait(events: ConversationEvents, conversation_id: str) -> bool:
    return await events.wait(conversation_id, 8)


async def test_web_sender_wakes_waiters_and_keeps_the_inbox_copy() -> None:
    events = ConversationEvents()
    kept: list[str] = []

    async def inbox(delivery: Delivery) -> None:
        kept.append(delivery.id)

    sender = WebSender(inbox, events)
    waiter = asyncio.create_task(events.wait("c1", 5))
    await asyncio.sleep(0)
    started = time.monotonic()
    await sender(Delivery(id="d1", idempotency_key="k1", channel="web", kind="expert_answer", recipient={},
                          payload={"conversation_id": "c1", "text": "답변"}, attempt=1, conversation_id="c1"))
    assert await waiter is True and time.monotonic() - started < 1
    await sender(Delivery(id="d2", idempotency_key="k2", channel="web", kind="ticket_assigned",
                          recipient={"user_id": "u1"}, payload={"text": "새 티켓"}, attempt=1))
    assert kept == ["d1", "d2"]
    assert await events.wait("c1", 0.05) is False  # nobody notified it since


def test_each_app_delivers_with_its_own_senders(make_client: Callable[..., TestClient]) -> None:
    first, second = make_client(), make_client()
    senders = [c.app.state.senders for c in (first, second)]  # type: ignore[attr-defined]
    webs = [s.get("web") for s in senders]
    assert all(isinstance(w, WebSender) for w in webs)
    assert webs[0].events is first.app.state.events and webs[1].events is second.app.state.events  # type: ignore
    assert webs[0] is not webs[1] and senders[0].get("slack") is None  # Slack is not configured here
    assert senders[0].get("kakao") is not None  # the in-app inbox keeps what KakaoTalk cannot push
