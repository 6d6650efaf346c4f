"""How usable an answer is, beyond "the facts are somewhere in it": the key fact in the
first sentence, correct answers that were not labelled `answered`, calibration of the
confidence against correctness, and the shares for the English and uncovered cases.

Per case `score_answer` fills scores that `evals.metrics.summarize` averages; the
calibration error is computed over (confidence, correct) pairs. A case is *correct* when
its answer states every key fact (a supplier case without key facts: when the expected
supplier is ranked first). Saved runs from before these metrics have none of these scores,
so the metrics come out `None` for them (not run), never zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.types import Decision
from evals.cases import Case, CaseType, Label
from evals.records import CaseRecord, Score

CITE_MARK = re.compile(r"\s*\[\d{1,2}\]")
HANGUL = re.compile(r"[가-힣]")
# a sentence ends at . ! ? (not the period of a list number such as "1.") followed by space
SENTENCE_END = re.compile(r"(?<=[^\d\s][.!?])\s+(?=\S)")
ECE_BINS = 10
CONTENT = (CaseType.answer, CaseType.followup, CaseType.supplier)


def first_sentence(answer: str) -> str:
    """The answer's first sentence, citation markers removed. A leading line with no Hangul
    in an otherwise Korean answer (e.g. an English note that the sources are Korean) is
    skipped; a first sentence that introduces a list ("…다음과 같습니다:") takes the first
    item with it."""
    lines = [line.strip() for line in CITE_MARK.sub("", answer).splitlines() if line.strip()]
    if any(HANGUL.search(line) for line in lines):
        while lines and not HANGUL.search(lines[0]):
            lines.pop(0)
    if not lines:
        return ""
    first = SENTENCE_END.split(lines[0], maxsplit=1)[0]
    if first.rstrip().endswith(":") and len(lines) > 1 and first == lines[0]:
        return f"{first} {lines[1]}"
    return first


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def fact_in_first_sentence(answer: str, facts: list[list[str]]) -> bool:
    """Any key fact (any of its alternatives) appears in the first sentence."""
    head = _squash(first_sentence(answer))
    return any(_squash(option) in head for options in facts for option in options)


def is_correct(case: Case, record: CaseRecord) -> Score:
    """1.0 when the answer states every key fact (supplier case without facts: the expected
    supplier first); None for cases without content to check or that failed to run."""
    if record.error or case.type not in CONTENT:
        return None
    share = record.scores.get("key_facts")
    if case.key_facts:
        return None if share is None else float(share >= 1.0 - 1e-9)
    return record.scores.get("supplier@1")


def _answerable(case: Case) -> bool:
    return case.type in CONTENT and case.expected_decision == Decision.answered


def score_answer(case: Case, record: CaseRecord) -> None:
    """Fill the per-case scores behind the answer-shape and calibration metrics."""
    s = record.scores
    correct = is_correct(case, record)
    s["correct"] = correct
    ran = record.error is None
    s["first_sentence_fact"] = (float(fact_in_first_sentence(record.answer, case.fact_options()))
                                if ran and _answerable(case) and case.key_facts else None)
    s["correct_not_answered"] = (float(correct == 1.0 and record.decision != Decision.answered.value)
                                 if ran and _answerable(case) and correct is not None else None)
    labels = set(case.tags.labels)
    s["english_key_fact"] = (float(correct == 1.0 and record.decision == Decision.answered.value)
                             if ran and Label.english in labels and correct is not None else None)
    s["uncovered_declined"] = (float(record.decision == Decision.declined.value)
                               if ran and Label.uncovered in labels else None)


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    count: int
    confidence: float  # mean confidence of the cases in the bin
    accuracy: float  # share of them that were correct


def calibration_pairs(records: Iterable[CaseRecord]) -> list[tuple[float, float]]:
    """(confidence, correct) of every case that ran and has both."""
    return [(min(1.0, max(0.0, r.confidence)), float(c)) for r in records
            if not r.error and r.confidence is not None and (c := r.scores.get("correct")) is not None]


def calibration_bins(pairs: list[tuple[float, float]], bins: int = ECE_BINS) -> list[CalibrationBin]:
    """Equal-width confidence bins (the last one closed at 1.0); empty bins are left out."""
    grouped: list[list[tuple[float, float]]] = [[] for _ in range(bins)]
    for confidence, correct in pairs:
        grouped[min(bins - 1, int(confidence * bins))].append((confidence, correct))
    out = []
    for i, members in enumerate(grouped):
        if members:
            out.append(CalibrationBin(i / bins, (i + 1) / bins, len(members),
                                      sum(c for c, _ in members) / len(members),
                                      sum(k for _, k in members) / len(members)))
    return out


def expected_calibration_error(pairs: list[tuple[float, float]], bins: int = ECE_BINS) -> Score:
    """Σ over bins of (share of cases) × |accuracy − mean confidence|; None without cases."""
    if not pairs:
        return None
    return sum(b.count / len(pairs) * abs(b.accuracy - b.confidence) for b in calibration_bins(pairs, bins))
