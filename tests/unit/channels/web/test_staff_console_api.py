"""The expert's console through the staff API: suggestions not pre-ticked, drafts only when
the bot had an answer, topics from the question, knowledge search and attached citations."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.unit.channels.web.conftest import OWNER, ask


def _escalated(client: TestClient, message: str) -> dict[str, Any]:
    answer = ask(client, message)
    assert answer["decision"] == "escalate" and answer["ticket_id"], answer
    return answer


def _owner_expert_turn(client: TestClient, cid: str) -> dict[str, Any]:
    turns = client.get(f"/v1/conversations/{cid}", headers=OWNER).json()["turns"]
    return next(t for t in turns if t["role"] == "expert")


def test_an_answer_without_chosen_sources_cites_nothing(client: TestClient, staff: dict[str, dict[str, str]]) -> None:
    cid = ask(client)["conversation_id"]
    ticket = client.post(f"/v1/conversations/{cid}/expert", json={}, headers=OWNER).json()["ticket_id"]
    detail = client.get(f"/v1/staff/tickets/{ticket}", headers=staff["expert"]).json()
    shown = client.get(f"/v1/conversations/{cid}", headers=OWNER).json()["turns"][1]
    assert detail["draft"] == shown["text"] and detail["sources"]  # the draft is what the owner was shown
    answered = client.post(f"/v1/staff/tickets/{ticket}/answer", headers=staff["expert"],
                           json={"text": "수준확인은 현장 심사로 정해집니다."})
    assert answered.status_code == 200, answered.text
    assert _owner_expert_turn(client, cid)["citations"] == []


def test_a_passage_found_by_search_is_the_citation_the_owner_sees(
        client: TestClient, staff: dict[str, dict[str, str]]) -> None:
    cid = ask(client)["conversation_id"]
    ticket = client.post(f"/v1/conversations/{cid}/expert", json={}, headers=OWNER).json()["ticket_id"]
    found = client.get("/v1/staff/search", params={"q": "사후관리 의무기간 환수"}, headers=staff["expert"])
    assert found.status_code == 200, found.text
    passages = found.json()
    assert passages and all(p["chunk_id"] and p["source"] and p["snippet"] for p in passages)
    chosen = passages[0]
    # the browser sends the number and the chunk; the title and text come from the knowledge
    citation = {"n": 7, "chunk_id": chosen["chunk_id"], "title": "가짜 제목", "snippet": "지어낸 문장"}
    answered = client.post(f"/v1/staff/tickets/{ticket}/answer", headers=staff["expert"],
                           json={"text": "의무기간 안에 시스템을 버리면 환수될 수 있습니다 [7].", "citations": [citation]})
    assert answered.status_code == 200, answered.text
    [cited] = _owner_expert_turn(client, cid)["citations"]
    assert (cited["n"], cited["source"], cited["title"]) == (7, chosen["source"], chosen["title"])
    assert cited["snippet"] != "지어낸 문장"


def test_a_citation_that_names_no_passage_is_refused(client: TestClient, staff: dict[str, dict[str, str]]) -> None:
    cid = ask(client)["conversation_id"]
    ticket = client.post(f"/v1/conversations/{cid}/expert", json={}, headers=OWNER).json()["ticket_id"]
    refused = client.post(f"/v1/staff/tickets/{ticket}/answer", headers=staff["expert"],
                          json={"text": "답변", "citations": [{"n": 1, "chunk_id": "no-such-chunk", "title": "x"}]})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "unknown_citation"
    assert client.get(f"/v1/staff/tickets/{ticket}", headers=staff["expert"]).json()["status"] == "open"


def test_knowledge_search_is_for_experts_and_mentors(client: TestClient, staff: dict[str, dict[str, str]]) -> None:
    for role in ("expert", "mentor", "admin"):
        assert client.get("/v1/staff/search?q=수준확인", headers=staff[role]).status_code == 200
    for role in ("owner", "evaluator"):
        assert client.get("/v1/staff/search?q=수준확인", headers=staff[role]).status_code == 403
    assert client.get("/v1/staff/search?q=수준확인").status_code == 401
    assert client.get("/v1/staff/search?q=", headers=staff["expert"]).status_code == 422
    blank = client.get("/v1/staff/search?q=%20%20", headers=staff["expert"])
    assert blank.status_code == 400 and blank.json()["error"]["message"] == "검색어를 입력해 주세요."


def test_a_request_for_a_person_is_filed_unsorted_with_no_draft(
        client: TestClient, staff: dict[str, dict[str, str]]) -> None:
    ticket = _escalated(client, "사람이랑 상담하고 싶어요")["ticket_id"]
    detail = client.get(f"/v1/staff/tickets/{ticket}", headers=staff["expert"]).json()
    assert (detail["topic"], detail["draft"], detail["sources"]) == ("미분류", None, [])
    recomputed = client.get(f"/v1/staff/tickets/{ticket}/draft", headers=staff["expert"]).json()
    assert recomputed["answer"] == "" and recomputed["citations"] == []


def test_a_contract_dispute_is_filed_under_law_without_unrelated_text(
        client: TestClient, staff: dict[str, dict[str, str]]) -> None:
    ticket = _escalated(client, "공급업체가 계약 위반했는데 소송 가능한가요")["ticket_id"]
    detail = client.get(f"/v1/staff/tickets/{ticket}", headers=staff["expert"]).json()
    assert (detail["topic"], detail["draft"], detail["sources"]) == ("계약·법률", None, [])
