"""`factory-mentor bench load` against a real server: a short run, with the result files it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.settings import Settings
from channels.cli import _register, app

pytestmark = [pytest.mark.integration, pytest.mark.slow]

_register()


def test_short_load_run_serves_requests_without_errors(knowledge_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "bench"
    result = CliRunner().invoke(app, ["bench", "load", "--clients", "4", "--seconds", "5", "--stream",
                                      "--data-dir", str(knowledge_settings.data_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads((out / "load-sse.json").read_text(encoding="utf-8"))
    assert figures["clients"] == 4 and figures["mode"] == "sse"
    assert figures["requests_served"] >= 4 and figures["errors"] == 0
    latency = figures["latency"]
    assert 0 < latency["p50_ms"] <= latency["p95_ms"] <= latency["max_ms"]
    assert 0 < figures["first_text_latency"]["p50_ms"] <= latency["max_ms"]
    assert sum(figures["decisions"].values()) == figures["requests_served"]
    assert "| requests served | errors |" in (out / "load-sse.md").read_text(encoding="utf-8")
    assert not list(knowledge_settings.data_dir.glob("bench*"))  # the run used a copy of the data dir


def test_load_with_one_and_two_processes_writes_both_runs(knowledge_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "bench"
    result = CliRunner().invoke(app, ["bench", "load", "--clients", "4", "--seconds", "4", "--processes", "1,2",
                                      "--data-dir", str(knowledge_settings.data_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads((out / "load-processes.json").read_text(encoding="utf-8"))
    assert [r["processes"] for r in figures["runs"]] == [1, 2]
    for run in figures["runs"]:
        assert run["requests_served"] >= 4 and run["errors"] == 0
        assert run["throughput_rps"] > 0 and 0 < run["latency"]["p50_ms"] <= run["latency"]["p95_ms"]
        assert len(run["load_average_before"]) == 3 and run["server_rss_mb"] > 0
    assert figures["runs"][0]["throughput_vs_first"] == 1.0 and figures["runs"][1]["throughput_vs_first"] > 0
    table = (out / "load-processes.md").read_text(encoding="utf-8")
    assert "| 1 |" in table and "| 2 |" in table
    assert not list(knowledge_settings.data_dir.glob("bench*"))


def test_load_rejects_a_process_count_below_one(knowledge_settings: Settings, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["bench", "load", "--processes", "0", "--seconds", "1",
                                      "--data-dir", str(knowledge_settings.data_dir), "--out", str(tmp_path)])
    assert result.exit_code != 0 and not list(tmp_path.glob("*.json"))
