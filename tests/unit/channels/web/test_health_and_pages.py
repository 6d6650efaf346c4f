"""Health probes, the pages, the widget script and the OpenAPI page."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from channels.runtime import build_assistant
from channels.web.app import create_app
from tests.conftest import make_settings


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"


def test_not_ready_when_the_vector_store_is_unreachable(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", chroma_url="http://127.0.0.1:9", worker_in_process=False)
    with TestClient(create_app(settings, assistant=build_assistant(settings))) as client:
        assert client.get("/healthz").status_code == 200  # the process is up
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"


def test_pages_are_served_in_korean(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="ko">' in page.text and "전문가" in page.text and "/static/chat.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    console = client.get("/console")
    assert "직원 API 토큰" in console.text and console.headers["x-frame-options"] == "DENY"
    for path, kind in [("/static/chat.js", "javascript"), ("/static/console.js", "javascript"),
                       ("/static/style.css", "css"), ("/widget.js", "javascript")]:
        response = client.get(path)
        assert response.status_code == 200 and kind in response.headers["content-type"], path
    assert "/?embed=1" in client.get("/widget.js").text


def test_openapi_documents_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ["/v1/chat", "/v1/conversations/{conversation_id}", "/v1/conversations/{conversation_id}/expert",
                 "/v1/conversations/{conversation_id}/messages/{message_id}/feedback", "/v1/staff/tickets",
                 "/v1/staff/tickets/{ticket_id}/answer", "/v1/staff/drafts", "/v1/staff/notes", "/healthz", "/readyz"]:
        assert path in paths, path
    assert "/" not in paths  # pages are not API
    assert client.get("/docs").status_code == 200
