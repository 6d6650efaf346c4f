"""Staff endpoints: token auth, role checks, the ticket workflow, mentor drafts, note review."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.channels.web.conftest import OWNER, ask


def _ticket(client: TestClient) -> str:
    cid = ask(client)["conversation_id"]
    return client.post(f"/v1/conversations/{cid}/expert", json={}, headers=OWNER).json()["ticket_id"]


def test_staff_endpoints_need_a_valid_token(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer fm_000000000000_wrong"}, {"Authorization": "Basic abc"}):
        response = client.get("/v1/staff/tickets", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] in {"unauthorized", "invalid_token"}
        assert "토큰" in response.json()["error"]["message"]


def test_roles_are_checked(client: TestClient, staff: dict[str, dict[str, str]]) -> None:
    ticket = _ticket(client)
    assert client.get("/v1/staff/me", headers=staff["expert"]).json()["role"] == "expert"
    refused = [
        client.get("/v1/staff/tickets", headers=staff["owner"]),
        client.post(f"/v1/staff/tickets/{ticket}/answer", json={"text": "답"}, headers=staff["evaluator"]),
        client.post("/v1/staff/notes/any/approve", headers=staff["expert"]),
        client.post("/v1/staff/exports", json={"ticket_id": ticket}, headers=staff["expert"]),
    ]
    for response in refused:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["message"] == "이 작업을 할 권한이 없습니다."
    assert client.get("/v1/staff/tickets", headers=staff["evaluator"]).status_code == 200  # may read


def test_ticket_queue_filters_and_the_answer_workflow(client: TestClient, staff: dict[str, dict[str, str]]) -> None:
    expert = staff["expert"]
    ticket = _ticket(client)
    assert [t["id"] for t in client.get("/v1/staff/tickets?status=open", headers=expert).json()] == [ticket]
    assert client.get("/v1/staff/tickets?status=closed", headers=expert).json() == []
    assert client.get("/v1/staff/tickets?overdue=true", headers=expert).json() == []
    detail = client.get(f"/v1/staff/tickets/{ticket}", headers=expert).json()
    assert detail["overdue"] is False and detail["due_at"] and detail["draft"] and detail["sources"]
    assert client.post(f"/v1/staff/tickets/{ticket}/claim", headers=expert).json()["status"] == "claimed"
    empty = client.post(f"/v1/staff/tickets/{ticket}/answer", json={"text": "   "}, headers=expert)
    assert empty.status_code == 400 and empty.json()["error"]["message"] == "답변 내용을 입력해 주세요."
    answered = client.post(f"/v1/staff/tickets/{ticket}/answer", headers=expert,
                           json={"text": "현장 심사로 확인합니다.", "citations": detail["sources"][:1]})
    assert answered.status_code == 200
    assert answered.json()["status"] == "answered" and answered.json()["answer"] == "현장 심사로 확인합니다."
    assert client.post(f"/v1/staff/tickets/{ticket}/close", headers=expert).json()["status"] == "closed"
    missing = client.get("/v1/staff/tickets/nope", headers=expert)
    assert missing.status_code == 404


def test_expert_notes_wait_for_a_mentors_review(client: TestClient, staff: dict[str, dict[str, str]]) -> None:
    ticket = _ticket(client)
    client.post(f"/v1/staff/tickets/{ticket}/answer", json={"text": "전문가의 답입니다."}, headers=staff["expert"])
    notes = client.get("/v1/staff/notes", headers=staff["mentor"]).json()
    assert [(n["answer"], n["expert_name"], n["ticket_id"]) for n in notes] == [("전문가의 답입니다.", "박전문", ticket)]
    rejected = client.post(f"/v1/staff/notes/{notes[0]['id']}/reject", json={"reason": "근거 부족"},
                           headers=staff["mentor"])
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert client.get("/v1/staff/notes", headers=staff["mentor"]).json() == []


def test_mentor_draft_suggests_citations_with_reasons(client: TestClient, staff: dict[str, dict[str, str]]) -> None:
    response = client.post("/v1/staff/drafts", json={"question": "스마트공장 수준확인 제도가 뭔가요?",
                                                     "context": "경기 금속가공 30인"}, headers=staff["mentor"])
    assert response.status_code == 200
    draft = response.json()
    assert "[1]" in draft["answer"] and draft["citations"]
    assert len(draft["suggestions"]) >= len(draft["citations"])
    assert all(s["reason"] and s["snippet"] for s in draft["suggestions"])
    empty = client.post("/v1/staff/drafts", json={"question": ""}, headers=staff["mentor"])
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "empty_question"
