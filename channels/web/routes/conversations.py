"""An owner's conversation: its history, live events, feedback, and "connect me to an expert"."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder

from assistant.types import Turn
from channels.web.deps import AssistantDep, EventsDep, OwnerDep, RateLimitDep, owned_history
from channels.web.schemas import ConversationOut, ErrorOut, ExpertIn, ExpertOut, FeedbackIn, OkOut, TurnOut
from channels.web.sse import comment, event_stream, sse

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 429: {"model": ErrorOut},
}
RECHECK_S = 5.0  # an event stream re-reads the conversation at least this often (other workers' news)


def _turns(history: list[Turn], after: int = 0) -> list[TurnOut]:
    return [TurnOut.of(i, t) for i, t in enumerate(history) if i >= after]


@router.get("/{conversation_id}", response_model=ConversationOut, responses=_ERRORS)
async def get_conversation(conversation_id: str, assistant: AssistantDep, owner: OwnerDep) -> ConversationOut:
    """The whole conversation: the owner's questions, the bot's answers and any expert's answers."""
    history = await owned_history(assistant, conversation_id, owner)
    return ConversationOut(conversation_id=conversation_id, turns=_turns(history))


@router.get(
    "/{conversation_id}/events",
    responses={**_ERRORS, 200: {"content": {"text/event-stream": {}},
                                "description": "`turn` events for turns from index `after` on"}},
)
async def conversation_events_stream(
    conversation_id: str, assistant: AssistantDep, owner: OwnerDep, events: EventsDep,
    after: int = Query(default=0, ge=0, description="index of the first turn not yet shown"),
    wait: float = Query(default=25.0, ge=0, le=60, description="seconds before the stream ends (reconnect)"),
) -> Any:
    """New turns (an expert's answer...) as server-sent events; the stream ends after `wait` seconds."""
    history = await owned_history(assistant, conversation_id, owner)  # 404/403 before streaming

    async def stream() -> AsyncIterator[str]:
        nonlocal history, after
        deadline = time.monotonic() + wait
        yield comment("connected")
        while True:
            for turn in _turns(history, after):
                yield sse("turn", jsonable_encoder(turn))
                after = turn.index + 1
            left = deadline - time.monotonic()
            if left <= 0:
                return
            await events.wait(conversation_id, min(left, RECHECK_S))
            history = await owned_history(assistant, conversation_id, owner)
            yield comment()

    return event_stream(stream())


@router.post("/{conversation_id}/messages/{message_id}/feedback", response_model=OkOut,
             responses=_ERRORS, dependencies=[RateLimitDep])
async def feedback(conversation_id: str, message_id: str, body: FeedbackIn, assistant: AssistantDep,
                   owner: OwnerDep) -> OkOut:
    """Thumbs up or down on one answer, with an optional comment (a second vote replaces the first)."""
    await owned_history(assistant, conversation_id, owner)
    await asyncio.to_thread(assistant.desk.record_feedback, message_id, rating=body.rating, comment=body.comment,
                            user_id=owner, conversation_id=conversation_id)  # only this conversation's answers
    return OkOut()


@router.post("/{conversation_id}/expert", response_model=ExpertOut, responses=_ERRORS, dependencies=[RateLimitDep])
async def request_expert(conversation_id: str, body: ExpertIn, assistant: AssistantDep,
                         owner: OwnerDep) -> ExpertOut:
    """"전문가에게 물어보기": hand the conversation to a person (asking twice returns the same ticket)."""
    ticket = await asyncio.to_thread(assistant.desk.request_expert, conversation_id, owner_id=owner)
    return ExpertOut(ticket_id=ticket.id, status=ticket.status, due_at=ticket.due_at,
                     message="전문가에게 질문을 전달했습니다. 답변이 오면 이 대화에 표시됩니다.")
