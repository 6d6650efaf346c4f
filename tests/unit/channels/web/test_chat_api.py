"""`POST /v1/chat`: JSON and streamed answers, and the Korean errors a user sees."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from fastapi.testclient import TestClient

from assistant.errors import FMError
from assistant.types import StreamEvent
from channels.web.app import create_app
from tests.conftest import make_settings
from tests.unit.channels.web.conftest import ANSWERABLE, OWNER, ask, sse_events


def test_chat_answers_with_citations_and_ids(client: TestClient) -> None:
    body = ask(client)
    assert body["decision"] == "answered"
    assert "[1]" in body["answer"]
    first = body["citations"][0]
    assert first["n"] == 1 and first["title"] and first["snippet"] and first["source"].endswith(".md")
    assert body["conversation_id"] and body["message_id"]
    assert set(body) >= {"answer", "decision", "confidence", "mode", "citations", "conversation_id", "message_id"}


def test_follow_up_continues_the_same_conversation(client: TestClient) -> None:
    first = ask(client)
    second = ask(client, "그 제도는 누가 운영하나요?", conversation_id=first["conversation_id"])
    assert second["conversation_id"] == first["conversation_id"]
    turns = client.get(f"/v1/conversations/{first['conversation_id']}", headers=OWNER).json()["turns"]
    assert [t["role"] for t in turns] == ["user", "assistant", "user", "assistant"]
    assert turns[2]["text"] == "그 제도는 누가 운영하나요?"


def test_stream_sends_text_then_citations_then_final(client: TestClient) -> None:
    response = client.post("/v1/chat", json={"message": ANSWERABLE},
                           headers={**OWNER, "Accept": "text/event-stream"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "text" and kinds[-2:] == ["citations", "final"]
    assert set(kinds[:-2]) == {"text"}
    final = events[-1][1]
    streamed = "".join(data["text"] for kind, data in events if kind == "text")
    assert streamed.strip() == final["answer"].strip()
    assert events[-2][1]["citations"] == final["citations"] and final["citations"]
    assert final["conversation_id"] and final["message_id"]


def test_empty_and_too_long_messages_are_refused_in_korean(client: TestClient) -> None:
    empty = client.post("/v1/chat", json={"message": "   "}, headers=OWNER)
    assert empty.status_code == 400
    assert empty.json()["error"] == {"code": "empty_question", "message": "질문 내용을 입력해 주세요."}
    long = client.post("/v1/chat", json={"message": "가" * 2001}, headers=OWNER)
    assert long.status_code == 400
    assert long.json()["error"]["code"] == "question_too_long"
    assert "2,000자" in long.json()["error"]["message"]
    streamed = client.post("/v1/chat", json={"message": ""}, headers={**OWNER, "Accept": "text/event-stream"})
    assert streamed.status_code == 400  # refused before the stream starts: a JSON error, not an event stream
    assert streamed.json()["error"]["code"] == "empty_question"


def test_malformed_request_and_missing_owner(client: TestClient) -> None:
    missing = client.post("/v1/chat", json={"conversation_id": None}, headers=OWNER)
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "invalid_request" and "message" in missing.json()["error"]["message"]
    anonymous = client.post("/v1/chat", json={"message": ANSWERABLE})
    assert anonymous.status_code == 400
    assert anonymous.json()["error"]["code"] == "missing_owner"


class _FailingAssistant:
    """Fails after the first sentence, as a dropped LLM connection would."""

    async def ask_stream(self, question: object) -> AsyncIterator[StreamEvent]:
        yield StreamEvent(type="text", text="첫 문장입니다. ")
        raise FMError("llm_down", "답변 엔진에 연결할 수 없습니다.", "test", status=503)


def test_a_failure_mid_stream_ends_with_a_korean_error_event(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", worker_in_process=False)
    with TestClient(create_app(settings, assistant=_FailingAssistant())) as client:
        response = client.post("/v1/chat", json={"message": "질문"}, headers={**OWNER, "Accept": "text/event-stream"})
    events = sse_events(response.text)
    assert events[0] == ("text", {"text": "첫 문장입니다. "})
    assert events[-1] == ("error", {"error": {"code": "llm_down", "message": "답변 엔진에 연결할 수 없습니다."}})
