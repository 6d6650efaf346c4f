"""Stores that check each other, through the real app: a Chroma directory deleted while serving
or before a start, and a database that cannot write. What `/readyz`, `/v1/chat` and `ingest`
say, and that the vectors come back."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.db import open_database
from assistant.settings import Settings
from assistant.stores import open_stores
from channels.cli import _register
from channels.cli import app as cli
from channels.runtime import build_assistant
from channels.web.app import create_app
from ingestion.pipeline import Ingestor, SyncReport
from tests.conftest import KNOWLEDGE, make_settings
from tests.unit.channels.web.conftest import OWNER

CORPUS = KNOWLEDGE / "policies"
QUESTION = "스마트공장 수준확인 제도가 무엇인가요?"


def _settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"database_url": f"sqlite:///{tmp_path / 'app.sqlite'}", "worker_in_process": False,
                              "rate_limit_per_minute": 0}
    values.update(overrides)
    return make_settings(tmp_path / "var", **values)


def _ingest(settings: Settings) -> SyncReport:
    stores = open_stores(settings)
    try:
        return Ingestor(stores).sync(CORPUS)
    finally:
        stores.close()


def _chat(client: TestClient) -> dict[str, Any]:
    response = client.post("/v1/chat", json={"message": QUESTION}, headers=OWNER)
    assert response.status_code == 200, response.text
    assert response.json()["answer"]
    return response.json()


def _vector_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "assistant.stores.health" and "keyword search" in r.getMessage()]


def test_chroma_deleted_while_serving_is_reported_and_ingest_restores_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings(tmp_path)
    first = _ingest(settings)
    chunks = first.chunks_written
    assistant = build_assistant(settings)
    with TestClient(create_app(settings, assistant=assistant)) as client:
        ready = client.get("/readyz").json()
        assert ready["status"] == "ok" and ready["details"]["vectors"]["vectors"] == chunks
        caplog.set_level(logging.WARNING)

        shutil.rmtree(settings.chroma_path)
        for _ in range(3):  # answers still come, from keyword search
            _chat(client)
        lost = client.get("/readyz")
        assert lost.status_code == 503
        body = lost.json()
        assert body["checks"] == {"catalog": True, "vectors": False, "database": True}
        assert body["details"]["vectors"]["missing"] == chunks
        assert f"벡터 {chunks}개가 없습니다" in body["reasons"]["vectors"]
        assert client.get("/readyz").status_code == 503
        _chat(client)
        warnings = _vector_warnings(caplog)
        assert 1 <= len(warnings) <= 2, warnings  # said when noticed, not once per question or probe
        assert any(f"missing {chunks} of {chunks}" in w for w in warnings)

        report = _ingest(settings)  # the files are unchanged; their vectors are not
        assert report.restored == chunks and report.chunks_written == 0 and report.changed
        assert sorted(report.unchanged) == sorted(first.added) and not report.added + report.updated
        assert client.get("/readyz").json()["status"] == "ok"
        hits = assistant.searcher.search(QUESTION, 3, mode="dense")
        assert hits and hits[0].dense_score is not None  # the answers use vectors again
        _chat(client)
    assert any("complete again" in r.getMessage() for r in caplog.records)


def test_chroma_deleted_before_a_start_is_refilled_from_the_vector_cache_by_warm_up(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings(tmp_path)
    chunks = _ingest(settings).chunks_written
    shutil.rmtree(settings.chroma_path)
    caplog.set_level(logging.WARNING)
    with TestClient(create_app(settings)) as client:  # the lifespan builds and warms the assistant
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.json()
        assert ready.json()["details"]["vectors"] == {"chunks": chunks, "vectors": chunks, "missing": 0}
        _chat(client)
    assert any(f"lost {chunks} chunk vectors; {chunks} restored" in r.getMessage() for r in caplog.records)


def test_vectors_not_in_the_cache_stay_missing_until_the_ingest_command(tmp_path: Path) -> None:
    cache = tmp_path / "own-cache.sqlite"
    settings = _settings(tmp_path, embedding_model="hashing-bigrams", embedding_cache_path=cache)
    chunks = _ingest(settings).chunks_written
    shutil.rmtree(settings.chroma_path)
    cache.unlink()  # nothing to restore from: the vectors must be embedded again
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["details"]["vectors"]["missing"] == chunks
        assert "factory-mentor ingest" in ready.json()["reasons"]["vectors"]
        _chat(client)  # keyword-only meanwhile

        _register()
        env = {"FM_EMBEDDING_MODEL": "hashing-bigrams", "FM_EMBEDDING_CACHE_PATH": str(cache)}
        result = CliRunner().invoke(cli, ["ingest", str(CORPUS), "--data-dir", str(settings.data_dir)], env=env)
        assert result.exit_code == 0, result.output
        assert f"벡터 {chunks}개를 다시 채웠습니다" in result.stdout
        assert "변경된 파일이 없습니다" not in result.stdout
        again = CliRunner().invoke(cli, ["ingest", str(CORPUS), "--data-dir", str(settings.data_dir), "--json"],
                                   env=env)
        assert json.loads(again.stdout)[0]["restored"] == 0
        assert client.get("/readyz").status_code == 200
        _chat(client)


def _read_only(tmp_path: Path) -> Settings:
    """A migrated database, then opened read-only: SQLite refuses every write, as it does for
    a file or folder made read-only (which root, running this suite in containers, ignores)."""
    writable = _settings(tmp_path)
    open_database(writable).dispose()
    path = tmp_path / "app.sqlite"
    return _settings(tmp_path, database_url=f"sqlite:///file:{path}?mode=ro&uri=true")


def test_a_database_that_cannot_write_gives_a_korean_503_and_readyz_says_so(
        tmp_path: Path, knowledge_settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    settings = _read_only(tmp_path).model_copy(update={"data_dir": knowledge_settings.data_dir})
    caplog.set_level(logging.WARNING)
    with TestClient(create_app(settings, assistant=build_assistant(settings))) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] is False
        assert "데이터베이스에 쓸 수 없습니다" in ready.json()["reasons"]["database"]
        for _ in range(2):
            chat = client.post("/v1/chat", json={"message": QUESTION}, headers=OWNER)
            assert chat.status_code == 503
            assert chat.headers["content-type"].startswith("application/json")
            assert chat.json()["error"]["code"] == "database_unavailable"
            assert "데이터베이스에 기록할 수 없어" in chat.json()["error"]["message"]
        streamed = client.post("/v1/chat", json={"message": QUESTION},
                               headers={**OWNER, "Accept": "text/event-stream"})
        assert "database_unavailable" in streamed.text and "데이터베이스" in streamed.text
        assert client.get("/healthz").status_code == 200  # the process lives on
    assert any("database_unavailable" in r.getMessage() and "readonly" in r.getMessage()
               for r in caplog.records)
