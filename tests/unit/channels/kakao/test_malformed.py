"""Kakao skill bodies of the wrong shape get a clear 400 with a Korean JSON error, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channels.kakao.skill import SECRET_HEADER, mount
from tests.conftest import make_settings

SECRET = "kakao-skill-secret-0123456789"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = FastAPI()
    assert mount(app, make_settings(tmp_path / "var", kakao_skill_secret=SECRET)) is not None
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _user_request(**overrides: Any) -> dict[str, Any]:
    request = {"utterance": "MES가 뭔가요?", "user": {"id": "kakao-user-1", "type": "botUserKey"}}
    request.update(overrides)
    return request


@pytest.mark.parametrize(
    "body",
    [
        {"userRequest": "문자열"},
        {"userRequest": ["a"]},
        {"userRequest": None},
        {"bot": {"id": "b"}},  # no userRequest at all
        {"userRequest": _user_request(utterance=None)},
        {"userRequest": _user_request(utterance=123)},
        {"userRequest": _user_request(utterance={"text": "x"})},
        {"userRequest": _user_request(user="kakao-user-1")},
        {"userRequest": _user_request(user={"id": 5})},
        [1, 2],
        "문자열",
    ],
)
def test_wrong_shapes_get_400_in_korean(client: TestClient, body: Any) -> None:
    resp = client.post("/kakao/skill", content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                       headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"})
    assert resp.status_code == 400, resp.text
    data = resp.json()
    assert data["error"] == {"code": "bad_request", "message": "요청을 이해하지 못했습니다."}
    assert data["template"]["outputs"][0]["simpleText"]["text"] == "요청을 이해하지 못했습니다."


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe\x00", b""])
def test_bodies_that_are_not_json_get_400_in_korean(client: TestClient, raw: bytes) -> None:
    resp = client.post("/kakao/skill", content=raw, headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == "요청을 이해하지 못했습니다."


def test_a_malformed_body_without_the_secret_is_still_401(client: TestClient) -> None:
    assert client.post("/kakao/skill", content=b"{not json").status_code == 401
