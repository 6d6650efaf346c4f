"""A running `serve` whose Chroma directory is deleted: answers go on (keyword search), `/readyz`
says how many vectors are missing, and the `ingest` command, run beside the server in its own
process, puts them back from the vector cache; the server then reads them again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from assistant.stores import open_stores
from evals.bench.server import LocalServer, settings_env
from ingestion.pipeline import Ingestor
from tests.conftest import KNOWLEDGE, make_settings

pytestmark = pytest.mark.integration

OWNER = {"X-Owner-Id": "owner-serve-0001"}
CORPUS = KNOWLEDGE / "policies"


def _chat(url: str, message: str) -> httpx.Response:
    return httpx.post(url + "/v1/chat", json={"message": message}, headers=OWNER, timeout=60)


def test_served_vectors_deleted_then_restored_by_the_ingest_command(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", worker_in_process=False, log_level="WARNING")
    stores = open_stores(settings)
    chunks = Ingestor(stores).sync(CORPUS).chunks_written
    stores.close()
    log = tmp_path / "server.log"
    with LocalServer(settings, log_path=log) as server:
        shutil.rmtree(settings.chroma_path)
        for _ in range(3):
            answer = _chat(server.url, "스마트공장 수준확인 제도가 무엇인가요?")
            assert answer.status_code == 200 and answer.json()["answer"]
        ready = httpx.get(server.url + "/readyz", timeout=30)
        assert ready.status_code == 503
        assert ready.json()["details"]["vectors"] == {"chunks": chunks, "vectors": 0, "missing": chunks}

        env = {**os.environ, **settings_env(settings)}
        ingest = subprocess.run([sys.executable, "-c", "from channels.cli import main; main()", "ingest", str(CORPUS)],
                                env=env, capture_output=True, text=True, timeout=600)
        assert ingest.returncode == 0, ingest.stderr
        assert f"벡터 {chunks}개를 다시 채웠습니다" in ingest.stdout

        ready = httpx.get(server.url + "/readyz", timeout=30)
        assert ready.status_code == 200 and ready.json()["details"]["vectors"]["missing"] == 0
        assert _chat(server.url, "MES 도입 비용은 어느 정도인가요?").status_code == 200
    text = log.read_text(encoding="utf-8")
    assert text.count(f"missing {chunks} of {chunks} chunk vectors") == 1  # once, not per question or probe
    assert "complete again" in text
    assert "unreadable" not in text.split("complete again", 1)[1]  # the server reads the refilled store
    assert "Traceback" not in text
