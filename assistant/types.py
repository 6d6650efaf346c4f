"""The pydantic types every channel speaks: Question in, Answer out, Citation, Ticket."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from assistant.links import safe_url


class Decision(StrEnum):
    answered = "answered"
    offer_expert = "offer_expert"  # answered, but weakly supported: the channel offers a person
    escalate = "escalate"  # a person must answer: a ticket is (or should be) opened
    declined = "declined"  # outside what Factory Mentor is for; no ticket


class Mode(StrEnum):
    extractive = "extractive"
    generative = "generative"


class Channel(StrEnum):
    web = "web"
    slack = "slack"
    kakao = "kakao"
    cli = "cli"
    api = "api"


class Question(BaseModel):
    """One user message, whatever channel it came from."""

    text: str
    conversation_id: str | None = None
    channel: Channel = Channel.cli
    user_id: str | None = None  # channel-scoped user id (Slack user, Kakao botUserKey, web session)
    reply_to: dict[str, Any] = Field(default_factory=dict)  # where a later answer goes (thread_ts...)
    region: str | None = None
    industry: str | None = None
    filters: dict[str, str] = Field(default_factory=dict)  # kind, region, industry
    ask_bot: bool = False  # sent through "봇에게 묻기": the bot answers even while an expert holds it


class Citation(BaseModel):
    n: int
    chunk_id: str
    title: str
    source: str
    page: int | None = None
    snippet: str
    kind: str | None = None
    url: str | None = None  # http(s) only: any other scheme from a document is dropped (assistant/links.py)
    score: float | None = None
    reason: str | None = None  # mentor drafts: why this source is relevant

    @field_validator("url", mode="before")
    @classmethod
    def _only_web_links(cls, value: object) -> str | None:
        return safe_url(value)


class Answer(BaseModel):
    answer: str
    decision: Decision
    confidence: float
    mode: Mode = Mode.extractive
    citations: list[Citation] = Field(default_factory=list)
    conversation_id: str | None = None
    message_id: str | None = None
    suppliers: list[dict[str, Any]] = Field(default_factory=list)  # ranked supplier matches
    follow_ups: list[str] = Field(default_factory=list)  # suggested next questions
    reason: str | None = None  # why this decision (for staff and evals)
    ticket_id: str | None = None
    guard_failures: list[str] = Field(default_factory=list)
    offer_ask_bot: bool = False  # the message went to an expert: channels offer "봇에게 묻기"

    def public(self) -> dict[str, Any]:
        """The object the CLI's --json prints and the web API returns."""
        return {
            "answer": self.answer,
            "decision": self.decision.value,
            "confidence": round(self.confidence, 4),
            "mode": self.mode.value,
            "citations": [
                {"n": c.n, "title": c.title, "source": c.source, "page": c.page, "snippet": c.snippet}
                for c in self.citations
            ],
        }


class StreamEvent(BaseModel):
    """What `ask_stream` yields: text pieces, then citations, then the final answer."""

    type: Literal["text", "citations", "final"]
    text: str | None = None
    citations: list[Citation] | None = None
    answer: Answer | None = None


class Draft(BaseModel):
    """A mentor's draft: an answer plus a longer list of suggested citations to pick from."""

    answer: Answer
    suggestions: list[Citation]


class Turn(BaseModel):
    role: Literal["user", "assistant", "expert"]
    text: str
    created_at: datetime | None = None
    decision: Decision | None = None
    citations: list[Citation] = Field(default_factory=list)
    subject: str | None = None  # the retrieval subject carried into follow-ups
    message_id: str | None = None  # set when read back from a store


class TicketView(BaseModel):
    """A ticket as staff and channels see it: everything needed to answer it once."""

    id: str
    status: str
    topic: str
    priority: str
    channel: str
    question: str
    draft: str | None = None
    answer: str | None = None
    sources: list[dict[str, Any]] = Field(default_factory=list)
    conversation: list[Turn] = Field(default_factory=list)
    conversation_id: str | None = None
    user_id: str | None = None
    reply_to: dict[str, Any] = Field(default_factory=dict)
    region: str | None = None
    assignee: str | None = None
    assignee_id: str | None = None
    due_at: datetime | None = None
    overdue: bool = False
    created_at: datetime | None = None


class NoteView(BaseModel):
    id: str
    status: str
    question: str
    answer: str
    expert_name: str
    topic: str | None = None
    ticket_id: str | None = None
    created_at: datetime | None = None
