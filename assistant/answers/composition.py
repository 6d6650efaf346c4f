"""The embedded default answer: the retrieved sentences that best answer the question,
copied exactly (figures untouched), ordered by source, each carrying its citation."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.answers.retrieval import Hit
from assistant.korean import morphemes_many, sentences_of_chunk

# question words and light verbs that say nothing about the subject
STOP_TERMS = frozenset(
    "얼마 무엇 뭐 뭣 어떻 어떤 어디 언제 누구 왜 몇 어느 좀 것 거 수 때 등 알리다 하다 되다 있다 없다 주다 "
    "가능 궁금 문의 질문 설명 관련 경우 정도 이거 그거 저거 우리 저희 제 나 요 니다 싶다 보다 받다 말씀 "
    "알다 그럼 그러면 혹시 정말 그냥 대해 대하다 이다 아니다 같다 어떻게 가요 해요 인가요 나요 거기 여기 저기 그곳 "
    "이곳 그것 이것 저것 그쪽 이쪽".split()
)
_NUMERIC_Q = re.compile(r"얼마|몇|금액|비율|퍼센트|%|기간|언제|마감|일정|한도|최대|최소|비용|가격|수준")
_BULLET = re.compile(r"^\s*(?:[-*•·▪◦]|\d{1,2}[.)]|[①-⑳]|[가-하][.)]|A[.:)])\s+")
_QUESTION = re.compile(r"^\s*Q[.:)]\s*|[?？]\s*$")
_DIGIT = re.compile(r"\d")


@dataclass
class Picked:
    hit_index: int
    position: int
    text: str
    score: float


@dataclass
class Composition:
    sentences: list[Picked]
    coverage: float  # idf-weighted share of the question's terms the picked sentences cover
    missing: list[str] = field(default_factory=list)  # question terms no picked sentence covers


def question_terms(terms: list[str]) -> list[str]:
    seen: list[str] = []
    for t in terms:
        if t not in STOP_TERMS and t not in seen and len(t) > 0:
            seen.append(t)
    return seen


def _clean(sentence: str) -> str:
    return _BULLET.sub("", sentence).strip()


def _is_question(sentence: str) -> bool:
    """FAQ questions and rhetorical questions restate the user's question; they do not answer it."""
    return bool(_QUESTION.search(sentence))


def compose(
    question: str, q_terms: list[str], hits: list[Hit], idf: Callable[[str], float], *, max_sentences: int = 4,
    min_score: float = 0.12, continuation: float = 0.1,
) -> Composition:
    """Pick up to `max_sentences` sentences from the hits, greedily by coverage gain."""
    if not hits or not q_terms:
        return Composition([], 0.0, list(q_terms))
    weights = {t: idf(t) for t in q_terms}
    total = sum(weights.values()) or 1.0
    wants_number = bool(_NUMERIC_Q.search(question))

    candidates: list[tuple[int, int, str, set[str]]] = []
    questions: set[tuple[int, int]] = set()
    for hi, hit in enumerate(hits):
        position = 0
        for line in sentences_of_chunk(hit.chunk.text):
            for sentence in line:
                text = _clean(sentence)
                if len(text) >= 8:
                    candidates.append((hi, position, text, set()))
                    if _is_question(sentence):
                        questions.add((hi, position))
                position += 1
    term_sets = morphemes_many([c[2] for c in candidates], cache=True)
    asked = set(q_terms) | STOP_TERMS
    # a sentence that says nothing beyond the question's own words only restates it
    candidates = [
        (hi, pos, text, set(ts)) for (hi, pos, text, _), ts in zip(candidates, term_sets, strict=True)
        if set(ts) - asked
    ]

    def overlap(terms: set[str]) -> float:
        return sum(w for t, w in weights.items() if t in terms) / total

    scores: dict[tuple[int, int], float] = {}
    for hi, pos, text, terms in candidates:
        score = overlap(terms) + 0.12 / (hi + 1)  # prefer sentences from better-ranked chunks
        if wants_number and _DIGIT.search(text):
            score += 0.08
        scores[(hi, pos)] = score
    # a matching question (FAQ "Q." line, heading-like question) lends its score to the
    # sentence that follows it, which is where the answer is
    for hi, pos in sorted(questions):
        if (hi, pos) not in scores:
            continue
        if (hi, pos + 1) in scores:
            scores[(hi, pos + 1)] = max(scores[(hi, pos + 1)], scores[(hi, pos)] + 0.05)
        scores.pop((hi, pos))
    candidates = [c for c in candidates if (c[0], c[1]) in scores]
    best_score = max(scores.values(), default=0.0)
    # the sentence right after the best one often carries its figures
    best_key = max(scores, key=lambda key: scores[key], default=None)
    if best_key is not None and (best_key[0], best_key[1] + 1) in scores:
        scores[(best_key[0], best_key[1] + 1)] += 0.1
    floor = max(min_score, 0.45 * best_score)

    picked: list[Picked] = []
    covered: set[str] = set()
    per_hit: dict[int, int] = {}
    pool = [(scores[(hi, pos)], hi, pos, text, terms) for hi, pos, text, terms in candidates]
    picked_at: set[tuple[int, int]] = set()
    while pool and len(picked) < max_sentences:
        best = None
        for entry in pool:
            score, hi, pos, text, terms = entry
            if (hi, pos - 1) in picked_at:
                score += continuation  # the next sentence of a picked one usually carries on
            gain = sum(w for t, w in weights.items() if t in terms and t not in covered) / total
            value = score * 0.5 + gain if picked else score
            if per_hit.get(hi, 0) >= 2:
                value -= 0.2
            if best is None or value > best[0]:
                best = (value, score, entry)
        assert best is not None
        value, score, entry = best
        _, hi, pos, text, terms = entry
        if score < min_score or (picked and (value < min_score or score < floor)):
            break
        pool.remove(entry)
        if any(_similar(text, p.text) for p in picked):
            continue
        picked.append(Picked(hi, pos, text, score))
        picked_at.add((hi, pos))
        covered |= terms & set(q_terms)
        per_hit[hi] = per_hit.get(hi, 0) + 1
    picked.sort(key=lambda p: (p.hit_index, p.position))
    coverage = sum(w for t, w in weights.items() if t in covered) / total
    missing = [t for t in q_terms if t not in covered and weights[t] >= 1.0]
    return Composition(picked, coverage, missing)


def _similar(a: str, b: str) -> bool:
    sa, sb = set(a.split()), set(b.split())
    return bool(sa and sb) and len(sa & sb) / len(sa | sb) > 0.7
