"""The LLM path through a real OpenAI-compatible HTTP server on loopback: the guard,
streaming sentence by sentence, and falling back to the extractive answer."""

from __future__ import annotations

import asyncio

from assistant.types import Decision, Mode, Question
from tests.fakes.openai_server import FakeOpenAI, Script
from tests.unit.assistant.conftest import llm_assistant

QUESTION = "미니클러스터는 전국에 몇 개 있어요?"


def _events(assistant, text: str):
    async def collect():
        return [e async for e in assistant.ask_stream(Question(text=text))]

    return asyncio.run(collect())


def test_grounded_generation_streams_and_renumbers(knowledge_settings, knowledge_stores, shared_searcher) -> None:
    # the model cites source 2 then 1: the answer is renumbered in order of first use
    hits = shared_searcher.search(QUESTION, knowledge_settings.retrieval_k)
    second = next(i for i, h in enumerate(hits, start=1) if "90" in h.chunk.text)
    reply = f"미니클러스터는 전국에 약 90개가 있습니다 [{second}]. 한국산업단지공단이 운영합니다 [{second}]."
    with FakeOpenAI(Script(reply=reply)) as server:
        assistant = llm_assistant(knowledge_settings, knowledge_stores, shared_searcher, server.base_url)
        events = _events(assistant, QUESTION)
        request = server.script.requests[0]["body"]
    final = events[-1].answer
    assert final.mode == Mode.generative and final.decision == Decision.answered
    assert final.answer == "미니클러스터는 전국에 약 90개가 있습니다 [1]. 한국산업단지공단이 운영합니다 [1]."
    assert [c.n for c in final.citations] == [1] and "90" in final.citations[0].snippet
    texts = [e.text for e in events if e.type == "text"]
    assert len(texts) == 2  # sentence by sentence, each checked before it was sent
    assert request["stream"] is True and request["model"] == "fake-model"
    assert "[출처]" in request["messages"][1]["content"]  # the sources went to the model


def test_invented_number_is_caught_and_replaced(knowledge_settings, knowledge_stores, shared_searcher) -> None:
    reply = "미니클러스터는 전국에 약 350개가 있습니다 [1]."
    with FakeOpenAI(Script(reply=reply)) as server:
        assistant = llm_assistant(knowledge_settings, knowledge_stores, shared_searcher, server.base_url)
        answer = assistant.ask(Question(text=QUESTION))
    assert answer.mode == Mode.extractive
    assert "350" not in answer.answer and "약 90개" in answer.answer
    assert answer.guard_failures and "350" in answer.guard_failures[0]


def test_uncited_sentence_is_caught(knowledge_settings, knowledge_stores, shared_searcher) -> None:
    with FakeOpenAI(Script(reply="미니클러스터는 좋은 제도입니다.")) as server:
        assistant = llm_assistant(knowledge_settings, knowledge_stores, shared_searcher, server.base_url)
        answer = assistant.ask(Question(text=QUESTION))
    assert answer.mode == Mode.extractive
    assert "citation" in answer.guard_failures[0]


def test_timeout_falls_back_to_extractive(knowledge_settings, knowledge_stores, shared_searcher) -> None:
    with FakeOpenAI(Script(reply="약 90개입니다 [1].", delay_s=3.0)) as server:
        assistant = llm_assistant(knowledge_settings, knowledge_stores, shared_searcher, server.base_url, timeout=0.5)
        answer = assistant.ask(Question(text=QUESTION))
    assert answer.mode == Mode.extractive and "약 90개" in answer.answer
    assert answer.guard_failures == ["llm_timeout"]


def test_llm_down_falls_back(knowledge_settings, knowledge_stores, shared_searcher) -> None:
    with FakeOpenAI(Script(status=500)) as server:
        assistant = llm_assistant(knowledge_settings, knowledge_stores, shared_searcher, server.base_url)
        answer = assistant.ask(Question(text=QUESTION))
    assert answer.mode == Mode.extractive and "약 90개" in answer.answer
    assert answer.guard_failures[0].startswith("llm_error")
    # nothing listening at all
    gone = llm_assistant(knowledge_settings, knowledge_stores, shared_searcher, "http://127.0.0.1:9/v1")
    assert gone.ask(Question(text=QUESTION)).mode == Mode.extractive


def test_follow_up_is_rewritten_by_the_llm(knowledge_settings, knowledge_stores, shared_searcher) -> None:
    with FakeOpenAI(Script(reply="스마트공장 수준확인서 유효기간은 얼마인가요?")) as server:
        assistant = llm_assistant(knowledge_settings, knowledge_stores, shared_searcher, server.base_url)
        first = assistant.ask(Question(text="스마트공장 수준확인 제도가 뭐예요?"))
        server.script.requests.clear()
        assistant.ask(Question(text="그럼 그건 얼마나 가요?", conversation_id=first.conversation_id))
        rewrite = server.script.requests[0]["body"]
    assert rewrite["messages"][0]["content"].startswith("대화의 마지막 질문을")
    assert "수준확인 제도가 뭐예요" in rewrite["messages"][1]["content"]
