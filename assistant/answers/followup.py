"""Follow-up questions ("그럼 비용은?", "거기 연락처 알려줘") resolved against the conversation."""

from __future__ import annotations

import re

from assistant.answers.candidates import content_terms
from assistant.answers.intent import classify, find_region
from assistant.answers.retrieval import Hit
from assistant.korean import PAST_SYLLABLES, morphemes, noun_phrases
from assistant.types import Decision, Turn

_POINTS_AT_SUPPLIER = re.compile(r"거기|그\s*업체|그\s*회사|그곳|이\s*업체|연락처|전화|담당자|이메일|메일")
_LEADING_FILLER = re.compile(r"^\s*(그럼|그러면|그렇다면|그래서|그리고|근데|그런데|아|음)\s*")


def last_user_turn(history: list[Turn]) -> Turn | None:
    return next((t for t in reversed(history) if t.role == "user"), None)


def last_assistant_turn(history: list[Turn]) -> Turn | None:
    return next((t for t in reversed(history) if t.role == "assistant"), None)


def _answered(turn: Turn) -> bool:
    """An assistant turn that gave an answer (not a hand-off, a refusal or a greeting)."""
    return turn.decision in (Decision.answered, Decision.offer_expert)


def cited_before(history: list[Turn]) -> tuple[str, ...]:
    """The documents the previous answer cited ("그 회사는 비용이 얼마 들었어요?" asks about them)."""
    prev_answer = last_assistant_turn(history)
    if prev_answer is None or not _answered(prev_answer):
        return ()
    return tuple(dict.fromkeys(c.source for c in prev_answer.citations))


def cited_first(hits: list[Hit], sources: tuple[str, ...]) -> list[Hit]:
    """A follow-up's hits with the chunks of the documents just cited first (in their order), so
    that its answer goes on from the same document when that document was found again."""
    if not sources:
        return hits
    again = [h for h in hits if h.chunk.source in sources]
    return again + [h for h in hits if h.chunk.source not in sources] if again else hits


# "얼마나 줄었대요?", "그때 돈은 얼마나 들었어요?": what happened, asked of the case just told
_ASKS_WHAT_HAPPENED = re.compile(f"[{PAST_SYLLABLES}](?:어요|대요|나요|습니까|죠|을까요)\\s*[?？]*\\s*$")


# "경기도면 지방비도 붙어요?", "고도화2면요?", "현금은요?" after "1억 8천 하면 정부에서 얼마 나와요?": the
# same figure asked again with one of its inputs added or changed, and no amount of its own
_FIGURE_ASKED = re.compile(r"\d\s*(?:억|천|만)")
_FIGURE_INPUT = re.compile(r"지방\s*비|매칭|현금|고도화\s*[12]|기초\s*(?:로|면|과제|단계)")


def changes_an_input(text: str, question_before: str) -> bool:
    """Does `text` ask the previous question's figure again with an input of its own (a region,
    a stage, the cash part), giving no amount itself?"""
    return (bool(_FIGURE_ASKED.search(question_before)) and not re.search(r"\d", text)
            and bool(find_region(text) or _FIGURE_INPUT.search(text)))


def follows_on(text: str, before: str = "") -> bool:
    """Does `text`, asked after an exchange (`before`: its question and answer), go on from it?
    It points back ("그거", "거기"), it asks what happened ("재고실사는 얼마나 자주 했대요?"),
    or it names no subject of its own: no word but question words and aspects such as 비용 or
    기간 ("얼마나 자주 해야 돼요?"), or one word the exchange was about ("목표는 어떤식으로
    적어야 돼요?" after a roadmap; "가점 받을 수 있는거 뭐 있어요" after an 8D report is a new question)."""
    if classify(text).follow_up or _ASKS_WHAT_HAPPENED.search(text):
        return True
    own = [terms for _, phrase in noun_phrases(text) if (terms := content_terms(phrase))]
    if not own:
        return True
    return len(own) == 1 and bool(set(own[0]) & set(morphemes(before)))


def resolve(text: str, history: list[Turn]) -> tuple[str, bool]:
    """The retrieval query for `text`, and whether it was resolved as a follow-up (`follows_on`).

    The previous turn's subject is carried into the query: the previous user question's
    subject, or, when the user points at a recommended supplier, that supplier's name.
    """
    prev_user = last_user_turn(history)
    prev_answer = last_assistant_turn(history)
    before = f"{prev_user.text} {prev_answer.text if prev_answer else ''}" if prev_user else ""
    if prev_user is None or not (follows_on(text, before) or changes_an_input(text, prev_user.text)):
        return text, False
    if prev_answer and prev_answer.subject and _POINTS_AT_SUPPLIER.search(text) and _answered(prev_answer):
        return f"{prev_answer.subject} {_LEADING_FILLER.sub('', text)}", True
    subject = prev_user.subject or prev_user.text
    return f"{subject} {_LEADING_FILLER.sub('', text)}".strip(), True
