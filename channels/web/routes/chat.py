"""`POST /v1/chat`: one question in, one cited answer out (as JSON or streamed as SSE)."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from fastapi import APIRouter, Header, Response

from assistant.errors import FMError
from assistant.types import Channel, Question, StreamEvent
from channels.web.deps import AssistantDep, OwnerDep, RateLimitDep, owned_history
from channels.web.schemas import ChatIn, ChatOut, CitationOut, ErrorOut
from channels.web.sse import event_stream, sse, wants_sse

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["chat"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 413: {"model": ErrorOut},
    429: {"model": ErrorOut},
}


@router.post(
    "/chat",
    response_model=ChatOut,
    responses={**_ERRORS, 200: {"content": {"text/event-stream": {}},
                                "description": "JSON answer, or with `Accept: text/event-stream` the events "
                                               "`text` (sentences), `citations`, then `final` (this object)"}},
    dependencies=[RateLimitDep],
)
async def chat(body: ChatIn, assistant: AssistantDep, owner: OwnerDep,
               accept: str | None = Header(default=None)) -> ChatOut | Response:
    """Ask a question; answers in Korean with numbered citations."""
    if body.conversation_id:
        await owned_history(assistant, body.conversation_id, owner)
    question = Question(text=body.message, conversation_id=body.conversation_id, channel=Channel.web,
                        user_id=owner, ask_bot=body.ask_bot)
    if wants_sse(accept):
        events = assistant.ask_stream(question)
        first = await anext(events)  # a rejected question raises here, before any byte is sent
        return event_stream(_stream(first, events))
    return ChatOut.of(await assistant.aask(question))


async def _stream(first: StreamEvent, rest: AsyncIterator[StreamEvent]) -> AsyncIterator[str]:
    try:
        yield _encode(first)
        async for event in rest:
            yield _encode(event)
    except FMError as exc:
        yield sse("error", {"error": {"code": exc.code, "message": exc.message}})
    except Exception:
        logger.exception("chat stream failed")
        yield sse("error", {"error": {"code": "internal",
                                      "message": "답변을 만드는 중 문제가 생겼습니다. 잠시 후 다시 시도해 주세요."}})
    finally:
        if isinstance(rest, AsyncGenerator):  # the service's stream: let it clean up
            await rest.aclose()


def _encode(event: StreamEvent) -> str:
    if event.type == "text":
        return sse("text", {"text": event.text or ""})
    if event.type == "citations":
        return sse("citations", {"citations": [CitationOut.of(c).model_dump() for c in event.citations or []]})
    assert event.answer is not None
    return sse("final", ChatOut.of(event.answer).model_dump(mode="json"))
