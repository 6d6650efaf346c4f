"""Every golden case asked once, as the channels ask it, with the real default model:

- every answer goes through the artifact check (table pipes, checkbox and bullet glyphs,
  lemma lists in coverage notes, bare "what not to do" items): an owner should see none;
- the answer-quality targets of issue 12 over the whole golden set.

No golden answer carries an artifact, and every target is met (thirteenth session: key facts
0.754, first sentence 0.650, English 0.929, escalate precision / recall 1.000 / 0.915;
evals/baselines/full.json). The key-facts margin is about one case: a change that costs a
golden fact must win one back or be argued for."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from pathlib import Path

import pytest

from assistant.settings import Settings
from evals.artifacts import dont_items, find_artifacts
from evals.cases import Case, load_suite
from evals.metrics import summarize
from evals.records import CaseRecord
from evals.runner import build_eval_assistant, close_assistant, run_cases, scratch_database
from tests.conftest import KNOWLEDGE

pytestmark = [pytest.mark.quality, pytest.mark.slow]
log = logging.getLogger(__name__)
SHOWN = 25  # artifacts quoted in the failure message


@pytest.fixture(scope="module")
def golden_answers(knowledge_settings: Settings, tmp_path_factory: pytest.TempPathFactory,
                   ) -> list[tuple[Case, CaseRecord]]:
    work: Path = tmp_path_factory.mktemp("artifacts")
    settings = scratch_database(knowledge_settings, work / "eval.sqlite")
    cases = load_suite()
    assistant = build_eval_assistant(settings)
    try:
        records = asyncio.run(run_cases(assistant, cases))
    finally:
        close_assistant(assistant)
    return list(zip(cases, records, strict=True))


def test_no_golden_answer_carries_a_copy_artifact(golden_answers: list[tuple[Case, CaseRecord]]) -> None:
    dont = dont_items(KNOWLEDGE)
    assert not [r.id for _, r in golden_answers if r.error], "cases failed to run"
    found = [(case.id, artifact) for case, record in golden_answers
             for artifact in find_artifacts(record.answer, case.question, dont)]
    by_kind = Counter(a.kind for _, a in found)
    answers = len({case_id for case_id, _ in found})
    log.info("artifacts: %d in %d of %d answers, by kind %s", len(found), answers, len(golden_answers),
             dict(by_kind))
    shown = "\n".join(f"{case_id}: {artifact}" for case_id, artifact in found[:SHOWN])
    assert not found, f"{len(found)} artifacts in {answers} answers {dict(by_kind)}:\n{shown}"


def test_issue_12_targets_over_the_whole_golden_set(golden_answers: list[tuple[Case, CaseRecord]]) -> None:
    metrics = summarize([record for _, record in golden_answers])
    log.info("golden set: %s", {k: round(v, 3) for k, v in metrics.items() if v is not None})
    assert metrics["uncovered_declined"] == 0.0, "an in-domain question was declined as out of scope"
    assert metrics["english_key_fact"] >= 0.8
    assert metrics["escalate_precision"] >= 0.9 and metrics["escalate_recall"] >= 0.9
    assert metrics["key_facts"] >= 0.75
    assert metrics["first_sentence_fact"] >= 0.6
    assert metrics["correct_not_answered"] <= 0.1
