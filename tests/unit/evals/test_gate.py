"""The regression gate: thresholds, allowed drops, metrics not run, the committed gate file."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.gate import GATE_FILE, Rule, evaluate, load_rules


def test_threshold_breach_fails_with_a_message() -> None:
    result = evaluate({"hit@5": 0.7}, None, {"hit@5": Rule(min=0.8)})
    assert not result.passed
    assert result.failures == ["hit@5 = 0.700 is below its threshold 0.8"]


def test_allowed_drop_against_the_baseline() -> None:
    rules = {"key_facts": Rule(min=0.3, max_drop=0.03)}
    assert evaluate({"key_facts": 0.48}, {"key_facts": 0.50}, rules).passed  # within the allowed drop
    assert evaluate({"key_facts": 0.47}, {"key_facts": 0.50}, rules).passed  # exactly the allowed drop
    dropped = evaluate({"key_facts": 0.46}, {"key_facts": 0.50}, rules)
    assert not dropped.passed
    assert dropped.failures == ["key_facts dropped 0.500 → 0.460 (more than the allowed 0.03)"]
    assert evaluate({"key_facts": 0.9}, {"key_facts": 0.5}, rules).passed  # rising is fine


def test_lower_is_better_limits() -> None:
    rules = {"p95_ms": Rule(max=3000, max_rise_ratio=3), "errors": Rule(max=0)}
    assert evaluate({"p95_ms": 500.0, "errors": 0.0}, {"p95_ms": 200.0}, rules).passed
    slow = evaluate({"p95_ms": 700.0, "errors": 1.0}, {"p95_ms": 200.0}, rules)
    assert [c.metric for c in slow.checks if c.status == "fail"] == ["p95_ms", "errors"]


def test_metrics_not_run_are_skipped_not_zero() -> None:
    result = evaluate({"faithfulness": None}, {"faithfulness": 0.9}, {"faithfulness": Rule(min=0.7, max_drop=0.05)})
    assert result.passed
    check = result.check("faithfulness")
    assert check is not None and check.status == "skip"


def test_rules_file_with_suite_overrides(tmp_path: Path) -> None:
    path = tmp_path / "gate.yaml"
    path.write_text("metrics:\n  hit@5: {min: 0.8, max_drop: 0.03}\nsuites:\n  fast: {hit@5: {max_drop: 0.05}}\n",
                    encoding="utf-8")
    assert load_rules(path)["hit@5"] == Rule(min=0.8, max_drop=0.03)
    assert load_rules(path, suite="fast")["hit@5"] == Rule(min=0.8, max_drop=0.05)
    path.write_text("metrics:\n  hit@7: {min: 0.8}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown metrics hit@7"):
        load_rules(path)


def test_committed_gate_file_covers_the_headline_metrics() -> None:
    rules = load_rules(GATE_FILE, suite="fast")
    for metric in ("hit@1", "hit@5", "mrr@10", "key_facts", "chrf", "citation_validity", "decision_accuracy",
                   "escalate_precision", "escalate_recall", "p95_ms", "errors"):
        assert metric in rules, metric
