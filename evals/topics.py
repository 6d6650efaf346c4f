"""Ticket topic accuracy: the golden cases that escalate (or ask for a person) and name the
topic an expert desk would file them under, asked through the assistant as every case is.

A quicker view of the `ticket_topic` metric of a full run: only these cases, each with the
topic its ticket got.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path

from assistant.settings import Settings
from evals.cases import Case, load_suite
from evals.records import CaseRecord
from evals.runner import (
    KNOWLEDGE_DIR,
    build_eval_assistant,
    close_assistant,
    ensure_ingested,
    run_cases,
    scratch_database,
)


@dataclass(frozen=True)
class TopicResult:
    records: list[CaseRecord]

    @property
    def scored(self) -> list[CaseRecord]:
        """The cases whose question opened a ticket."""
        return [r for r in self.records if r.scores.get("ticket_topic") is not None]

    @property
    def accuracy(self) -> float | None:
        scored = self.scored
        return sum(r.scores["ticket_topic"] or 0.0 for r in scored) / len(scored) if scored else None

    @property
    def without_ticket(self) -> list[CaseRecord]:
        return [r for r in self.records if r.ticket_topic is None]


def topic_cases(path: Path | None = None) -> list[Case]:
    return [c for c in load_suite(path) if c.expected_topic is not None]


def run_topics(settings: Settings, cases: list[Case], *, knowledge_dir: Path = KNOWLEDGE_DIR) -> TopicResult:
    """Ask every case in a throwaway database and keep the topic each ticket got."""
    ensure_ingested(settings, knowledge_dir)
    with tempfile.TemporaryDirectory(prefix="fm-topics-") as work:
        run_settings = scratch_database(settings, Path(work) / "topics.sqlite")
        assistant = build_eval_assistant(run_settings)
        try:
            records = asyncio.run(run_cases(assistant, cases))
        finally:
            close_assistant(assistant)
    return TopicResult(records)
