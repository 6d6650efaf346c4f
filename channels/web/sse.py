"""Server-sent events: the wire format and a response that streams them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi.responses import StreamingResponse

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def sse(event: str, data: Any) -> str:
    """One event; `data` is sent as JSON on one line."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def comment(text: str = "keep-alive") -> str:
    return f": {text}\n\n"


def wants_sse(accept: str | None) -> bool:
    return "text/event-stream" in (accept or "")


def event_stream(chunks: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(chunks, media_type="text/event-stream", headers=SSE_HEADERS)
