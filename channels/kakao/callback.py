"""The AI-chatbot callback: the final answer POSTed once to `userRequest.callbackUrl`.

The URL comes from the request body, so it is checked before any request is made
(SSRF guard): https only, to a host in `FM_KAKAO_CALLBACK_HOSTS` or one of its
subdomains (`kakao.com` by default). Plain http is accepted only for a loopback host
listed exactly (local tests). No redirects are followed and proxies from the
environment are not used.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import httpx

logger = logging.getLogger(__name__)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def allowed_callback(url: str | None, hosts: list[str]) -> bool:
    """True if `url` may receive our callback POST."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or parts.username or parts.password:
        return False
    allowed = [h.lower().strip().rstrip(".") for h in hosts if h.strip()]
    if parts.scheme == "https":
        return any(host == h or host.endswith("." + h) for h in allowed)
    if parts.scheme == "http":
        return host in LOOPBACK and host in allowed
    return False


def callback_host(url: str) -> str:
    """The host only, for logs (the URL's path carries a one-time token)."""
    return urlsplit(url).hostname or "?"


async def post_callback(url: str, body: dict[str, Any], *, hosts: list[str], timeout: float) -> bool:
    """POST `body` to `url` once; True when Kakao accepted it."""
    if not allowed_callback(url, hosts):
        logger.warning("kakao callback to %s refused: host not allowed", callback_host(url))
        return False
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            resp = await client.post(url, json=body)
    except httpx.HTTPError as exc:
        logger.warning("kakao callback to %s failed: %s", callback_host(url), type(exc).__name__)
        return False
    status = None
    try:
        status = resp.json().get("status")
    except ValueError:
        pass
    ok = resp.status_code < 300 and status in (None, "SUCCESS")
    log = logger.info if ok else logger.warning
    log("kakao callback to %s: HTTP %s, status %s", callback_host(url), resp.status_code, status)
    return ok
