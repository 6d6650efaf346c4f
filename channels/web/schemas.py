"""Pydantic request and response schemas at the edge of the HTTP API."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from assistant.links import safe_url
from assistant.types import Answer, Citation, Turn


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


LONE_SURROGATE = "lone_surrogate"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_surrogate(v) for v in value)
    return False


class RequestIn(BaseModel):
    """A request body: text that is not valid Unicode (a lone surrogate such as "\\ud800", which
    JSON lets a client escape) is refused before it reaches the service (400, not a crash when
    it is stored or logged)."""

    @model_validator(mode="before")
    @classmethod
    def _valid_unicode(cls, data: Any) -> Any:
        if _has_surrogate(data):
            raise PydanticCustomError(LONE_SURROGATE, "text contains a lone surrogate")
        return data


class ChatIn(RequestIn):
    message: str = Field(description="질문 (최대 글자 수는 설정 max_question_chars)")
    conversation_id: str | None = Field(default=None, description="이어서 물을 대화; 없으면 새 대화")
    ask_bot: bool = Field(default=False, description="'봇에게 묻기': 전문가가 맡고 있는 대화에서도 봇이 답합니다. "
                          "message가 비어 있거나 '봇에게 묻기'뿐이면 마지막 질문에 답합니다")


class CitationOut(BaseModel):
    n: int
    title: str
    source: str
    page: int | None = None
    snippet: str
    url: str | None = None

    @classmethod
    def of(cls, c: Citation | dict[str, Any]) -> CitationOut:
        data = c.model_dump() if isinstance(c, Citation) else dict(c)
        return cls(n=int(data.get("n") or 0), title=str(data.get("title") or data.get("source") or ""),
                   source=str(data.get("source") or ""), page=data.get("page"),
                   snippet=str(data.get("snippet") or ""), url=safe_url(data.get("url")))


class ChatOut(BaseModel):
    """The CLI's `--json` answer object plus the ids the page needs."""

    answer: str
    decision: str
    confidence: float
    mode: str
    citations: list[CitationOut]
    conversation_id: str
    message_id: str | None
    ticket_id: str | None = None
    follow_ups: list[str] = []
    offer_ask_bot: bool = Field(default=False, description="메시지가 전문가에게 갔음: '봇에게 묻기'를 보여 줍니다")

    @classmethod
    def of(cls, answer: Answer) -> ChatOut:
        public = answer.public()
        return cls(**{**public, "citations": [CitationOut.of(c) for c in answer.citations]},
                   conversation_id=answer.conversation_id or "", message_id=answer.message_id,
                   ticket_id=answer.ticket_id, follow_ups=answer.follow_ups, offer_ask_bot=answer.offer_ask_bot)


class TurnOut(BaseModel):
    index: int
    role: Literal["user", "assistant", "expert"]
    text: str
    created_at: datetime | None = None
    decision: str | None = None
    citations: list[CitationOut] = []
    message_id: str | None = None

    @classmethod
    def of(cls, index: int, turn: Turn) -> TurnOut:
        return cls(index=index, role=turn.role, text=turn.text, created_at=turn.created_at,
                   decision=turn.decision.value if turn.decision else None,
                   citations=[CitationOut.of(c) for c in turn.citations],
                   message_id=turn.message_id)


class ConversationOut(BaseModel):
    conversation_id: str
    turns: list[TurnOut]


class FeedbackIn(RequestIn):
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=1000)


class OkOut(BaseModel):
    ok: bool = True


class ExpertIn(RequestIn):
    """No fields: the ticket carries the whole conversation (older pages still send a
    `message_id`; it is ignored, as unknown fields are)."""


class ExpertOut(BaseModel):
    ticket_id: str
    status: str
    due_at: datetime | None = None
    message: str = Field(description="사용자에게 보여 줄 안내 문장")


class TicketAnswerIn(RequestIn):
    text: str = Field(min_length=1, max_length=10_000)
    citations: list[dict[str, Any]] | None = None


class DraftIn(RequestIn):
    question: str
    context: str | None = Field(default=None, max_length=4000)


class RejectIn(RequestIn):
    reason: str = Field(default="", max_length=2000)


class ExportIn(RequestIn):
    conversation_id: str | None = None
    ticket_id: str | None = None


class DraftOut(BaseModel):
    answer: str
    confidence: float
    citations: list[CitationOut]
    suggestions: list[dict[str, Any]]


class StaffUserOut(BaseModel):
    id: str
    name: str
    role: str
