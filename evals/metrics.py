"""Our answer-quality metrics: retrieval ranks, key facts, citation validity, decisions.

Every function works on plain values or `CaseRecord`s, so each can be checked on
hand-made records. ragas' metrics live in `evals.ragas_metrics`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from statistics import fmean

from evals.answer_metrics import calibration_pairs, expected_calibration_error, score_answer
from evals.bench.metrics import first_hit_rank, latency_summary, ranking_summary
from evals.cases import Case, CaseType
from evals.records import CaseRecord, Score

CITE = re.compile(r"\[(\d{1,2})\]")
MRR_AT = 10
DECISION_CLASSES = ("escalate", "offer_expert")
CONTENT_TYPES = (CaseType.answer.value, CaseType.followup.value, CaseType.supplier.value)


@dataclass(frozen=True)
class MetricInfo:
    label: str
    group: str
    higher_is_better: bool = True
    fmt: str = "{:.3f}"


METRICS: dict[str, MetricInfo] = {
    "hit@1": MetricInfo("hit@1", "retrieval"),
    "hit@5": MetricInfo("hit@5", "retrieval"),
    f"mrr@{MRR_AT}": MetricInfo(f"MRR@{MRR_AT}", "retrieval"),
    "id_context_precision": MetricInfo("ID context precision (ragas)", "retrieval"),
    "id_context_recall": MetricInfo("ID context recall (ragas)", "retrieval"),
    "key_facts": MetricInfo("key facts stated", "answers"),
    "first_sentence_fact": MetricInfo("key fact in the first sentence", "answers"),
    "english_key_fact": MetricInfo("English cases answered with the key facts", "answers"),
    "chrf": MetricInfo("chrF (ragas)", "answers"),
    "levenshtein": MetricInfo("Levenshtein similarity (ragas)", "answers"),
    "citation_validity": MetricInfo("citation validity", "answers"),
    "artifacts": MetricInfo("answers with copy artifacts (pipes, glyphs, lemma notes, bare don'ts)", "answers",
                            False),
    "supplier@1": MetricInfo("expected supplier ranked first", "answers"),
    "faithfulness": MetricInfo("Faithfulness (ragas, LLM)", "llm"),
    "response_relevancy": MetricInfo("ResponseRelevancy (ragas, LLM)", "llm"),
    "llm_context_precision": MetricInfo("LLM context precision (ragas, LLM)", "llm"),
    "decision_accuracy": MetricInfo("decision accuracy", "decisions"),
    "escalate_precision": MetricInfo("escalate precision", "decisions"),
    "escalate_recall": MetricInfo("escalate recall", "decisions"),
    "offer_expert_precision": MetricInfo("offer_expert precision", "decisions"),
    "offer_expert_recall": MetricInfo("offer_expert recall", "decisions"),
    "correct_not_answered": MetricInfo("correct answers labelled offer_expert/escalate", "decisions", False),
    "ece": MetricInfo("expected calibration error (confidence vs key facts stated)", "decisions", False),
    "ticket_topic": MetricInfo("ticket topic accuracy (escalated cases with an expected topic)", "decisions"),
    "uncovered_declined": MetricInfo("uncovered in-domain cases declined", "decisions", False),
    "p50_ms": MetricInfo("latency p50 (ms)", "latency", False, "{:.0f}"),
    "p95_ms": MetricInfo("latency p95 (ms)", "latency", False, "{:.0f}"),
    "mean_ms": MetricInfo("latency mean (ms)", "latency", False, "{:.0f}"),
    "errors": MetricInfo("cases that failed to run", "run", False, "{:.0f}"),
}
# per-case scores averaged over the cases where they apply
AVERAGED = ("id_context_precision", "id_context_recall", "key_facts", "first_sentence_fact", "english_key_fact",
            "chrf", "levenshtein", "citation_validity", "supplier@1", "faithfulness", "response_relevancy",
            "llm_context_precision", "correct_not_answered", "uncovered_declined", "artifacts", "ticket_topic")
GROUP_METRICS = ("hit@5", "key_facts", "first_sentence_fact", "chrf", "citation_validity", "decision_accuracy")
UNLABELLED = "(no label)"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def fact_stated(answer: str, options: Iterable[str]) -> bool:
    """A key fact (or any of its alternatives) appears in the answer, whitespace ignored."""
    text = _squash(answer)
    return any(_squash(option) in text for option in options)


def key_facts(answer: str, facts: list[list[str]]) -> tuple[Score, list[str]]:
    """(share of facts stated, the facts missing); (None, []) when the case has none."""
    if not facts:
        return None, []
    missing = [options[0] for options in facts if not fact_stated(answer, options)]
    return (len(facts) - len(missing)) / len(facts), missing


def citation_problems(answer: str, cited: list[tuple[int, str]], retrieved_ids: set[str]) -> list[str]:
    """Why the citations are not valid ([] when valid): every [n] in the text is listed and
    vice versa, numbers run 1..N, and every cited chunk was retrieved."""
    markers = {int(n) for n in CITE.findall(answer)}
    numbers = [n for n, _ in cited]
    problems = [f"[{n}] in the text is not in the citation list" for n in sorted(markers - set(numbers))]
    problems += [f"citation [{n}] is never referred to in the text" for n in sorted(set(numbers) - markers)]
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        problems.append(f"citations are numbered {sorted(numbers)}, not 1..{len(numbers)}")
    problems += [f"citation [{n}] cites a chunk that was not retrieved" for n, chunk_id in cited
                 if chunk_id not in retrieved_ids]
    return problems


def decision_scores(pairs: Iterable[tuple[str, str | None]]) -> dict[str, Score]:
    """Accuracy, and precision and recall with escalate and offer_expert as positive classes.
    A class nobody predicted has no precision; a class no case expects has neither (a suite
    of questions that all expect an answer says nothing about how well escalation is aimed)."""
    pairs = list(pairs)
    out: dict[str, Score] = {
        "decision_accuracy": fmean(1.0 if e == a else 0.0 for e, a in pairs) if pairs else None
    }
    for cls in DECISION_CLASSES:
        tp = sum(1 for e, a in pairs if e == cls and a == cls)
        predicted = sum(1 for _, a in pairs if a == cls)
        actual = sum(1 for e, _ in pairs if e == cls)
        out[f"{cls}_precision"] = tp / predicted if predicted and actual else None
        out[f"{cls}_recall"] = tp / actual if actual else None
    return out


def _supplier_first(case: Case, record: CaseRecord) -> Score:
    if case.type != CaseType.supplier:
        return None
    if not record.citations:
        return 0.0
    first = min(record.citations, key=lambda c: c.n).source
    return 1.0 if first.split("#")[-1] in set(case.suppliers) else 0.0


def score_case(case: Case, record: CaseRecord) -> None:
    """Fill the record's own metrics (ragas' are added by `evals.ragas_metrics`)."""
    s = record.scores
    s["decision_correct"] = None if record.error else float(record.decision == case.expected_decision.value)
    if case.sources:
        rank = first_hit_rank([r.source for r in record.retrieved], set(case.sources))
        record.hit_rank = rank
        for key, value in ranking_summary([rank], MRR_AT).items():
            s[key] = value
    share, record.missing_facts = key_facts(record.answer, case.fact_options())
    s["key_facts"] = share if case.type.value in CONTENT_TYPES else None
    if record.citations or CITE.search(record.answer):
        record.citation_problems = citation_problems(
            record.answer, [(c.n, c.chunk_id) for c in record.citations],
            {r.chunk_id for r in record.retrieved},
        )
        s["citation_validity"] = 0.0 if record.citation_problems else 1.0
    s["supplier@1"] = _supplier_first(case, record)
    s["ticket_topic"] = ticket_topic_score(case, record)
    score_answer(case, record)


def ticket_topic_score(case: Case, record: CaseRecord) -> Score:
    """1 when the escalated question's ticket is filed under the case's expected topic; None
    when the case names no topic or no ticket was opened (the decision metrics count that)."""
    if case.expected_topic is None or record.ticket_topic is None:
        return None
    return 1.0 if record.ticket_topic == case.expected_topic else 0.0


def _mean(records: list[CaseRecord], name: str) -> Score:
    values = [v for r in records if (v := r.scores.get(name)) is not None]
    return fmean(values) if values else None


def summarize(records: list[CaseRecord]) -> dict[str, Score]:
    """The headline metrics of a run."""
    ok = [r for r in records if not r.error]
    ranks = [r.hit_rank for r in ok if "hit@1" in r.scores]
    out: dict[str, Score] = dict(ranking_summary(ranks, MRR_AT)) if ranks else {
        "hit@1": None, "hit@5": None, f"mrr@{MRR_AT}": None}
    out.update({name: _mean(ok, name) for name in AVERAGED})
    out.update(decision_scores((r.expected_decision, r.decision) for r in ok))
    out["ece"] = expected_calibration_error(calibration_pairs(ok))
    out.update(latency_summary([r.latency_s for r in ok]))
    out["errors"] = float(len(records) - len(ok))
    return out


def by_group(records: list[CaseRecord], key: Callable[[CaseRecord], str | list[str]]) -> dict[str, dict[str, Score]]:
    """A few metrics per group of cases (e.g. per tag kind or case type; a key that gives
    a list puts the case in each of those groups)."""
    groups: dict[str, list[CaseRecord]] = {}
    for r in records:
        if not r.error:
            names = key(r)
            for name in [names] if isinstance(names, str) else names:
                groups.setdefault(name, []).append(r)
    out: dict[str, dict[str, Score]] = {}
    for name, members in sorted(groups.items()):
        row: dict[str, Score] = {"cases": float(len(members))}
        for metric in GROUP_METRICS:
            source = "decision_correct" if metric == "decision_accuracy" else metric
            row[metric] = _mean(members, source)
        out[name] = row
    return out


def label_key(record: CaseRecord) -> list[str]:
    """The groups of `by_group(records, label_key)`: each label of the case, or one group
    for the cases without a label."""
    return list(record.labels) or [UNLABELLED]

