"""`bench ask --databases sqlite,URL`: one run measures ask on each catalog database, beside each other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from channels.cli import _register, app
from tests.conftest import KNOWLEDGE

_register()


def _bench(tmp_path: Path, databases: str) -> dict:
    out = tmp_path / "bench"
    env = {"FM_EMBEDDING_MODEL": "hashing-bigrams", "FM_EMBEDDING_CACHE_PATH": str(tmp_path / "cache.sqlite")}
    result = CliRunner().invoke(app, ["bench", "ask", "--scales", "800", "--queries", "5", "--databases", databases,
                                      "--knowledge", str(KNOWLEDGE), "--data-dir", str(tmp_path / "var"),
                                      "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert "| database | chunks |" in (out / "ask-databases.md").read_text(encoding="utf-8")
    return json.loads((out / "ask-databases.json").read_text(encoding="utf-8"))


def _check(row: dict) -> None:
    assert row["chunks"] >= 800  # grown past the knowledge base with synthetic documents
    assert 0 < row["ask"]["p50_ms"] <= row["ask"]["p95_ms"]
    assert 0 < row["baseline"]["p50_ms"] and row["rss_mb"] > 0 and len(row["load_average"]) == 3


def test_bench_ask_on_sqlite_by_name(tmp_path: Path) -> None:
    figures = _bench(tmp_path, "sqlite")
    assert figures["databases"] == ["SQLite"] and [r["database"] for r in figures["results"]] == ["SQLite"]
    assert figures["results"][0]["catalog_dialect"] == "sqlite"
    _check(figures["results"][0])
    assert (tmp_path / "var" / "bench-ask" / "index.sqlite").is_file()  # the embedded catalog


def test_bench_ask_refuses_an_unknown_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["bench", "ask", "--databases", "sqlite,mysql://x", "--data-dir",
                                      str(tmp_path / "var"), "--out", str(tmp_path / "bench")])
    assert result.exit_code != 0 and not (tmp_path / "bench").exists()


@pytest.mark.integration
def test_bench_ask_on_sqlite_and_postgresql_in_one_run(tmp_path: Path, pg_url: str) -> None:
    figures = _bench(tmp_path, f"sqlite,{pg_url}")
    assert [r["database"] for r in figures["results"]] == ["SQLite", "PostgreSQL"]
    assert [r["catalog_dialect"] for r in figures["results"]] == ["sqlite", "postgresql"]  # where the catalog lives
    for row in figures["results"]:
        _check(row)
    assert figures["results"][0]["chunks"] == figures["results"][1]["chunks"]  # the same corpus on both
