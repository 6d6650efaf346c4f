"""Where escalation is decided: answered, offer_expert, escalate or declined."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.answers.glossary import bridged_only
from assistant.answers.intent import Intent
from assistant.answers.retrieval import Hit, in_no_source, known_by
from assistant.settings import DEFAULT_EMBEDDING_MODEL, Settings
from assistant.stores.embeddings import canonical_name
from assistant.types import Decision

DECLINE_TEXT = (
    "죄송하지만 그 질문은 Factory Mentor가 도와드리는 범위 밖이에요. 저는 스마트공장 도입과 공장 운영"
    "(정부 지원사업과 부담금, 수준확인, MES·ERP 도입, 설비종합효율·불량·재고 관리, 공급기업 찾기)에 관한 "
    "질문에 출처와 함께 답해 드립니다."
)
GREETING_TEXT = (
    "안녕하세요, Factory Mentor입니다. 스마트공장 지원사업, 비용과 기업 부담금, MES·ERP 도입, "
    "설비·품질·재고 관리, 공급기업 추천까지 편하게 물어보세요. 필요하면 전문가도 연결해 드립니다."
)
HUMAN_REQUEST_TEXT = "네, 전문가에게 연결해 드릴게요. 질문과 지금까지의 대화를 함께 전달했으니, 답변이 오면 이 대화로 알려 드리겠습니다."
NEEDS_HUMAN_TEXT = (
    "이 질문은 계약·법률·안전에 관한 판단이 필요해서 자료만으로 답하기 어렵습니다. 전문가에게 질문을 "
    "전달했고, 답변이 오면 이 대화로 알려 드리겠습니다."
)
NO_EVIDENCE_TEXT = (
    "가지고 있는 자료에서 이 질문에 대한 근거를 찾지 못했습니다. 정확한 답을 드리기 위해 전문가에게 "
    "질문을 전달했고, 답변이 오면 이 대화로 알려 드리겠습니다."
)
NEEDS_RECORDS_TEXT = (
    "가지고 있는 자료의 금액·일정은 설명을 위한 예시라서, 현행 공고나 귀사 과제의 접수·평가 기록은 확인해 드릴 수 "
    "없습니다. 정확히 확인할 수 있도록 전문가에게 질문을 전달했고, 답변이 오면 이 대화로 알려 드리겠습니다."
)
HELD_TEXT = "지금 이 대화는 전문가가 맡고 있어요. 남겨 주신 메시지도 전문가에게 전달했습니다."

_WILL_COME = "the answer will come to this conversation."
# the same replies for a question asked in English
_IN_ENGLISH = {
    DECLINE_TEXT: "Sorry, that is outside what Factory Mentor helps with. I answer questions on building and "
                  "running a smart factory (government support programmes and the company's share, level checks, "
                  "MES and ERP, OEE, defects and inventory, finding a supplier), with the sources.",
    GREETING_TEXT: "Hello, this is Factory Mentor. Ask about smart factory support programmes, costs and the "
                   "company's share, MES and ERP, equipment, quality and inventory, or finding a supplier. I can "
                   "also put you in touch with an expert.",
    HUMAN_REQUEST_TEXT: "Sure, I will connect you with an expert. Your question and this conversation have been "
                        f"passed on; {_WILL_COME}",
    NEEDS_HUMAN_TEXT: "This question needs a judgement on contracts, law or safety that the documents alone cannot "
                      f"give. It has been passed to an expert; {_WILL_COME}",
    NO_EVIDENCE_TEXT: "I found nothing in the documents that answers this, so the question has been passed to an "
                      f"expert for an accurate answer; {_WILL_COME}",
    NEEDS_RECORDS_TEXT: "The amounts and dates in the documents are examples, so I cannot check current "
                        "announcements or your project's own records. The question has been passed to an expert "
                        f"to check; {_WILL_COME}",
    HELD_TEXT: "An expert is handling this conversation now. Your message has been passed on to them too.",
}


@dataclass
class Verdict:
    decision: Decision
    reason: str
    text: str | None = None  # a fixed reply replacing the extractive answer, if any


@dataclass
class Evidence:
    """How well the retrieved sources support the drafted answer (each 0..1)."""

    coverage: float = 0.0  # idf-weighted share of the question's terms the answer's sentences cover
    support: float = 0.0  # best keyword (BM25) score against what the question's terms could give
    dense: float = 0.0  # best dense (cosine) score of a retrieved chunk
    agreement: float = 0.0  # the dense and the keyword search put the same chunk near the top
    unknown: float = 0.0  # idf-weighted share of the question's terms no source contains
    has_text: bool = False
    exact: bool = False  # a deterministic calculation from a cited rule: nothing to weigh
    partial: bool = False  # ... that says the rules do not cover the owner's case (a region without figures)


@dataclass(frozen=True)
class Calibration:
    """Logistic weights for P(the answer states all its key facts) and the thresholds on it,
    fitted on the golden set for one embedding model (its dense scores live on its own scale;
    scripts/fit_confidence.py, figures in docs/decisions.md)."""

    weights: dict[str, float]
    bias: float
    escalate_below: float
    offer_expert_below: float


CALIBRATIONS: dict[str, Calibration] = {
    "multilingual-e5-small": Calibration(
        {"coverage": 0.99, "support": 1.6, "dense": 0.19, "agreement": 0.43, "unknown": -1.31}, -2.44,
        escalate_below=0.12, offer_expert_below=0.16),
    "use-multilingual-v3": Calibration(
        {"coverage": 1.8, "support": 2.02, "dense": 1.4, "agreement": 0.85}, -4.53,
        escalate_below=0.045, offer_expert_below=0.07),
}


def calibration_for(settings: Settings) -> Calibration:
    """The settings' model's calibration (the default model's for any other), with the
    thresholds the settings set, if any."""
    tuned = CALIBRATIONS.get(canonical_name(settings.embedding_model), CALIBRATIONS[DEFAULT_EMBEDDING_MODEL])
    return replace(
        tuned,
        escalate_below=tuned.escalate_below if settings.escalate_below is None else settings.escalate_below,
        offer_expert_below=(tuned.offer_expert_below if settings.offer_expert_below is None
                            else settings.offer_expert_below),
    )


def keyword_support(terms: list[str], hits: list[Hit], idf: Callable[[str], float]) -> float:
    """The best chunk's BM25 score against the most the question's terms could give
    (their idf sum), scaled so 0.5 of it already counts as full support."""
    known = known_by(idf)  # an owner's word bridged to the sources' word is neither unsupported nor unknown
    total = sum(idf(t) for t in terms if not bridged_only(t, known))
    best = max((h.keyword_score or 0.0) for h in hits) if hits else 0.0
    return min(1.0, 2.0 * best / total) if total else 0.0


def unknown_share(terms: list[str], idf: Callable[[str], float]) -> float:
    """Idf-weighted share of `terms` that no chunk contains; only the things named count
    (a predicate lemma, "망하다", says how it is asked, not what about)."""
    known = known_by(idf)
    weights = [(idf(t), t) for t in terms if not bridged_only(t, known)]
    total = sum(w for w, _ in weights)
    missing = sum(w for w, t in weights if not t.endswith("다") and in_no_source(t, idf))
    return missing / total if total else 0.0


def gather_evidence(coverage: float, support: float, hits: list[Hit], terms: list[str],
                    idf: Callable[[str], float], *, has_text: bool) -> Evidence:
    """The evidence for a drafted answer from its coverage, its keyword support and the hits."""
    dense = max((h.dense_score or 0.0 for h in hits), default=0.0)
    top = hits[0] if hits else None
    agree = 1.0 if top and (top.dense_rank or 99) <= 3 and (top.keyword_rank or 99) <= 3 else 0.0
    return Evidence(coverage, support, max(0.0, dense), agree, unknown_share(terms, idf), has_text)


def confidence(evidence: Evidence, calibration: Calibration | None = None) -> float:
    """The calibrated probability that the drafted answer is right (0 when there is none)."""
    if evidence.exact:
        return 0.5 if evidence.partial else 1.0
    if not evidence.has_text:
        return 0.0
    cal = calibration or CALIBRATIONS[DEFAULT_EMBEDDING_MODEL]
    z = cal.bias + sum(w * getattr(evidence, name) for name, w in cal.weights.items())
    return round(1.0 / (1.0 + math.exp(-z)), 4)


def in_language(verdict: Verdict, language: str) -> Verdict:
    """The verdict with its fixed reply in the question's language ("en": English)."""
    if language != "en" or verdict.text not in _IN_ENGLISH:
        return verdict
    return Verdict(verdict.decision, verdict.reason, _IN_ENGLISH[verdict.text])


def held() -> Verdict:
    """A conversation a person holds: whatever the user writes goes to that person."""
    return Verdict(Decision.escalate, "held_by_human", HELD_TEXT)


def priority(verdict: Verdict) -> str:
    """The ticket priority an escalation gets: a judgement call (law, safety) goes first."""
    return "high" if verdict.reason == "needs_human_judgement" else "normal"


def decide(intent: Intent, confidence: float, has_evidence: bool, settings: Settings, *, exact: bool = False,
           partial: bool = False, unknown: float = 0.0) -> Verdict:
    """The decision for one question, from its intent and how well the sources support it
    (`exact`: the answer is a calculation from the owner's numbers by a cited rule, `partial`
    when it says the rules do not cover the owner's case; `unknown`: the share of the
    question's words that appear in no source)."""
    if intent.greeting:
        return Verdict(Decision.declined, "greeting", GREETING_TEXT)
    if intent.out_of_scope:
        return Verdict(Decision.declined, "out_of_scope", DECLINE_TEXT)
    if intent.human_request:
        return Verdict(Decision.escalate, "human_request", HUMAN_REQUEST_TEXT)
    if intent.needs_human:
        return Verdict(Decision.escalate, "needs_human_judgement", NEEDS_HUMAN_TEXT)
    if intent.needs_records:
        return Verdict(Decision.escalate, "needs_records", NEEDS_RECORDS_TEXT)
    if exact:  # a rule that does not cover the owner's case is said, and a person offered
        return Verdict(Decision.offer_expert, "not_in_rules") if partial else Verdict(Decision.answered, "calculated")
    thresholds = calibration_for(settings)
    if not has_evidence or confidence < thresholds.escalate_below:
        if not intent.in_domain and not intent.supplier:
            return Verdict(Decision.declined, "out_of_scope_no_evidence", DECLINE_TEXT)
        return Verdict(Decision.escalate, "no_supporting_evidence", NO_EVIDENCE_TEXT)
    if confidence < thresholds.offer_expert_below:
        return Verdict(Decision.offer_expert, "weak_support")
    if unknown >= settings.unknown_words_share and confidence < settings.unknown_words_offer_below:
        # what the owner asks about is named nowhere in the sources (a hopper dryer, a machine's
        # own parts): what was found is only near it, so a person is offered
        return Verdict(Decision.offer_expert, "topic_not_in_sources")
    return Verdict(Decision.answered, "supported")
