"""Abuse limits at the edge: a per-client sliding-window rate limit and a request-size cap.

Both are in-process: with N workers behind a load balancer each worker counts its own
clients (the limit is then per worker, which is good enough against a runaway script).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.errors import FMError

_SWEEP_EVERY = 1024  # forget idle clients after this many hits


class RateLimited(FMError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "rate_limited",
            f"요청이 너무 많습니다. {retry_after}초 후에 다시 시도해 주세요.",
            f"retry after {retry_after}s",
        )
        self.retry_after = retry_after


class SlidingWindowLimiter:
    """At most `limit` hits per `window` seconds per key; `limit` 0 turns it off."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._count = 0

    def hit(self, key: str) -> None:
        """Count one hit for `key`, or raise `RateLimited` (the hit is then not counted)."""
        if self.limit <= 0:
            return
        now = self._clock()
        with self._lock:
            self._count += 1
            if self._count % _SWEEP_EVERY == 0:
                self._forget_idle(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                raise RateLimited(max(1, int(hits[0] + self.window - now + 0.999)))
            hits.append(now)

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]


_TOO_LARGE = {
    "error": {
        "code": "request_too_large",
        "message": "요청이 너무 큽니다. 질문을 줄여서 다시 보내 주세요.",
    }
}


class BodySizeLimitMiddleware:
    """413 with a Korean message when a request body exceeds `max_bytes`.

    Trusts `Content-Length` when present (the server enforces it); a body sent without one
    (chunked) is read here, up to the cap, and replayed to the app.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            if length.isdigit() and int(length) > self.max_bytes:
                await _reject(send)
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await _reject(send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)


async def _reject(send: Send) -> None:
    body = json.dumps(_TOO_LARGE, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
