"""`factory-mentor users ...` and `factory-mentor worker --once` through Typer's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import channels.cli.users  # noqa: F401  (registers `users`)
import channels.cli.worker  # noqa: F401  (registers `worker`)
from assistant.db import open_database
from assistant.delivery.outbox import enqueue
from assistant.errors import Unauthorized
from assistant.experts.staff import authenticate
from channels.cli import app
from tests.unit.assistant.db.factories import storage_settings

runner = CliRunner()
TOKEN = re.compile(r"fm_[0-9a-f]{12}_[A-Za-z0-9_-]+")


@pytest.fixture(autouse=True)
def _sqlite_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FM_DATABASE_URL", "FM_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_users_add_list_revoke(tmp_path: Path) -> None:
    data = str(tmp_path / "var")
    added = runner.invoke(
        app,
        [
            "users",
            "add",
            "--name",
            "박전문",
            "--role",
            "expert",
            "--expertise",
            "MES,ERP",
            "--region",
            "경기",
            "--capacity",
            "3",
            "--slack-id",
            "U123",
            "--data-dir",
            data,
        ],
    )
    assert added.exit_code == 0, added.output
    tokens = TOKEN.findall(added.output)
    assert len(tokens) == 1 and "한 번만" in added.output
    token = tokens[0]

    listed = runner.invoke(app, ["users", "list", "--json", "--data-dir", data])
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.output)
    assert (row["name"], row["role"], row["expertise"], row["capacity"]) == (
        "박전문",
        "expert",
        ["MES", "ERP"],
        3,
    )
    assert row["handles"] == {"slack": "U123"} and row["tokens"] == 1
    assert token not in listed.output and "fm_" not in listed.output

    db = open_database(storage_settings(tmp_path / "var"))
    with db.session_scope() as s:
        assert authenticate(s, token=token).name == "박전문"
    revoked = runner.invoke(app, ["users", "revoke", row["id"], "--data-dir", data])
    assert revoked.exit_code == 0 and "1개" in revoked.output
    with db.session_scope() as s, pytest.raises(Unauthorized):
        authenticate(s, token=token)
    again = runner.invoke(app, ["users", "token", row["id"], "--json", "--data-dir", data])
    assert again.exit_code == 0
    with db.session_scope() as s:
        assert authenticate(s, token=json.loads(again.output)["token"]).id == row["id"]
    db.dispose()


def test_users_add_refuses_unknown_roles(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["users", "add", "--name", "x", "--role", "boss", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code != 0


def test_worker_once_delivers_in_app(tmp_path: Path) -> None:
    db = open_database(storage_settings(tmp_path / "var"))
    with db.session_scope() as s:
        enqueue(s, channel="web", kind="notice", recipient={"user_id": "u1"}, payload={"text": "안녕"})
    result = runner.invoke(app, ["worker", "--once", "--data-dir", str(tmp_path / "var")])
    assert result.exit_code == 0, result.output
    assert "전달 1건" in result.output
    from assistant.delivery.inbox import list_inbox

    with db.session_scope() as s:
        assert [i.payload["text"] for i in list_inbox(s, user_id="u1")] == ["안녕"]
    db.dispose()


def test_worker_check_reports_whether_a_round_finished_lately(tmp_path: Path) -> None:
    """The container health check: no round yet is unhealthy; a loop's round makes it healthy."""
    from assistant.delivery.loop import BackgroundLoop
    from assistant.delivery.outbox import SenderRegistry

    settings = storage_settings(tmp_path / "var")
    data = ["--data-dir", str(tmp_path / "var")]
    before = runner.invoke(app, ["worker", "--check", *data])
    assert before.exit_code == 1 and "worker 응답 없음" in before.output
    db = open_database(settings)
    BackgroundLoop(db, settings=settings, registry=SenderRegistry()).beat()
    after = runner.invoke(app, ["worker", "--check", *data])
    assert after.exit_code == 0 and "worker 정상" in after.output, after.output
    stale = runner.invoke(app, ["worker", "--check", "--max-age-s", "-1", *data])
    assert stale.exit_code == 1
    db.dispose()
