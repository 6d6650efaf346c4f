"""Validly signed but malformed Slack bodies get a clear 400 with a Korean JSON error (never
a 500), unsigned ones a 401; a well-formed body still goes through."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channels.slack.http import mount
from tests.conftest import make_settings
from tests.integration.channel_app import SIGNING_SECRET, event_body, signed_headers
from tests.integration.fake_servers import FakeSlack

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with FakeSlack() as slack:
        settings = make_settings(tmp_path / "var", slack_bot_token=FakeSlack.TOKEN,
                                 slack_signing_secret=SIGNING_SECRET, slack_api_url=f"{slack.url}/api/")
        app = FastAPI()
        assert mount(app, settings) is not None
        with TestClient(app, raise_server_exceptions=False) as test_client:
            yield test_client
        assert slack.calls("/chat.postMessage") == []  # nothing malformed was answered


def _post(client: TestClient, body: str, content_type: str = JSON) -> Any:
    return client.post("/slack/events", content=body.encode("utf-8"),
                       headers=signed_headers(body, content_type=content_type))


def _bad(resp: Any) -> dict[str, Any]:
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert error["code"] == "bad_request" and error["message"] == "Slack 이벤트 형식이 올바르지 않습니다."
    return error


@pytest.mark.parametrize(
    ("body", "content_type", "why"),
    [
        ("{not json", JSON, "not JSON"),
        ("[1, 2, 3]", JSON, "not an object"),
        ('"문자열"', JSON, "not an object"),
        ("123", JSON, "not an object"),
        ("payload=%7Bbroken", FORM, "not JSON"),
        ("payload=%5B%5D", FORM, "not an object"),
    ],
)
def test_signed_bodies_that_are_not_a_json_object(client: TestClient, body: str, content_type: str,
                                                  why: str) -> None:
    assert why in _bad(_post(client, body, content_type))["detail"]


@pytest.mark.parametrize(
    "event",
    [
        None,
        "app_mention",
        {"user": "U1", "text": "hi"},  # no type
        {"type": "app_mention", "user": "U1", "text": "hi", "channel": "C1"},  # no ts
        {"type": "app_mention", "user": "U1", "text": "hi", "ts": 17, "channel": "C1"},
        {"type": "app_mention", "user": "U1", "text": ["hi"], "ts": "1.1", "channel": "C1"},
        {"type": "message", "channel_type": "im", "user": "U1", "text": "hi", "ts": "1.1"},  # no channel
    ],
)
def test_signed_events_without_the_fields_we_need(client: TestClient, event: Any) -> None:
    body = json.loads(event_body({}, "EvBad"))
    body["event"] = event
    if event is None:
        del body["event"]
    _bad(_post(client, json.dumps(body, ensure_ascii=False)))


def test_unsigned_garbage_is_401_and_a_good_body_passes(client: TestClient) -> None:
    resp = client.post("/slack/events", content=b"\xff\xfe garbage", headers={"Content-Type": JSON})
    assert resp.status_code == 401 and resp.json()["error"]["message"] == "Slack 서명이 올바르지 않습니다."
    challenge = json.dumps({"type": "url_verification", "challenge": "abc", "token": "t"})
    ok = _post(client, challenge)
    assert ok.status_code == 200 and "abc" in ok.text
    ignored = {"type": "message", "subtype": "message_changed", "channel": "C1", "ts": "1.2"}
    assert _post(client, event_body(ignored, "EvEdit")).status_code == 200  # not ours to answer, not an error
