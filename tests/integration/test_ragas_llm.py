"""ragas' LLM metrics judged by a local OpenAI-compatible server (the real wire protocol),
embedded with our own model; nothing else is contacted."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from evals import ragas_metrics
from evals.metrics import summarize
from tests.conftest import make_settings
from tests.integration.openai_stub import openai_stub
from tests.netguard import block_network
from tests.unit.evals.factories import make_case, make_record

pytestmark = pytest.mark.integration

LEVEL = "policies/level-check.md"


def test_llm_metrics_score_through_the_configured_endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(ragas_metrics.prepare_offline(tmp_path / "tiktoken")))
    case = make_case()
    record = make_record(case, answer="수준확인은 5단계로 나뉩니다. [1]", cited=[(1, LEVEL)])
    escalated = make_record(make_case(id="pol-902"), answer="전문가에게 연결합니다.", decision="escalate")
    with openai_stub() as (url, state), block_network(monkeypatch) as attempts:
        settings = make_settings(tmp_path / "var", llm_base_url=url, llm_model="judge-model", llm_timeout_s=10)
        notes = asyncio.run(ragas_metrics.score_with_llm([(case, record), (make_case(id="pol-902"), escalated)],
                                                         settings))
    assert attempts == []
    assert notes == dict.fromkeys(ragas_metrics.LLM_METRICS, "ok")
    assert record.scores["faithfulness"] == pytest.approx(1.0)
    assert record.scores["llm_context_precision"] == pytest.approx(1.0, abs=1e-6)
    assert 0.0 < record.scores["response_relevancy"] <= 1.0  # cosine with our embedding model
    assert not any(name in escalated.scores for name in ragas_metrics.LLM_METRICS)  # escalations aren't judged
    chats = [r for r in state.requests if r["path"] == "/v1/chat/completions"]
    assert chats and all(r["body"]["model"] == "judge-model" for r in chats)
    assert not [r for r in state.requests if r["path"] != "/v1/chat/completions"]  # our embeddings, not theirs
    summary = summarize([record, escalated])
    assert summary["faithfulness"] == pytest.approx(1.0)


def test_a_failing_endpoint_leaves_metrics_unscored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = make_case()
    record = make_record(case, answer="수준확인은 5단계로 나뉩니다. [1]", cited=[(1, LEVEL)])
    with openai_stub() as (url, _state):
        settings = make_settings(tmp_path / "var", llm_base_url=url.replace("/v1", "/nowhere"),
                                 llm_model="judge-model", llm_timeout_s=5)
        notes = asyncio.run(ragas_metrics.score_with_llm([(case, record)], settings))
    assert all("1 case(s) failed to score" in v for v in notes.values())
    assert all(record.scores.get(name) is None for name in ragas_metrics.LLM_METRICS)
