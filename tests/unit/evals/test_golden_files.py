"""Every golden file follows the schema, so cases added later by evaluators are checked too."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml
from pydantic import ValidationError

from evals.cases import DEV_DIR, GOLDEN_DIR, GoldenFile, load_suite


def test_all_golden_files_validate_and_ids_are_unique() -> None:
    cases = load_suite()
    counts = Counter(c.type.value for c in cases)
    assert counts["answer"] + counts["followup"] >= 200
    assert counts["unanswerable"] >= 30 and counts["human_request"] >= 10 and counts["supplier"] >= 20
    assert counts["followup"] >= 10


@pytest.mark.parametrize("broken", [
    {"id": "x-001", "type": "answer", "question": "질문", "expected_decision": "answered", "tags": {"kind": "policy"}},
    {"id": "bad id", "type": "unanswerable", "question": "q", "expected_decision": "escalate", "tags": {"kind": "p"}},
    {"id": "una-999", "type": "unanswerable", "question": "날씨", "sources": ["policies/a.md"],
     "expected_decision": "declined", "tags": {"kind": "policy"}},
    {"id": "fol-001", "type": "followup", "question": "그럼요?", "sources": ["a.md"], "key_facts": ["x"],
     "expected_decision": "answered", "tags": {"kind": "policy"}},
    {"id": "hum-999", "type": "human_request", "question": "사람", "expected_decision": "answered",
     "tags": {"kind": "policy"}},
])
def test_bad_cases_are_refused(broken: dict) -> None:
    with pytest.raises(ValidationError):
        GoldenFile.model_validate({"cases": [broken]})


def test_every_file_is_yaml_with_cases() -> None:
    for path in sorted(GOLDEN_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict) and data.get("cases"), path.name


def test_the_labelled_cases_cover_every_label() -> None:
    from evals.cases import Label

    cases = load_suite()
    counts = Counter(label.value for c in cases for label in c.tags.labels)
    for label in Label:
        assert counts[label.value] >= 5, label
    for case in cases:
        if Label.uncovered in case.tags.labels:
            assert case.expected_decision.value in ("escalate", "offer_expert"), case.id
        if Label.offer_expert in case.tags.labels:
            assert case.expected_decision.value == "offer_expert" and case.key_facts, case.id


@pytest.mark.parametrize("broken", [
    {"id": "unc-999", "type": "unanswerable", "question": "호퍼 드라이어 과열", "expected_decision": "declined",
     "tags": {"kind": "policy", "labels": ["uncovered"]}},
    {"id": "eng-999", "type": "answer", "question": "PPM은 어떻게 계산해요?", "sources": ["a.md"],
     "key_facts": ["1,000,000"], "expected_decision": "answered", "tags": {"kind": "policy", "labels": ["english"]}},
    {"id": "off-999", "type": "answer", "question": "q", "sources": ["a.md"], "key_facts": ["x"],
     "expected_decision": "answered", "tags": {"kind": "policy", "labels": ["offer_expert"]}},
    {"id": "cal-999", "type": "answer", "question": "q", "sources": ["a.md"], "key_facts": ["x"],
     "expected_decision": "answered", "tags": {"kind": "policy", "labels": ["guesswork"]}},
])
def test_bad_labelled_cases_are_refused(broken: dict) -> None:
    with pytest.raises(ValidationError):
        GoldenFile.model_validate({"cases": [broken]})


def test_the_dev_suite_validates_and_shares_no_question_with_the_golden_set() -> None:
    dev = load_suite(DEV_DIR)
    assert len(dev) >= 400 and {c.type.value for c in dev} == {"answer"}
    assert not {c.id for c in dev} & {c.id for c in load_suite()}
    assert not {c.question for c in dev} & {c.question for c in load_suite()}
