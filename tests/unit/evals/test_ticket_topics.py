"""Ticket topic accuracy: the golden cases that name a topic, the schema check, the score."""

from __future__ import annotations

import pydantic
import pytest

from evals.cases import load_suite
from evals.metrics import score_case, summarize
from evals.records import CaseRecord
from tests.unit.evals.factories import make_case

UNANSWERABLE = {"id": "una-901", "type": "unanswerable", "question": "납품 계약 분쟁인데 소송하면 이기나요?",
                "sources": [], "key_facts": [], "expected_decision": "escalate",
                "tags": {"kind": "mentoring", "topic": "분쟁"}}


def test_every_escalate_case_names_a_ticket_topic() -> None:
    escalated = [c for c in load_suite() if c.expected_decision.value == "escalate"]
    assert len(escalated) >= 50
    assert all(c.expected_topic for c in escalated), [c.id for c in escalated if not c.expected_topic]
    assert {c.expected_topic for c in escalated} >= {"미분류", "지원사업", "계약·법률", "안전·인증", "자동화"}


@pytest.mark.parametrize("broken", [
    {"expected_topic": "법무"},  # not a topic the desk files under
    {"expected_decision": "declined", "expected_topic": "계약·법률"},  # no ticket, no topic
])
def test_a_bad_expected_topic_is_refused(broken: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        make_case(**{**UNANSWERABLE, **broken})


def _record(case_topic: str | None, ticket_topic: str | None) -> CaseRecord:
    case = make_case(**UNANSWERABLE, expected_topic=case_topic)
    record = CaseRecord(id=case.id, type=case.type.value, question=case.question, expected_decision="escalate",
                        decision="escalate", expected_topic=case_topic, ticket_topic=ticket_topic)
    score_case(case, record)
    return record


def test_ticket_topic_scores_only_cases_whose_question_opened_a_ticket() -> None:
    right, wrong = _record("계약·법률", "계약·법률"), _record("계약·법률", "자동화")
    no_ticket, no_topic = _record("계약·법률", None), _record(None, "자동화")
    assert [r.scores["ticket_topic"] for r in (right, wrong, no_ticket, no_topic)] == [1.0, 0.0, None, None]
    assert summarize([right, wrong, no_ticket, no_topic])["ticket_topic"] == 0.5
