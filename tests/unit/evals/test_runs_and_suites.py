"""Suites (full, golden file, selection), saved runs and the committed baselines."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evals import suites
from evals.cases import GOLDEN_DIR, load_suite
from evals.compare import baseline_metrics, worse_cases
from evals.runs import load_run, save_run
from tests.unit.evals.factories import make_case, make_record, make_run


def test_fast_suite_spans_every_case_type() -> None:
    fast = suites.load(suites.FAST_SUITE)
    assert fast.name == "fast" and 60 <= len(fast.cases) <= 80
    assert set(Counter(c.type.value for c in fast.cases)) == {
        "answer", "followup", "unanswerable", "human_request", "supplier"}
    assert {c.expected_decision.value for c in fast.cases} >= {"answered", "escalate", "declined"}
    assert fast.baseline_path.name == "fast.json"


def test_full_suite_and_single_golden_file() -> None:
    full = suites.load()
    assert full.name == suites.FULL and len(full.cases) == len(load_suite())
    one = suites.load(GOLDEN_DIR / "human_request.yaml")
    assert one.name == "human_request" and all(c.type.value == "human_request" for c in one.cases)


def test_selection_refuses_unknown_ids(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(f"name: mine\ngolden: {GOLDEN_DIR}\ncase_ids: [pol-001, pol-999]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown case ids pol-999"):
        suites.load(path)


def test_sample_is_deterministic_and_stratified() -> None:
    cases = load_suite()
    assert suites.sample_ids(cases) == suites.sample_ids(list(reversed(cases)))
    assert len(suites.sample_ids(cases, {"answer": 5, "supplier": 2})) == 7


def test_run_round_trip_by_path_and_id(tmp_path: Path) -> None:
    case = make_case()
    run = make_run([make_record(case, answer="5단계입니다 [1]", cited=[(1, "policies/level-check.md")])])
    path = save_run(run, tmp_path / "runs")
    assert path.name == f"{run.run_id}.json"
    for ref in (path, run.run_id):
        loaded = load_run(ref, tmp_path / "runs")
        assert loaded.metrics["hit@1"] == 1.0 and loaded.metrics["faithfulness"] is None
        record = loaded.records[0]
        assert record.answer == "5단계입니다 [1]" and record.citations[0].source == "policies/level-check.md"
        assert record.retrieved[0].source == "policies/level-check.md" and record.hit_rank == 1
    with pytest.raises(FileNotFoundError):
        load_run("no-such-run", tmp_path / "runs")


def test_baseline_metrics_over_the_same_cases() -> None:
    good = make_case()
    other = make_case(id="pol-902")
    baseline = make_run([make_record(good, answer="5단계 3만 개 [1]", cited=[(1, "policies/level-check.md")]),
                         make_record(other, answer="", decision="escalate", retrieved=["x.md"])])
    run = make_run([make_record(good, answer="모릅니다", decision="escalate", retrieved=["x.md"])])
    assert baseline.metrics["hit@1"] == 0.5
    assert baseline_metrics(run, baseline)["hit@1"] == 1.0  # recomputed over pol-901 only
    [change] = worse_cases(run, baseline)
    assert change.case_id == "pol-901"
    assert "decision answered → escalate (expected answered)" in change.reasons
    assert "first relevant source rank 1 → not in the top results" in change.reasons


@pytest.mark.parametrize("name", ["fast", "full"])
def test_committed_baselines_load(name: str) -> None:
    path = suites.BASELINES_DIR / f"{name}.json"
    run = load_run(path)
    assert run.suite == name and run.records and run.metrics["errors"] == 0
    assert run.metrics["faithfulness"] is None  # recorded without an LLM: not run, not zero
