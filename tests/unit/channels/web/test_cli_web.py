"""`factory-mentor serve` and `bench load` through Typer's CliRunner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from channels.cli import _register, app

_register()
runner = CliRunner()


def test_serve_runs_uvicorn_with_the_app_on_the_given_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8123", "--data-dir", str(tmp_path / "var")])
    assert result.exit_code == 0, result.output
    assert calls[0]["host"] == "0.0.0.0" and calls[0]["port"] == 8123
    served: FastAPI = calls[0]["app"]
    assert isinstance(served, FastAPI) and served.state.settings.data_dir == tmp_path / "var"
    assert "http://0.0.0.0:8123/" in result.output


def test_bench_load_is_a_bench_subcommand() -> None:
    result = runner.invoke(app, ["bench", "load", "--help"])
    assert result.exit_code == 0
    for option in ("--clients", "--seconds", "--stream", "--out", "--data-dir"):
        assert option in result.output
