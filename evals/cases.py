"""The golden case schema (evals/golden/*.yaml), checked for every file by a test."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.experts.routing import TICKET_TOPICS
from assistant.types import Decision

HANGUL = re.compile(r"[가-힣]")
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
# owners' questions written apart from the golden set, to tune answer rules on (README there)
DEV_DIR = Path(__file__).resolve().parent / "dev"


class CaseType(StrEnum):
    answer = "answer"
    followup = "followup"
    unanswerable = "unanswerable"
    human_request = "human_request"
    supplier = "supplier"


class Label(StrEnum):
    """What a case tests beyond its topic, so metrics can be broken down by it."""

    english = "english"  # asked in English about a covered topic; answered from Korean sources
    uncovered = "uncovered"  # in the domain but not in the knowledge: escalate or offer_expert, never declined
    calculation = "calculation"  # the owner gives numbers; the key fact is the exact result
    list = "list"  # "what do I bring", "what are the steps": a short list
    offer_expert = "offer_expert"  # a partial answer exists, but a person should look
    trap = "trap"  # the words match a "what not to do" list; the answer must not recommend it


class Tags(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str
    difficulty: str = "medium"
    topic: str = ""
    labels: list[Label] = Field(default_factory=list)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # <prefix>-<number> for written cases; exports add the conversation or ticket id
    id: str = Field(pattern=r"^[a-z]{2,8}-[0-9a-f]{0,8}-?\d{3,4}$|^[a-z]{2,8}-[0-9a-f]{8}$")
    type: CaseType
    question: str = Field(min_length=1, max_length=2000)
    turns: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    key_facts: list[str | list[str]] = Field(default_factory=list)
    reference_answer: str = ""
    expected_decision: Decision
    suppliers: list[str] = Field(default_factory=list)
    # escalated and human-request cases: the topic an expert desk would file the ticket under
    # (one of `assistant.experts.routing.TOPICS`, or 미분류); the eval scores the ticket's topic
    expected_topic: str | None = None
    tags: Tags

    @field_validator("key_facts")
    @classmethod
    def _facts_not_empty(cls, facts: list[str | list[str]]) -> list[str | list[str]]:
        for fact in facts:
            options = fact if isinstance(fact, list) else [fact]
            if not options or any(not o.strip() for o in options):
                raise ValueError("a key fact (or alternative) is empty")
        return facts

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        t = self.type
        if t in (CaseType.answer, CaseType.followup, CaseType.supplier):
            if not self.sources:
                raise ValueError(f"{self.id}: a {t.value} case needs sources")
            if t != CaseType.supplier and not self.key_facts:
                raise ValueError(f"{self.id}: a {t.value} case needs key_facts")
        if t == CaseType.followup and not self.turns:
            raise ValueError(f"{self.id}: a followup case needs the earlier turns")
        if t == CaseType.supplier and not self.suppliers:
            raise ValueError(f"{self.id}: a supplier case needs the expected supplier ids")
        if t == CaseType.unanswerable:
            if self.sources:
                raise ValueError(f"{self.id}: an unanswerable case has no sources")
            if self.expected_decision not in (Decision.escalate, Decision.declined):
                raise ValueError(f"{self.id}: unanswerable means escalate or declined")
        self._labels_consistent()
        if t == CaseType.human_request and self.expected_decision != Decision.escalate:
            raise ValueError(f"{self.id}: a request for a person is escalated")
        self._topic_consistent()
        return self

    def _topic_consistent(self) -> None:
        if self.expected_topic is None:
            return
        if self.expected_decision != Decision.escalate:
            raise ValueError(f"{self.id}: only an escalated case has a ticket topic")
        if self.expected_topic not in TICKET_TOPICS:
            raise ValueError(f"{self.id}: unknown ticket topic {self.expected_topic!r} (one of {TICKET_TOPICS})")

    def _labels_consistent(self) -> None:
        labels = set(self.tags.labels)
        if Label.uncovered in labels and self.expected_decision not in (Decision.escalate, Decision.offer_expert):
            raise ValueError(f"{self.id}: an uncovered in-domain question goes to an expert, never declined")
        if Label.offer_expert in labels and self.expected_decision != Decision.offer_expert:
            raise ValueError(f"{self.id}: an offer_expert case expects offer_expert")
        if labels & {Label.english, Label.calculation, Label.list, Label.trap} and not self.key_facts:
            raise ValueError(f"{self.id}: an english, calculation, list or trap case needs key_facts")
        if Label.english in labels and HANGUL.search(self.question):
            raise ValueError(f"{self.id}: an english case is asked in English")

    def fact_options(self) -> list[list[str]]:
        return [f if isinstance(f, list) else [f] for f in self.key_facts]


class GoldenFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cases: list[Case]


def load_file(path: Path) -> list[Case]:
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    return GoldenFile.model_validate(data).cases


def load_suite(path: Path | None = None) -> list[Case]:
    """All cases in a file or a folder of *.yaml files; ids must be unique."""
    path = path or GOLDEN_DIR
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    cases = [case for f in files for case in load_file(f)]
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise ValueError(f"duplicate case id {case.id}")
        seen.add(case.id)
    return cases


def json_schema() -> dict[str, Any]:
    return GoldenFile.model_json_schema()
