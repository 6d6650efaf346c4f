"""The regression gate: thresholds and allowed drops from the committed `evals/gate.yaml`.

A metric fails when it is below its `min` (above its `max`), or when, against the
baseline run, it dropped by more than `max_drop` (for lower-is-better metrics such as
latency: rose past `max_rise_ratio` times the baseline). Metrics that were not run (None)
are skipped and said so; they never count as zero. A metric listed with no limit (`{}`)
is reported beside the gate and never fails it; a baseline saved before a metric existed
simply has no value for it, so no drop is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from evals.metrics import METRICS
from evals.records import Score

GATE_FILE = Path(__file__).resolve().parent / "gate.yaml"


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: float | None = None
    max: float | None = None
    max_drop: float | None = None
    max_rise_ratio: float | None = None

    @property
    def reported_only(self) -> bool:
        """No limit at all: the metric is shown beside the gate but never fails it."""
        return self.min is None and self.max is None and self.max_drop is None and self.max_rise_ratio is None

    def describe(self) -> str:
        if self.reported_only:
            return "reported, not gating"
        parts = []
        if self.min is not None:
            parts.append(f"≥ {self.min:g}")
        if self.max is not None:
            parts.append(f"≤ {self.max:g}")
        if self.max_drop is not None:
            parts.append(f"drop ≤ {self.max_drop:g}")
        if self.max_rise_ratio is not None:
            parts.append(f"rise ≤ ×{self.max_rise_ratio:g}")
        return ", ".join(parts)


@dataclass
class Check:
    metric: str
    value: Score
    baseline: Score
    rule: Rule
    status: str  # pass | fail | skip | report (a metric shown, not gated)
    messages: list[str] = field(default_factory=list)


@dataclass
class GateResult:
    checks: list[Check]
    baseline_run: str | None = None

    @property
    def passed(self) -> bool:
        return all(c.status != "fail" for c in self.checks)

    @property
    def failures(self) -> list[str]:
        return [m for c in self.checks if c.status == "fail" for m in c.messages]

    def check(self, metric: str) -> Check | None:
        return next((c for c in self.checks if c.metric == metric), None)


def load_rules(path: Path = GATE_FILE, suite: str | None = None) -> dict[str, Rule]:
    """The metric rules, with the suite's overrides (under `suites: {name: {...}}`) on top."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rules = {name: dict(rule or {}) for name, rule in (data.get("metrics") or {}).items()}
    for name, override in ((data.get("suites") or {}).get(suite or "", {}) or {}).items():
        rules[name] = {**rules.get(name, {}), **(override or {})}
    unknown = sorted(set(rules) - set(METRICS))
    if unknown:
        raise ValueError(f"{path}: unknown metrics {', '.join(unknown)}")
    return {name: Rule.model_validate(rule) for name, rule in rules.items()}


def _fmt(metric: str, value: float) -> str:
    info = METRICS.get(metric)
    return (info.fmt if info else "{:.3f}").format(value)


def _check(metric: str, value: Score, baseline: Score, rule: Rule) -> Check:
    if value is None:
        return Check(metric, value, baseline, rule, "skip", [f"{metric}: not run"])
    if rule.reported_only:
        return Check(metric, value, baseline, rule, "report")
    problems = []
    if rule.min is not None and value < rule.min:
        problems.append(f"{metric} = {_fmt(metric, value)} is below its threshold {rule.min:g}")
    if rule.max is not None and value > rule.max:
        problems.append(f"{metric} = {_fmt(metric, value)} is above its limit {rule.max:g}")
    if baseline is not None and rule.max_drop is not None and baseline - value > rule.max_drop + 1e-9:
        problems.append(f"{metric} dropped {_fmt(metric, baseline)} → {_fmt(metric, value)} "
                        f"(more than the allowed {rule.max_drop:g})")
    if baseline and rule.max_rise_ratio is not None and value > baseline * rule.max_rise_ratio:
        problems.append(f"{metric} rose {_fmt(metric, baseline)} → {_fmt(metric, value)} "
                        f"(more than ×{rule.max_rise_ratio:g})")
    return Check(metric, value, baseline, rule, "fail" if problems else "pass", problems)


def evaluate(metrics: dict[str, Score], baseline: dict[str, Score] | None, rules: dict[str, Rule],
             baseline_run: str | None = None) -> GateResult:
    """Every rule checked against this run's metrics (and the baseline's, when given)."""
    base = baseline or {}
    checks = [_check(name, metrics.get(name), base.get(name), rule) for name, rule in rules.items()]
    return GateResult(checks, baseline_run)
