"""Generative answers through any OpenAI-compatible chat endpoint (LangChain's chat model
interface), grounded in the retrieved chunks and streamed sentence by sentence."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import SecretStr

from assistant.answers.guard import split_complete
from assistant.answers.retrieval import Hit
from assistant.settings import Settings
from assistant.types import Turn

log = logging.getLogger(__name__)

SYSTEM_PROMPT = """당신은 스마트공장을 준비하는 중소 제조기업 대표와 공장장을 돕는 Factory Mentor입니다.
아래 [출처]만 근거로 한국어로 짧고 구체적으로 답하세요.
규칙:
- 모든 문장 끝에 근거 출처 번호를 [1]처럼 붙입니다.
- 금액, 비율, 개수, 날짜 같은 숫자는 출처에 있는 그대로만 씁니다. 계산하거나 지어내지 않습니다.
- 출처로 답할 수 없는 부분은 "자료에서 확인되지 않습니다"라고 말합니다.
- 3~5문장 이내로 답합니다."""

REWRITE_PROMPT = """대화의 마지막 질문을 앞 대화 없이도 이해되는 하나의 독립된 한국어 질문으로 바꿔 쓰세요.
질문만 출력하세요."""


def _sources_block(hits: list[Hit]) -> str:
    parts = []
    for n, hit in enumerate(hits, start=1):
        c = hit.chunk
        page = f", {c.page}쪽" if c.page else ""
        parts.append(f"[{n}] {c.title}{page}\n{c.text}")
    return "\n\n".join(parts)


class LLMClient:
    """A thin wrapper around `ChatOpenAI`; built only when an endpoint is configured."""

    def __init__(self, settings: Settings):
        from langchain_openai import ChatOpenAI

        self.settings = settings
        self.model = ChatOpenAI(
            base_url=settings.llm_base_url,
            model=settings.llm_model or "",
            api_key=SecretStr(settings.llm_api_key or "not-needed"),  # local servers (vLLM, Ollama) need none
            timeout=settings.llm_timeout_s,
            max_retries=0,
            temperature=0,
            streaming=True,
        )

    def _messages(self, question: str, hits: list[Hit], history: list[Turn]) -> list[BaseMessage]:
        recent = "\n".join(f"{t.role}: {t.text}" for t in history[-4:])
        user = f"[출처]\n{_sources_block(hits)}\n\n"
        if recent:
            user += f"[이전 대화]\n{recent}\n\n"
        user += f"[질문]\n{question}"
        return [SystemMessage(SYSTEM_PROMPT), HumanMessage(user)]

    async def stream_sentences(self, question: str, hits: list[Hit], history: list[Turn]) -> AsyncIterator[str]:
        """Complete sentences of the model's answer, as they arrive."""
        buffer = ""
        async for chunk in self.model.astream(self._messages(question, hits, history)):
            buffer += str(chunk.content or "")
            sentences, buffer = split_complete(buffer)
            for sentence in sentences:
                yield sentence
        if buffer.strip():
            yield buffer.strip()

    async def rewrite(self, question: str, history: list[Turn]) -> str:
        convo = "\n".join(f"{t.role}: {t.text}" for t in history[-6:])
        reply = await self.model.ainvoke(
            [SystemMessage(REWRITE_PROMPT), HumanMessage(f"{convo}\nuser: {question}")]
        )
        text = str(reply.content or "").strip()
        return text.splitlines()[0].strip() if text else question
