"""What one golden case produced in one run: the answer, what was retrieved, and its scores.

A record is made by `evals.runner`, scored by `evals.metrics` and `evals.ragas_metrics`,
saved by `evals.runs` and shown by `evals.report`. Heavy fields (chunk ids, chunk texts)
exist while the run is scored and are left out of the saved JSON.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

Score = float | None
SAVED_RETRIEVED = 5  # retrieved sources kept in a saved run (the rank of the first hit is kept too)


class Cited(BaseModel):
    n: int
    source: str
    chunk_id: str = Field(default="", exclude=True)


class Retrieved(BaseModel):
    source: str
    chunk_id: str = Field(default="", exclude=True)
    text: str = Field(default="", exclude=True)


class CaseRecord(BaseModel):
    """One case's outcome; `scores` maps metric name -> value (None: not applicable)."""

    id: str
    type: str
    kind: str = ""
    difficulty: str = ""
    topic: str = ""
    labels: list[str] = Field(default_factory=list)
    question: str
    turns: list[str] = Field(default_factory=list)
    expected_decision: str
    decision: str | None = None
    expected_topic: str | None = None
    ticket_topic: str | None = None  # the topic the escalated question's ticket was filed under
    answer: str = ""
    confidence: float | None = None
    mode: str | None = None
    reason: str | None = None
    citations: list[Cited] = Field(default_factory=list)
    retrieved: list[Retrieved] = Field(default_factory=list)
    hit_rank: int | None = None
    missing_facts: list[str] = Field(default_factory=list)
    citation_problems: list[str] = Field(default_factory=list)
    latency_s: float = 0.0
    error: str | None = None
    scores: dict[str, Score] = Field(default_factory=dict)

    @field_validator("citations", mode="before")
    @classmethod
    def _cited_from_sources(cls, value: Any) -> Any:
        """Saved runs list citations as sources in number order."""
        if isinstance(value, list):
            return [{"n": i, "source": v} if isinstance(v, str) else v for i, v in enumerate(value, start=1)]
        return value

    @field_validator("retrieved", mode="before")
    @classmethod
    def _retrieved_from_sources(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"source": v} if isinstance(v, str) else v for v in value]
        return value

    def score(self, name: str) -> Score:
        return self.scores.get(name)

    def compact(self) -> dict[str, Any]:
        """The saved form: sources only (no chunk ids or texts), defaults and unset scores left out."""
        data = self.model_dump(exclude_defaults=True, exclude={"citations", "retrieved", "scores"})
        data["type"], data["question"] = self.type, self.question
        data["expected_decision"] = self.expected_decision
        data["latency_s"] = round(self.latency_s, 4)
        if self.confidence is not None:
            data["confidence"] = round(self.confidence, 4)
        if self.citations:
            data["citations"] = [c.source for c in sorted(self.citations, key=lambda c: c.n)]
        if self.retrieved:
            data["retrieved"] = [r.source for r in self.retrieved[:SAVED_RETRIEVED]]
        data["scores"] = {k: round(v, 4) for k, v in self.scores.items() if v is not None}
        return data
