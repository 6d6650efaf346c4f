"""Our metrics on hand-made records: ranks, key facts, citation validity, decisions, summaries."""

from __future__ import annotations

import pytest

from evals.metrics import by_group, citation_problems, decision_scores, fact_stated, key_facts, summarize
from tests.unit.evals.factories import make_case, make_record

LEVEL = "policies/level-check.md"


def test_key_facts_ignore_whitespace_and_accept_alternatives() -> None:
    assert fact_stated("목표는 3 만 개 입니다", ["3만 개"])
    assert fact_stated("총 30,000개 공장", ["3만 개", "30,000개"])
    assert not fact_stated("삼만 개", ["3만 개"])
    share, missing = key_facts("수준은 5 단계입니다 [1]", [["5단계"], ["3만 개", "30,000개"]])
    assert share == 0.5 and missing == ["3만 개"]
    assert key_facts("아무 답", []) == (None, [])


def test_citations_valid_when_markers_list_and_retrieval_agree() -> None:
    assert citation_problems("가 [1]. 나 [2].", [(1, "a"), (2, "b")], {"a", "b", "c"}) == []


@pytest.mark.parametrize(
    ("text", "cited", "retrieved", "expected"),
    [
        ("가 [1]. 나 [3].", [(1, "a")], {"a"}, "[3] in the text is not in the citation list"),
        ("가 [1].", [(1, "a"), (2, "b")], {"a", "b"}, "citation [2] is never referred to in the text"),
        ("가 [1]. 나 [3].", [(1, "a"), (3, "b")], {"a", "b"}, "citations are numbered [1, 3], not 1..2"),
        ("가 [1].", [(1, "z")], {"a"}, "citation [1] cites a chunk that was not retrieved"),
    ],
)
def test_citation_problems_are_named(text: str, cited: list[tuple[int, str]], retrieved: set[str],
                                     expected: str) -> None:
    assert expected in citation_problems(text, cited, retrieved)


def test_decision_precision_and_recall_per_positive_class() -> None:
    pairs = [("escalate", "escalate"), ("escalate", "answered"), ("answered", "escalate"),
             ("answered", "answered"), ("answered", "offer_expert"), ("declined", "declined"),
             ("offer_expert", "answered")]
    scores = decision_scores(pairs)
    assert scores["decision_accuracy"] == pytest.approx(3 / 7)
    assert scores["escalate_precision"] == pytest.approx(1 / 2)
    assert scores["escalate_recall"] == pytest.approx(1 / 2)
    assert scores["offer_expert_precision"] == 0.0 and scores["offer_expert_recall"] == 0.0


def test_a_class_no_case_expects_has_neither_precision_nor_recall() -> None:
    # a suite whose questions all expect an answer says nothing about how escalation is aimed
    scores = decision_scores([("answered", "answered"), ("answered", "escalate")])
    assert scores["escalate_precision"] is None and scores["escalate_recall"] is None
    assert scores["decision_accuracy"] == pytest.approx(1 / 2)


def test_score_case_ranks_facts_and_citations() -> None:
    case = make_case()
    hit_third = make_record(case, answer="수준은 5단계입니다 [1]", retrieved=["a.md", "b.md", LEVEL],
                            cited=[(1, LEVEL)])
    assert hit_third.hit_rank == 3
    assert hit_third.scores["hit@1"] == 0.0 and hit_third.scores["hit@5"] == 1.0
    assert hit_third.scores["mrr@10"] == pytest.approx(1 / 3)
    assert hit_third.scores["key_facts"] == 0.5 and hit_third.missing_facts == ["3만 개"]
    assert hit_third.scores["citation_validity"] == 1.0
    miss = make_record(case, answer="모릅니다 [1]", retrieved=["a.md"], cited=[(1, LEVEL)])
    assert miss.hit_rank is None and miss.scores["mrr@10"] == 0.0
    assert miss.scores["citation_validity"] == 0.0
    assert miss.citation_problems == ["citation [1] cites a chunk that was not retrieved"]


def test_supplier_first_and_not_applicable_scores() -> None:
    case = make_case(id="sup-901", type="supplier", sources=["suppliers/profiles.yaml#S001"], key_facts=[],
                     suppliers=["S001"], tags={"kind": "supplier"})
    first = make_record(case, answer="1. 한빛 [1]\n2. 새솔 [2]",
                        retrieved=["suppliers/profiles.yaml#S001", "suppliers/profiles.yaml#S002"],
                        cited=[(1, "suppliers/profiles.yaml#S001"), (2, "suppliers/profiles.yaml#S002")])
    assert first.scores["supplier@1"] == 1.0
    assert first.scores["key_facts"] is None  # this supplier case has no key facts
    human = make_case(id="hum-901", type="human_request", sources=[], key_facts=[], reference_answer="",
                      expected_decision="escalate", tags={"kind": "mentoring"})
    record = make_record(human, answer="전문가에게 연결해 드릴게요.", decision="escalate", retrieved=[])
    assert "hit@1" not in record.scores and "citation_validity" not in record.scores
    assert record.scores["decision_correct"] == 1.0


def test_summary_and_groups() -> None:
    case = make_case()
    records = [
        make_record(case, answer="5단계 3만 개 [1]", cited=[(1, LEVEL)], latency_s=0.1),
        make_record(make_case(id="pol-902"), answer="", decision="escalate", retrieved=["x.md"], latency_s=0.3),
    ]
    records.append(make_record(make_case(id="sub-903", tags={"kind": "subsidy"}), answer="5단계 [1]",
                               cited=[(1, LEVEL)], latency_s=0.2))
    records[-1].error = "RuntimeError: boom"
    summary = summarize(records)
    assert summary["hit@1"] == 0.5 and summary["hit@5"] == 0.5
    assert summary["key_facts"] == 0.5
    assert summary["decision_accuracy"] == 0.5
    assert summary["errors"] == 1.0
    assert summary["p50_ms"] == pytest.approx(200.0)
    assert summary["faithfulness"] is None
    groups = by_group(records, lambda r: r.kind)
    assert list(groups) == ["policy"] and groups["policy"]["cases"] == 2.0
