"""What `serve` says at start-up: channels on, LLM, stores, and half-configured channels."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from channels.web.startup import startup_summary
from tests.conftest import make_settings


def test_everything_off_but_the_web(tmp_path: Path) -> None:
    summary = startup_summary(make_settings(tmp_path / "var"))
    text = "\n".join(summary.lines)
    assert "web on" in text and "Slack off" in text and "KakaoTalk off" in text
    assert "LLM: none (extractive answers)" in text
    assert "embedded Chroma" in text and "database SQLite" in text
    assert summary.warnings == []


def test_configured_channels_server_stores_and_half_configured_warnings(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path / "var", slack_bot_token="xoxb-1", slack_signing_secret="s" * 20, kakao_skill_secret="k" * 20,
        chroma_url="http://chroma.internal:8000", database_url="postgresql+psycopg://fm:secret@db.internal/fm",
        llm_base_url="http://llm.internal/v1",
    )
    summary = startup_summary(settings)
    text = "\n".join(summary.lines)
    assert "Slack on (HTTP /slack/events)" in text and "KakaoTalk on (/kakao/skill)" in text
    assert "Chroma server http://chroma.internal:8000" in text and "PostgreSQL" in text
    assert "secret" not in text  # the database password is not printed
    warnings = "\n".join(summary.warnings)
    assert "FM_SLACK_EXPERT_CHANNEL" in warnings and "FM_LLM_MODEL" in warnings

    half = startup_summary(make_settings(tmp_path / "var", slack_signing_secret="s" * 20))
    assert any("FM_SLACK_BOT_TOKEN is not" in w for w in half.warnings)
    assert "Slack off" in half.lines[0]


def test_serve_prints_the_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from channels.cli import _register, app

    _register()
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)  # everything up to listening
    monkeypatch.setenv("FM_SLACK_SIGNING_SECRET", "s" * 20)
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path / "var"), "--port", "0"])
    assert result.exit_code == 0, result.output
    printed = " ".join(result.output.split())  # the console wraps long lines
    assert "KakaoTalk off" in printed and "FM_SLACK_BOT_TOKEN is not" in printed
