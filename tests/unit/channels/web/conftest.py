"""Web API fixtures: the real assistant over the shipped knowledge, a fresh database per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.db import open_database
from assistant.experts.staff import create_user, issue_token
from assistant.settings import Settings
from assistant.stores import Stores
from channels.runtime import build_assistant
from channels.web.app import create_app
from tests.conftest import make_settings

OWNER = {"X-Owner-Id": "owner-aaaa1111"}
OTHER = {"X-Owner-Id": "owner-bbbb2222"}
ANSWERABLE = "스마트공장 수준확인 제도가 무엇인가요?"


def web_settings(knowledge: Settings, tmp_path: Path, **overrides: Any) -> Settings:
    """The ingested knowledge, with this test's own database."""
    values: dict[str, Any] = {"database_url": f"sqlite:///{tmp_path / 'web.sqlite'}",
                              "outbox_poll_interval_s": 0.05, "rate_limit_per_minute": 1000}
    values.update(overrides)
    return make_settings(knowledge.data_dir, **values)


@pytest.fixture
def make_client(knowledge_settings: Settings, knowledge_stores: Stores,
                tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """`make_client(**settings overrides)`: a started app (lifespan run) over the real assistant."""
    stack: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        settings = web_settings(knowledge_settings, tmp_path, **overrides)
        assistant = build_assistant(settings, stores=knowledge_stores)
        client = TestClient(create_app(settings, assistant=assistant))
        client.__enter__()
        client.app_settings = settings  # type: ignore[attr-defined]
        stack.append(client)
        return client

    yield make
    for client in reversed(stack):
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def staff_headers(client: TestClient) -> dict[str, dict[str, str]]:
    """Bearer headers per role, for new users in the client's database."""
    db = open_database(client.app_settings)  # type: ignore[attr-defined]
    headers = {}
    with db.session_scope() as s:
        for role, name in [("expert", "박전문"), ("mentor", "이멘토"), ("evaluator", "최평가"), ("owner", "김사장"),
                           ("admin", "관리자")]:
            user = create_user(s, name=name, role=role, expertise=["MES", "정책자금", "수준확인"] if role == "expert" else ())
            headers[role] = bearer(issue_token(s, user_id=user.id).token)
    db.dispose()
    return headers


@pytest.fixture
def staff(client: TestClient) -> dict[str, dict[str, str]]:
    return staff_headers(client)


def ask(client: TestClient, message: str = ANSWERABLE, conversation_id: str | None = None,
        headers: dict[str, str] = OWNER) -> dict[str, Any]:
    response = client.post("/v1/chat", json={"message": message, "conversation_id": conversation_id}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def sse_events(text: str) -> list[tuple[str, Any]]:
    """(event, data) pairs of a server-sent-events body."""
    import json

    events = []
    for block in text.split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        event = next((line[7:] for line in lines if line.startswith("event: ")), "message")
        data = "".join(line[6:] for line in lines if line.startswith("data: "))
        events.append((event, json.loads(data)))
    return events
