"""One evaluation end to end: run a suite, save the run, gate it against a baseline, report.

This is what `factory-mentor eval` and the CI gate test call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from assistant.settings import Settings
from evals import gate as gates
from evals.compare import CaseChange, baseline_metrics, worse_cases
from evals.report import write_report
from evals.runner import KNOWLEDGE_DIR, Progress, run_suite
from evals.runs import Run, load_run, save_run
from evals.suites import Suite

log = logging.getLogger(__name__)

NO_BASELINE = "none"


@dataclass
class Outcome:
    run: Run
    baseline: Run | None
    gate: gates.GateResult
    worse: list[CaseChange]
    run_path: Path
    report: Path


def runs_dir_for(settings: Settings) -> Path:
    return settings.data_dir / "eval" / "runs"


def find_baseline(suite: Suite, ref: str | Path | None, runs_dir: Path) -> Run | None:
    """`ref` (a path or a run id), 'none' for no baseline, or the suite's committed baseline."""
    if ref is not None and str(ref).lower() == NO_BASELINE:
        return None
    if ref is not None:
        return load_run(ref, runs_dir)
    if suite.baseline_path.is_file():
        return load_run(suite.baseline_path)
    log.warning("suite %s has no committed baseline (%s): gating on thresholds only",
                suite.name, suite.baseline_path)
    return None


def judge(run: Run, baseline: Run | None, rules_path: Path = gates.GATE_FILE) -> gates.GateResult:
    rules = gates.load_rules(rules_path, suite=run.suite)
    base = baseline_metrics(run, baseline) if baseline else None
    return gates.evaluate(run.metrics, base, rules, baseline.run_id if baseline else None)


def evaluate(
    settings: Settings, suite: Suite, *, baseline: str | Path | None = None, report_dir: Path | None = None,
    runs_dir: Path | None = None, knowledge_dir: Path = KNOWLEDGE_DIR, llm_metrics: bool = True,
    rules_path: Path = gates.GATE_FILE, progress: Progress | None = None,
) -> Outcome:
    runs_dir = runs_dir or runs_dir_for(settings)
    base = find_baseline(suite, baseline, runs_dir)  # before the run: a bad reference fails fast
    run = run_suite(settings, suite, knowledge_dir=knowledge_dir, llm_metrics=llm_metrics, progress=progress)
    run_path = save_run(run, runs_dir)
    result = judge(run, base, rules_path)
    report = write_report(run, base, result, report_dir or settings.data_dir / "eval" / "reports" / run.run_id)
    worse = worse_cases(run, base) if base else []
    log.info("gate %s for %s (%d cases worse)", "passed" if result.passed else "FAILED", run.run_id, len(worse))
    return Outcome(run, base, result, worse, run_path, report)
