"""The small holes of issue 14 (finding 6), each through the real app: broken Unicode, unhandled
errors, feedback across owners, script links from documents, notes of other experts' tickets,
and the headers every response carries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.db import open_database
from assistant.experts.staff import create_user, issue_token
from assistant.links import safe_url
from assistant.stores import open_stores
from channels.kakao.responses import sources_response
from channels.runtime import build_assistant
from channels.web.app import create_app
from channels.web.deps import get_assistant
from ingestion.pipeline import Ingestor
from tests.conftest import make_settings
from tests.unit.channels.web.conftest import OTHER, OWNER, ask, bearer

JSON = {**OWNER, "Content-Type": "application/json"}


# -- broken Unicode and unhandled errors ---------------------------------------------------
@pytest.mark.parametrize("body", [
    b'{"message": "\\ud800"}',  # an escaped lone surrogate, as JSON allows
    '{"message": "공장 \\udfff 설비"}'.encode(),
    b'{"message": "\xed\xa0\x80"}',  # the surrogate's bytes (not UTF-8), which JSON decoding lets through
])
def test_a_lone_surrogate_gets_a_korean_400(client: TestClient, body: bytes) -> None:
    response = client.post("/v1/chat", content=body, headers=JSON)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "invalid_text"
    assert "올바르지 않은 문자" in response.json()["error"]["message"]


def test_a_lone_surrogate_in_feedback_or_a_staff_draft_gets_a_korean_400(client: TestClient) -> None:
    answer = ask(client)
    path = f"/v1/conversations/{answer['conversation_id']}/messages/{answer['message_id']}/feedback"
    feedback = client.post(path, content=b'{"rating": "up", "comment": "\\ud83d"}', headers=JSON)
    assert feedback.status_code == 400 and feedback.json()["error"]["code"] == "invalid_text"
    draft = client.post("/v1/staff/drafts", content=b'{"question": "\\udc00"}',
                        headers={"Content-Type": "application/json", **bearer("fm_x")})
    assert draft.status_code in (400, 401)  # refused either way, as JSON
    assert draft.headers["content-type"].startswith("application/json")
    assert client.post("/v1/chat", json={"message": "스마트공장 😀 지원"}, headers=OWNER).status_code == 200


def test_an_unhandled_error_answers_json_not_plain_text(client: TestClient) -> None:
    def broken() -> Any:
        raise RuntimeError("a bug")

    client.app.dependency_overrides[get_assistant] = broken
    try:
        plain = TestClient(client.app, raise_server_exceptions=False)
        response = plain.post("/v1/chat", json={"message": "질문"}, headers=OWNER)
    finally:
        client.app.dependency_overrides.clear()
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "internal"
    assert "잠시 후 다시 시도해 주세요" in response.json()["error"]["message"]
    assert "a bug" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


# -- feedback ------------------------------------------------------------------------------
def test_feedback_cannot_reach_another_owners_message_through_ones_own_conversation(client: TestClient) -> None:
    theirs = ask(client, headers=OTHER)
    mine = ask(client)
    crossed = client.post(f"/v1/conversations/{mine['conversation_id']}/messages/{theirs['message_id']}/feedback",
                          json={"rating": "down"}, headers=OWNER)
    assert crossed.status_code == 404
    assert crossed.json()["error"]["code"] == "message_not_found"
    own = client.post(f"/v1/conversations/{mine['conversation_id']}/messages/{mine['message_id']}/feedback",
                      json={"rating": "up"}, headers=OWNER)
    assert own.status_code == 200
    staff_db = open_database(client.app_settings)  # type: ignore[attr-defined]
    with staff_db.session_scope() as s:
        from assistant.db.models import Feedback

        assert [(f.message_id, f.rating) for f in s.query(Feedback)] == [(mine["message_id"], 1)]
    staff_db.dispose()


# -- links from documents ------------------------------------------------------------------
def test_only_http_links_are_links() -> None:
    for bad in ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>", "vbscript:msgbox",
                "java\tscript:alert(1)", "//evil.example", "https://", "ftp://files.example.kr/a", None, 3]:
        assert safe_url(bad) is None, bad
    assert safe_url("https://www.smart-factory.kr/notice?id=1") == "https://www.smart-factory.kr/notice?id=1"
    assert safe_url("http://example.kr") == "http://example.kr"


def test_a_javascript_url_in_front_matter_never_becomes_a_link(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, url, body in [
        ("script.md", "javascript:alert(document.cookie)", "냉각수 펌프는 매주 진동과 누수를 점검합니다."),
        ("data.md", "data:text/html,<b>x</b>", "냉각수 펌프 점검 때 베어링 온도를 기록하고 이상이 있으면 교체합니다."),
        ("web.md", "https://www.example.kr/notice", "냉각수 펌프 점검 주기는 가동 시간 500시간마다 한 번입니다."),
    ]:
        (folder / name).write_text(f"---\ntitle: 냉각수 펌프 점검 {name}\nurl: \"{url}\"\n---\n# 냉각수 펌프\n{body}\n",
                                   encoding="utf-8")
    settings = make_settings(tmp_path / "var", embedding_model="hashing-bigrams",
                             embedding_cache_path=tmp_path / "cache.sqlite", worker_in_process=False,
                             database_url=f"sqlite:///{tmp_path / 'app.sqlite'}")
    stores = open_stores(settings)
    Ingestor(stores).sync(folder)
    stores.close()
    with TestClient(create_app(settings, assistant=build_assistant(settings))) as client:
        urls: dict[str, str | None] = {}
        for question in ["냉각수 펌프의 진동과 누수는 언제 점검하나요?", "냉각수 펌프 베어링 온도는 어떻게 하나요?",
                         "냉각수 펌프 점검 주기는 가동 시간 몇 시간인가요?"]:
            answer = client.post("/v1/chat", json={"message": question, "conversation_id": None}, headers=OWNER).json()
            urls.update({c["title"]: c["url"] for c in answer["citations"]})
        history = client.get(f"/v1/conversations/{answer['conversation_id']}", headers=OWNER).json()
    assert len(urls) == 3, urls
    assert sorted(u for u in urls.values() if u) == ["https://www.example.kr/notice"]
    stored = [c["url"] for t in history["turns"] for c in t["citations"]]
    assert "https://www.example.kr/notice" in stored and not any(u and "script" in u for u in stored)
    # KakaoTalk's "출처" listCard, from citations as stored (plain dicts): only the http link is a link
    card = sources_response([{"n": 1, "title": "a", "source": "a.md", "url": "javascript:alert(1)"},
                             {"n": 2, "title": "b", "source": "b.md", "url": "vbscript:x"},
                             {"n": 3, "title": "c", "source": "c.md", "url": "https://www.example.kr/c"}])
    rows = card["template"]["outputs"][0]["listCard"]["items"]
    assert [r.get("link") for r in rows] == [None, None, {"web": "https://www.example.kr/c"}]


# -- notes ---------------------------------------------------------------------------------
def test_an_expert_sees_no_note_of_a_ticket_they_may_not_open(client: TestClient,
                                                              staff: dict[str, dict[str, str]]) -> None:
    db = open_database(client.app_settings)  # type: ignore[attr-defined]
    with db.session_scope() as s:
        other = create_user(s, name="정다른", role="expert", expertise=["MES"])
        other_headers = bearer(issue_token(s, user_id=other.id).token)
    db.dispose()
    cid = ask(client, "MES 도입 비용은 어느 정도인가요? 비밀 공장 이야기")["conversation_id"]
    ticket = client.post(f"/v1/conversations/{cid}/expert", json={}, headers=OWNER).json()["ticket_id"]
    routed = client.get(f"/v1/staff/tickets/{ticket}", headers=staff["admin"]).json()["assignee_id"]
    holder, outsider = ((other_headers, staff["expert"]) if routed == other.id else (staff["expert"], other_headers))
    assert client.post(f"/v1/staff/tickets/{ticket}/claim", headers=holder).status_code == 200
    assert client.post(f"/v1/staff/tickets/{ticket}/answer", json={"text": "전문가 답"}, headers=holder).status_code == 200

    assert client.get(f"/v1/staff/tickets/{ticket}", headers=outsider).status_code == 403
    assert client.get("/v1/staff/notes", headers=outsider).json() == []
    assert "비밀 공장" not in client.get("/v1/staff/notes", headers=outsider).text
    theirs = client.get("/v1/staff/notes", headers=holder).json()
    assert [n["ticket_id"] for n in theirs] == [ticket] and "비밀 공장" in theirs[0]["question"]
    assert [n["ticket_id"] for n in client.get("/v1/staff/notes", headers=staff["mentor"]).json()] == [ticket]


# -- headers -------------------------------------------------------------------------------
def test_every_response_says_nosniff_and_a_referrer_policy(make_client: Callable[..., TestClient]) -> None:
    client = make_client(rate_limit_per_minute=1, max_request_bytes=2048)
    responses = [
        client.get("/"), client.get("/console"), client.get("/static/chat.js"), client.get("/healthz"),
        client.get("/readyz"), client.get("/openapi.json"), client.get("/nope"),
        client.post("/v1/chat", json={"message": ""}, headers=OWNER),  # 400
        client.post("/v1/chat", json={"message": ""}, headers=OWNER),  # 429
        client.post("/v1/chat", json={"message": "가" * 1500}, headers=OWNER),  # 413
        client.get("/v1/staff/tickets"),  # 401
        client.post("/slack/events", json={}),  # 503, not configured
    ]
    assert sorted({r.status_code for r in responses}) == [200, 400, 401, 404, 413, 429, 503]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff", response.url
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin", response.url
