"""Measured with the real default model on the shipped knowledge: no dangling golden
references, and the escalate decision's precision and recall on the golden set."""

from __future__ import annotations

import pytest

from assistant.service import Assistant
from assistant.stores import Stores
from assistant.types import Decision, Question
from evals.cases import CaseType, load_suite

pytestmark = pytest.mark.quality


def test_every_golden_source_resolves_to_an_ingested_document(knowledge_stores: Stores) -> None:
    ingested = knowledge_stores.catalog.sources()
    missing = sorted({s for case in load_suite() for s in case.sources if s not in ingested})
    assert not missing, f"golden cases point at documents that were not ingested: {missing}"
    supplier_ids = {s.split("#")[1] for s in ingested if "#" in s}
    for case in load_suite():
        assert set(case.suppliers) <= supplier_ids, case.id


def test_escalate_precision_and_recall_on_the_golden_set(knowledge_settings, knowledge_stores) -> None:
    assistant = Assistant(knowledge_settings, knowledge_stores)
    # the cases this threshold was set on; the labelled cases of issue 12 (English, uncovered,
    # offer_expert...) are measured against their own targets in test_golden_answers.py
    cases = [c for c in load_suite() if c.type != CaseType.followup and not c.tags.labels]
    tp = fp = fn = 0
    for case in cases:
        got = assistant.ask(Question(text=case.question)).decision == Decision.escalate
        want = case.expected_decision == Decision.escalate
        tp += got and want
        fp += got and not want
        fn += want and not got
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.8 and recall >= 0.8, (precision, recall)
