"""The shared-secret check and the callback host allow-list (SSRF guard)."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.kakao.callback import allowed_callback
from channels.kakao.skill import parse, secret_ok
from tests.conftest import make_settings


def test_secret_is_compared_and_required(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, kakao_skill_secret="s3cret-value")
    assert secret_ok("s3cret-value", settings)
    assert not secret_ok("s3cret-valuf", settings)
    assert not secret_ok("", settings)
    assert not secret_ok(None, settings)
    assert not secret_ok("한글", settings)
    assert not secret_ok("anything", make_settings(tmp_path))  # no secret configured: refuse all


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://bot-api.kakao.com/v1/callback/abc", True),
        ("https://kakao.com/cb", True),
        ("https://kakao.com:8443/cb", True),
        ("http://bot-api.kakao.com/cb", False),  # https only
        ("https://kakao.com.evil.example/cb", False),
        ("https://evilkakao.com/cb", False),
        ("https://user:pw@bot-api.kakao.com/cb", False),
        ("https://169.254.169.254/latest/meta-data", False),
        ("http://127.0.0.1:9000/cb", False),  # loopback only when listed
        ("ftp://kakao.com/cb", False),
        ("https://kakao.com:99999/cb", False),
        ("", False),
        (None, False),
    ],
)
def test_default_allow_list(url: str | None, ok: bool) -> None:
    assert allowed_callback(url, ["kakao.com"]) is ok


def test_test_hosts_must_be_listed_and_http_only_on_loopback() -> None:
    hosts = ["kakao.com", "127.0.0.1", "staging.example.com"]
    assert allowed_callback("http://127.0.0.1:9000/cb", hosts)
    assert not allowed_callback("http://localhost:9000/cb", hosts)
    assert allowed_callback("https://staging.example.com/cb", hosts)
    assert not allowed_callback("http://staging.example.com/cb", hosts)


def test_settings_read_callback_hosts_from_a_comma_list(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, kakao_callback_hosts="kakao.com, 127.0.0.1")
    assert settings.kakao_callback_hosts == ["kakao.com", "127.0.0.1"]
    assert make_settings(tmp_path).kakao_callback_hosts == ["kakao.com"]


def test_parse_reads_the_documented_payload() -> None:
    body = {
        "intent": {"id": "i", "name": "블록"},
        "userRequest": {"timezone": "Asia/Seoul", "utterance": "질문", "lang": "ko",
                        "user": {"id": "u" * 70, "type": "botUserKey", "properties": {"plusfriendUserKey": "p"}},
                        "callbackUrl": "https://bot-api.kakao.com/cb"},
        "bot": {"id": "b", "name": "fm"},
        "action": {"id": "a", "name": "skill", "params": {}, "detailParams": {}, "clientExtra": {"fm": "출처 보기"}},
    }
    u = parse(body)
    assert (u.user_id, u.text, u.callback_url, u.extra) == ("u" * 70, "질문", "https://bot-api.kakao.com/cb",
                                                           {"fm": "출처 보기"})
    for bad in ({}, {"userRequest": {"utterance": "x", "user": {}}},
                {"userRequest": {"utterance": "x", "user": {"id": "u" * 71}}},
                {"userRequest": {"user": {"id": "u"}}}, []):
        with pytest.raises(Exception, match="bad_request"):
            parse(bad)
