"""Who answers on the web API while the conversation has a ticket: queued, claimed (with
"봇에게 묻기"), answered. The rules are `assistant.experts.holding`; here, what a page sees."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.channels.web.conftest import ANSWERABLE, OWNER, ask, sse_events

ESCALATE = "사람이랑 상담하고 싶어요"


def _chat(client: TestClient, message: str, cid: str, **extra: object) -> dict:
    response = client.post("/v1/chat", json={"message": message, "conversation_id": cid, **extra}, headers=OWNER)
    assert response.status_code == 200, response.text
    return response.json()


def test_holding_states_through_the_api(client: TestClient, staff: dict[str, dict[str, str]]) -> None:
    first = ask(client, ESCALATE)
    cid, ticket = first["conversation_id"], first["ticket_id"]
    assert first["decision"] == "escalate" and ticket

    queued = client.post("/v1/chat", json={"message": ANSWERABLE, "conversation_id": cid},
                         headers={**OWNER, "Accept": "text/event-stream"})
    events = sse_events(queued.text)
    assert events[0] == ("text", {"text": "전문가 답변을 기다리는 동안, 이 질문에는 봇이 답합니다.\n"})  # who answers, first
    final = events[-1][1]
    assert final["decision"] in ("answered", "offer_expert") and final["citations"] and not final["offer_ask_bot"]
    attached = _chat(client, "언제 답 와요?", cid)
    assert attached["decision"] == "escalate" and "덧붙여" in attached["answer"] and attached["offer_ask_bot"]

    claimed = client.post(f"/v1/staff/tickets/{ticket}/claim", headers=staff["expert"])
    assert claimed.status_code == 200, claimed.text
    held = _chat(client, ANSWERABLE, cid)
    assert held["decision"] == "escalate" and held["offer_ask_bot"] and not held["citations"]
    assert "박전문 전문가가" in held["answer"] and "봇에게 묻기" in held["answer"]
    anyway = _chat(client, "봇에게 묻기", cid, ask_bot=True)  # the page's button: the bot answers the last question
    assert anyway["decision"] in ("answered", "offer_expert") and anyway["citations"]
    assert anyway["answer"].startswith("'봇에게 묻기'로 봇이 답합니다")

    done = client.post(f"/v1/staff/tickets/{ticket}/answer", json={"text": "내일 오전에 전화 드리겠습니다."},
                       headers=staff["expert"])
    assert done.status_code == 200, done.text
    after = _chat(client, ANSWERABLE, cid)
    assert after["decision"] in ("answered", "offer_expert") and after["citations"] and not after["offer_ask_bot"]
    turns = client.get(f"/v1/conversations/{cid}", headers=OWNER).json()["turns"]
    assert [t["role"] for t in turns].count("expert") == 1


def test_a_returning_owner_sees_which_conversation_has_an_expert_answer(
        client: TestClient, staff: dict[str, dict[str, str]]) -> None:
    first = ask(client, ESCALATE)
    second = ask(client, ANSWERABLE)  # "새 대화": a second conversation
    listed = client.get("/v1/conversations", headers=OWNER).json()
    assert [c["conversation_id"] for c in listed] == [second["conversation_id"], first["conversation_id"]]
    assert listed[1]["title"] == ESCALATE and listed[1]["waiting_expert"] and listed[1]["expert_answers"] == 0

    done = client.post(f"/v1/staff/tickets/{first['ticket_id']}/answer", json={"text": "내일 전화 드리겠습니다."},
                       headers=staff["expert"])
    assert done.status_code == 200, done.text
    by_id = {c["conversation_id"]: c for c in client.get("/v1/conversations", headers=OWNER).json()}
    answered = by_id[first["conversation_id"]]
    assert answered["expert_answers"] == 1 and answered["last_expert_at"] and not answered["waiting_expert"]
    assert by_id[second["conversation_id"]]["expert_answers"] == 0
    turns = client.get(f"/v1/conversations/{first['conversation_id']}", headers=OWNER).json()["turns"]
    assert turns[-1] == {**turns[-1], "role": "expert", "text": "내일 전화 드리겠습니다."}
    assert client.get("/v1/conversations", headers={"X-Owner-Id": "owner-bbbb2222"}).json() == []
    assert client.get("/v1/conversations").json()["error"]["code"] == "missing_owner"
