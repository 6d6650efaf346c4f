"""`GET /v1/conversations`: a returning owner's conversations, and which hold expert answers.

The page keeps how many expert answers it has shown per conversation and badges the ones
with more (`expert_answers`), so an answer that came after "새 대화" is not lost.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from assistant.experts.hand_off import owner_conversations
from assistant.types import Channel
from channels.web.deps import AssistantDep, OwnerDep
from channels.web.schemas import ErrorOut

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])


class ConversationItem(BaseModel):
    conversation_id: str
    title: str = Field(description="첫 질문 (앞 80자)")
    updated_at: datetime
    expert_answers: int = Field(description="전문가 답변 수: 페이지가 보여 준 수보다 많으면 새 답변 표시")
    last_expert_at: datetime | None = None
    waiting_expert: bool = Field(description="전문가 답변을 기다리는 문의가 있음")


def _list(assistant: Any, owner: str, limit: int) -> list[ConversationItem]:
    db = getattr(assistant, "db", None)
    if db is None:
        return []
    with db.session_scope() as s:
        rows = owner_conversations(s, channel=Channel.web.value, user_id=owner, limit=limit)
    return [ConversationItem(**row.__dict__) for row in rows]


@router.get("", response_model=list[ConversationItem], responses={400: {"model": ErrorOut}})
async def list_conversations(assistant: AssistantDep, owner: OwnerDep,
                             limit: int = Query(default=20, ge=1, le=100)) -> list[ConversationItem]:
    """The owner's conversations, most recent first, with their expert answers."""
    return await asyncio.to_thread(_list, assistant, owner, limit)
