"""Extractive answers: cited, figures exact, decisions, follow-ups, suppliers, mentor drafts."""

from __future__ import annotations

import asyncio
import re

import pytest

from assistant.errors import FMError
from assistant.service import Assistant
from assistant.types import Decision, Mode, Question

CITE = re.compile(r"\[(\d+)\]")


def _check_citations(answer) -> None:
    used = {int(n) for n in CITE.findall(answer.answer)}
    listed = [c.n for c in answer.citations]
    assert listed == list(range(1, len(listed) + 1)), "citations numbered 1..N"
    assert used == set(listed), "every [n] is listed and every listed citation is used"


def test_answer_is_cited_and_keeps_figures_exact(assistant: Assistant, knowledge_stores) -> None:
    answer = assistant.ask(Question(text="미니클러스터는 전국에 몇 개나 있어요?"))
    assert answer.decision == Decision.answered and answer.mode == Mode.extractive
    assert "약 90개" in answer.answer
    _check_citations(answer)
    by_id = {c.chunk_id: c for c in knowledge_stores.catalog.iter_chunks()}
    for citation in answer.citations:
        chunk = by_id[citation.chunk_id]  # points at a chunk that exists in the stores
        assert citation.source == chunk.source and citation.title == chunk.title
        for sentence in citation.snippet.split(". "):
            assert sentence.strip(" .") in chunk.text  # the snippet is copied, not rewritten
    # every sentence of the answer is a verbatim sentence of its cited chunk
    for line in answer.answer.split("\n"):
        for text, n in re.findall(r"(.+?)\s*\[(\d+)\]", line):
            assert text.strip() in by_id[answer.citations[int(n) - 1].chunk_id].text


def test_money_figures_survive_unchanged(assistant: Assistant) -> None:
    answer = assistant.ask(Question(text="중소기업 클라우드 데이터센터 예산은 얼마였어요?"))
    assert "67억 원" in answer.answer
    _check_citations(answer)


def test_stream_events_come_in_order(assistant: Assistant) -> None:
    async def collect():
        return [e async for e in assistant.ask_stream(Question(text="OEE는 어떻게 계산하나요?"))]

    events = asyncio.run(collect())
    kinds = [e.type for e in events]
    assert kinds[-2:] == ["citations", "final"] and set(kinds[:-2]) == {"text"}
    final = events[-1].answer
    assert "".join(e.text for e in events[:-2]).strip() == final.answer.strip()
    assert events[-2].citations == final.citations


@pytest.mark.parametrize("text", ["", "   ", "가" * 2001])
def test_empty_and_huge_questions_get_clear_errors(assistant: Assistant, text: str) -> None:
    with pytest.raises(FMError) as info:
        assistant.ask(Question(text=text))
    assert info.value.code in ("empty_question", "question_too_long")
    assert "질문" in info.value.message


@pytest.mark.parametrize(
    ("text", "decision"),
    [
        ("전문가 연결해 주세요", Decision.escalate),
        ("상담원이랑 얘기하고 싶어요", Decision.escalate),
        ("공급업체가 계약 위반했는데 소송 가능한가요?", Decision.escalate),
        ("내일 서울 날씨 어때요?", Decision.declined),
        ("삼성전자 주가 오를까요?", Decision.declined),
        ("안녕하세요", Decision.declined),
        ("화낙 로봇 SRVO-050 알람 리셋 방법 알려주세요", Decision.escalate),
    ],
)
def test_decisions(assistant: Assistant, text: str, decision: Decision) -> None:
    answer = assistant.ask(Question(text=text))
    assert answer.decision == decision, answer.answer
    if decision == Decision.declined:
        assert "스마트공장" in answer.answer and not answer.citations  # says what it can help with


def test_follow_up_carries_the_subject(assistant: Assistant) -> None:
    first = assistant.ask(Question(text="스마트공장 수준확인 제도가 뭐예요?"))
    follow = assistant.ask(Question(text="그럼 확인서 유효기간은요?", conversation_id=first.conversation_id))
    assert follow.conversation_id == first.conversation_id
    assert "3년" in follow.answer
    assert any("level-check" in c.source or "수준" in c.title for c in follow.citations)
    alone = assistant.ask(Question(text="그럼 확인서 유효기간은요?"))
    assert alone.conversation_id != first.conversation_id


def test_supplier_recommendation_ranks_and_asks(assistant: Assistant) -> None:
    answer = assistant.ask(Question(text="경기도 식품공장인데 MES 업체 추천해 주세요"))
    assert answer.decision == Decision.answered
    assert answer.citations[0].source == "suppliers/profiles.yaml#S001"
    assert all(c.source.startswith("suppliers/") for c in answer.citations)
    assert "(주)한빛엠이에스" in answer.answer and "MES" in answer.answer and "경기" in answer.answer
    assert "직원 수" in answer.answer and "예산" in answer.answer  # asks for what it does not know
    _check_citations(answer)
    contact = assistant.ask(Question(text="거기 연락처 알려줘", conversation_id=answer.conversation_id))
    assert "031-0000-0001" in contact.answer


def test_mentor_draft_has_more_sources_with_reasons(assistant: Assistant) -> None:
    draft = assistant.draft("기초 단계 지원금과 기업 부담금 비율이 어떻게 되나요?")
    assert len(draft.suggestions) > len(draft.answer.citations)
    assert len(draft.suggestions) >= 8
    assert all(s.snippet and s.reason for s in draft.suggestions)
    _check_citations(draft.answer)


def test_a_question_searched_in_the_sources_words_is_encoded_in_one_call(assistant, monkeypatch) -> None:
    """"공급업체" is searched as the sources' "공급기업" too, and the lines are scored against
    the question as typed: both vectors come from one call to the model, and each is the
    vector that text gets on its own."""
    import numpy as np

    import assistant.stores as stores_module

    calls: list[list[str]] = []
    real = stores_module.encode_queries

    def counting(embeddings, texts):
        calls.append(list(texts))
        return real(embeddings, texts)

    monkeypatch.setattr(stores_module, "encode_queries", counting)
    question = "공급업체 견적 비교할 때 레퍼런스는 몇 군데 봐야 하나요?"
    answer = assistant.ask(Question(text=question))
    assert answer.citations
    assert len(calls) == 1 and len(calls[0]) == 2 and question in calls[0], calls
    together = real(assistant.stores.embeddings, calls[0])
    for text, vector in zip(calls[0], together, strict=True):
        alone = real(assistant.stores.embeddings, [text])[0]
        assert float(np.dot(vector, alone) / np.linalg.norm(vector) / np.linalg.norm(alone)) > 0.999
