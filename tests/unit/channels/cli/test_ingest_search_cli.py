"""`factory-mentor ingest` and `search` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from channels.cli import _register, app

_register()
runner = CliRunner()


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    (folder / "policies").mkdir(parents=True)
    (folder / "policies" / "oee.md").write_text(
        "---\ntitle: 설비종합효율 안내\n---\n# 설비종합효율\n설비종합효율(OEE)은 가동률 × 성능효율 × 양품률로 계산합니다.\n",
        encoding="utf-8",
    )
    (folder / "policies" / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    return folder


def test_ingest_summary_rerun_and_strict(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    data = str(tmp_path / "var")
    first = runner.invoke(app, ["ingest", str(folder), "--data-dir", data, "--json"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)[0]
    assert summary["added"] == 1 and summary["chunks_written"] >= 1
    assert summary["failed"][0]["path"] == "policies/broken.pdf"
    second = runner.invoke(app, ["ingest", str(folder), "--data-dir", data])
    assert second.exit_code == 0
    assert "변경된 파일이 없습니다" in second.stdout or "그대로" in second.stdout
    strict = runner.invoke(app, ["ingest", str(folder), "--data-dir", data, "--strict"])
    assert strict.exit_code == 1


def test_ingest_missing_path(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope"), "--data-dir", str(tmp_path / "var"), "--strict"])
    assert result.exit_code == 1


def test_search_json(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    data = str(tmp_path / "var")
    runner.invoke(app, ["ingest", str(folder), "--data-dir", data])
    result = runner.invoke(app, ["search", "OEE 계산", "--json", "--data-dir", data])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["source"] == "policies/oee.md"
    assert rows[0]["title"] == "설비종합효율 안내"
    assert rows[0]["kind"] == "policy"
    assert "가동률 × 성능효율 × 양품률" in rows[0]["text"]
    assert isinstance(rows[0]["score"], float)
    kinds = runner.invoke(app, ["search", "OEE 계산", "--json", "--kind", "supplier", "--data-dir", data])
    assert json.loads(kinds.stdout) == []
