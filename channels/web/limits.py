"""Abuse limits at the edge: a sliding-window rate limit per client address and per owner id,
and a request-size cap. The address is one the client cannot choose: the direct peer, or behind
trusted proxies (FM_TRUSTED_PROXIES) the address the nearest one saw.

The rate limit is counted in the shared database, so several web processes behind a load
balancer enforce one budget per client (see `SharedRateLimiter`); the size cap is per request.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.limits import RateLimited, SharedRateLimiter

__all__ = ["BodySizeLimitMiddleware", "RateLimited", "SharedRateLimiter", "client_address", "trusted_networks"]

def client_address(peer: str | None, forwarded_for: list[str], trusted: Sequence[IPv4Network | IPv6Network]) -> str:
    """The address the rate limit counts: the direct peer, unless it is a trusted proxy; then
    X-Forwarded-For is read from the right (each proxy appends the address it saw) and the first
    entry that is not a trusted proxy is the client. A client can prepend anything it likes,
    but never past the proxies, so the key is the address our own proxy saw."""
    candidate = peer or "unknown"
    entries = [e.strip() for header in forwarded_for for e in header.split(",") if e.strip()]
    for entry in reversed(entries):
        if not _trusted(candidate, trusted):
            break
        try:
            candidate = str(ip_address(entry))
        except ValueError:
            break  # garbage from a client or a misconfigured proxy: stop at the last good hop
    return candidate


def _trusted(address: str, trusted: Sequence[IPv4Network | IPv6Network]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def trusted_networks(proxies: Sequence[str]) -> list[IPv4Network | IPv6Network]:
    return [ip_network(p, strict=False) for p in proxies]


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
