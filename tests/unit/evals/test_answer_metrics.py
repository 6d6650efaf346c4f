"""Answer-shape and calibration metrics on hand-made records: the first sentence, correct
answers not labelled answered, the calibration error, the English and uncovered shares."""

from __future__ import annotations

import pytest

from evals.answer_metrics import (
    calibration_bins,
    calibration_pairs,
    expected_calibration_error,
    fact_in_first_sentence,
    first_sentence,
)
from evals.gate import evaluate, load_rules
from evals.metrics import by_group, label_key, summarize
from tests.unit.evals.factories import make_case, make_record

SHARE = "subsidies/company-share.md"


def share_case(**overrides: object):
    data: dict[str, object] = {
        "id": "sub-901", "question": "기업 부담금은 얼마예요?", "sources": [SHARE], "key_facts": ["50%"],
        "tags": {"kind": "subsidy", "topic": "기업부담금"},
    }
    data.update(overrides)
    return make_case(**data)


def test_first_sentence_skips_citations_a_foreign_notice_and_keeps_a_list_intro() -> None:
    assert first_sentence("기업 부담은 총사업비의 50%입니다 [1]. 그중 30%는 현금입니다 [1].") == \
        "기업 부담은 총사업비의 50%입니다."
    assert first_sentence("The sources are in Korean.\nPPM은 불량 수량 ÷ 총 수량 × 1,000,000입니다 [1].") \
        == "PPM은 불량 수량 ÷ 총 수량 × 1,000,000입니다."
    assert first_sentence("준비할 서류는 다음과 같습니다:\n1. 사업 신청서 [1]\n2. 사업계획서 [1]") == \
        "준비할 서류는 다음과 같습니다: 1. 사업 신청서"
    assert first_sentence("가동률은 83.3%이고 OEE는 64.7%입니다.") == "가동률은 83.3%이고 OEE는 64.7%입니다."
    assert first_sentence("") == ""


def test_key_fact_must_be_in_the_first_sentence_not_later() -> None:
    facts = [["50%"], ["30%"]]
    assert fact_in_first_sentence("기업 부담은 50%입니다. 나머지는 정부가 냅니다.", facts)
    assert not fact_in_first_sentence("사장님들이 헷갈려 합니다. 기업 부담은 50%입니다.", facts)


def test_correct_answers_not_labelled_answered_count_over_answerable_cases() -> None:
    case = share_case()
    right_but_offered = make_record(case, answer="기업 부담은 50%입니다 [1].", decision="offer_expert",
                                    cited=[(1, SHARE)])
    right_answered = make_record(case, answer="기업 부담은 50%입니다 [1].", cited=[(1, SHARE)])
    wrong_escalated = make_record(case, answer="모릅니다", decision="escalate")
    assert right_but_offered.scores["correct_not_answered"] == 1.0
    assert right_answered.scores["correct_not_answered"] == 0.0
    assert wrong_escalated.scores["correct_not_answered"] == 0.0  # not correct: not counted as such
    metrics = summarize([right_but_offered, right_answered, wrong_escalated])
    assert metrics["correct_not_answered"] == pytest.approx(1 / 3)
    assert metrics["first_sentence_fact"] == pytest.approx(2 / 3)
    unanswerable = make_case(id="una-901", type="unanswerable", sources=[], key_facts=[],
                             expected_decision="escalate")
    assert make_record(unanswerable, decision="escalate").scores["correct_not_answered"] is None


def test_expected_calibration_error_by_bins() -> None:
    # bin 0.9-1.0: two cases at 0.95, one right -> |0.5 - 0.95| ; bin 0.3-0.4: one wrong at 0.35
    pairs = [(0.95, 1.0), (0.95, 0.0), (0.35, 0.0)]
    bins = calibration_bins(pairs)
    assert [(b.low, b.count) for b in bins] == [(pytest.approx(0.3), 1), (pytest.approx(0.9), 2)]
    expected = 2 / 3 * abs(0.5 - 0.95) + 1 / 3 * abs(0.0 - 0.35)
    assert expected_calibration_error(pairs) == pytest.approx(expected)
    assert expected_calibration_error([(1.0, 1.0), (0.0, 0.0)]) == pytest.approx(0.0)
    assert expected_calibration_error([]) is None


def test_calibration_pairs_come_from_confidence_and_correctness() -> None:
    case = share_case()
    right = make_record(case, answer="50%입니다")
    right.confidence = 0.9
    wrong = make_record(case, answer="모릅니다")
    wrong.confidence = 0.8
    no_confidence = make_record(case, answer="50%")
    assert calibration_pairs([right, wrong, no_confidence]) == [(0.9, 1.0), (0.8, 0.0)]
    assert summarize([right, wrong])["ece"] == pytest.approx((abs(1 - 0.9) + abs(0 - 0.8)) / 2)


def test_english_and_uncovered_shares_and_the_label_breakdown() -> None:
    english = share_case(id="sub-902", question="How much does the company pay?",
                         tags={"kind": "subsidy", "labels": ["english"]})
    uncovered = make_case(id="una-902", type="unanswerable", question="호퍼 드라이어가 과열돼요", sources=[],
                          key_facts=[], expected_decision="escalate",
                          tags={"kind": "policy", "labels": ["uncovered"]})
    records = [
        make_record(english, answer="Sources are Korean.\n기업 부담은 50%입니다."),
        make_record(english, answer="기업 부담은 50%입니다.", decision="declined"),
        make_record(uncovered, decision="declined"),
        make_record(uncovered, decision="escalate"),
        make_record(share_case(), answer="50%"),
    ]
    metrics = summarize(records)
    assert metrics["english_key_fact"] == 0.5
    assert metrics["uncovered_declined"] == 0.5
    groups = by_group(records, label_key)
    assert set(groups) == {"english", "uncovered", "(no label)"}
    assert groups["english"]["cases"] == 2 and groups["english"]["first_sentence_fact"] == 1.0


def test_new_metrics_are_reported_not_gated_and_accept_an_old_baseline() -> None:
    rules = load_rules()
    for metric in ("first_sentence_fact", "correct_not_answered", "ece", "english_key_fact", "uncovered_declined",
                   "artifacts"):
        assert rules[metric].reported_only, metric
    old_baseline = {"key_facts": 0.45}  # saved before the new metrics existed
    result = evaluate({"key_facts": 0.45, "first_sentence_fact": 0.1, "uncovered_declined": 1.0},
                      old_baseline, rules)
    assert result.passed, result.failures
    assert result.check("first_sentence_fact").status == "report"
    assert result.check("ece").status == "skip"  # not in this run: skipped, not zero
