"""A run against its baseline: the baseline's metrics over the same cases, and which cases
got worse (and why), case by case."""

from __future__ import annotations

from dataclasses import dataclass

from evals.metrics import summarize
from evals.records import CaseRecord, Score
from evals.runs import Run

CHRF_DROP = 0.15  # a chrF fall this large is a worse answer, not a rewording


@dataclass
class CaseChange:
    case_id: str
    question: str
    reasons: list[str]
    current: CaseRecord
    baseline: CaseRecord


def baseline_metrics(run: Run, baseline: Run) -> dict[str, Score]:
    """The baseline's headline metrics over the cases this run asked (recomputed from its
    saved records when the case sets differ, e.g. a fast run against the full baseline)."""
    ids = {r.id for r in run.records}
    if ids == {r.id for r in baseline.records}:
        return dict(baseline.metrics)
    kept = [r for r in baseline.records if r.id in ids]
    metrics = summarize(kept)
    for name, value in baseline.metrics.items():
        if name not in metrics:
            metrics[name] = value
    return metrics


def _rank(rank: int | None) -> str:
    return f"rank {rank}" if rank is not None else "not in the top results"


def _share(value: Score) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def reasons_worse(now: CaseRecord, before: CaseRecord) -> list[str]:
    """Why `now` is worse than `before` ([] when it is not)."""
    if now.error and not before.error:
        return [f"failed to run: {now.error}"]
    if now.error or before.error:
        return []
    reasons = []
    if before.decision == before.expected_decision and now.decision != now.expected_decision:
        reasons.append(f"decision {before.decision} → {now.decision} (expected {now.expected_decision})")
    if "hit@1" in now.scores and "hit@1" in before.scores:
        b, n = before.hit_rank, now.hit_rank
        if b is not None and (n is None or n > b):
            reasons.append(f"first relevant source {_rank(b)} → {_rank(n)}")
    b_facts, n_facts = before.score("key_facts"), now.score("key_facts")
    if b_facts is not None and n_facts is not None and n_facts < b_facts:
        missing = f" (missing: {', '.join(now.missing_facts)})" if now.missing_facts else ""
        reasons.append(f"key facts stated {_share(b_facts)} → {_share(n_facts)}{missing}")
    if before.score("citation_validity") == 1.0 and now.score("citation_validity") == 0.0:
        reasons.append(f"citations became invalid: {'; '.join(now.citation_problems)}")
    if before.score("supplier@1") == 1.0 and now.score("supplier@1") == 0.0:
        reasons.append("the expected supplier is no longer recommended first")
    b_chrf, n_chrf = before.score("chrf"), now.score("chrf")
    if b_chrf is not None and n_chrf is not None and b_chrf - n_chrf > CHRF_DROP:
        reasons.append(f"chrF against the reference {b_chrf:.2f} → {n_chrf:.2f}")
    return reasons


def worse_cases(run: Run, baseline: Run) -> list[CaseChange]:
    """Cases of `run` that got worse than in `baseline`, most reasons first."""
    before = {r.id: r for r in baseline.records}
    changes = [
        CaseChange(r.id, r.question, reasons, r, before[r.id])
        for r in run.records
        if r.id in before and (reasons := reasons_worse(r, before[r.id]))
    ]
    return sorted(changes, key=lambda c: (-len(c.reasons), c.case_id))


def better_count(run: Run, baseline: Run) -> int:
    """How many cases improved (worse in the baseline than now)."""
    now = {r.id: r for r in run.records}
    return sum(1 for r in baseline.records if r.id in now and reasons_worse(r, now[r.id]))
