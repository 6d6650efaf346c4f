"""Hand-made golden cases, records and runs for the eval tests (keyword defaults)."""

from __future__ import annotations

from typing import Any

from evals.cases import Case
from evals.metrics import score_case
from evals.records import CaseRecord, Cited, Retrieved
from evals.runs import Run


def make_case(**overrides: Any) -> Case:
    data: dict[str, Any] = {
        "id": "pol-901", "type": "answer", "question": "수준확인 받으면 뭐가 좋아요?",
        "sources": ["policies/level-check.md"], "key_facts": ["5단계", ["3만 개", "30,000개"]],
        "reference_answer": "수준확인은 5단계로 나뉘며 3만 개 공장이 목표입니다.",
        "expected_decision": "answered", "tags": {"kind": "policy", "difficulty": "easy", "topic": "수준확인"},
    }
    data.update(overrides)
    return Case.model_validate(data)


def make_record(case: Case, *, answer: str = "", decision: str = "answered",
                retrieved: list[str] | None = None, cited: list[tuple[int, str]] | None = None,
                latency_s: float = 0.1, score: bool = True) -> CaseRecord:
    """A record as the runner makes it; retrieved sources get chunk ids `c<rank>`, and a
    citation names the source it cites (its chunk is that source's first retrieved chunk)."""
    retrieved = retrieved if retrieved is not None else list(case.sources)
    chunks = [Retrieved(source=s, chunk_id=f"c{i}", text=f"{s} 본문") for i, s in enumerate(retrieved, start=1)]
    by_source = {r.source: r.chunk_id for r in reversed(chunks)}
    record = CaseRecord(
        id=case.id, type=case.type.value, kind=case.tags.kind, difficulty=case.tags.difficulty,
        topic=case.tags.topic, labels=[label.value for label in case.tags.labels], question=case.question, expected_decision=case.expected_decision.value,
        decision=decision, answer=answer, latency_s=latency_s, retrieved=chunks,
        citations=[Cited(n=n, source=s, chunk_id=by_source.get(s, "not-retrieved")) for n, s in cited or []],
    )
    if score:
        score_case(case, record)
    return record


def make_run(records: list[CaseRecord], *, run_id: str = "20260101-000000-test", suite: str = "test",
             metrics: dict[str, float | None] | None = None) -> Run:
    from evals.metrics import by_group, summarize

    return Run(run_id=run_id, created_at="2026-01-01T00:00:00+00:00", suite=suite,
               metrics=metrics if metrics is not None else summarize(records),
               by_kind=by_group(records, lambda r: r.kind), by_type=by_group(records, lambda r: r.type),
               records=records, timings={"cases_s": 1.0, "total_s": 2.0})
