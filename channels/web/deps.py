"""Dependencies as typed aliases: the assistant, settings, the owner, the staff user, limits."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated

from fastapi import Depends, Header, Request

from assistant.errors import FMError, Unauthorized
from assistant.experts.staff import StaffUser
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.types import Turn
from channels.web.events import ConversationEvents
from channels.web.limits import SharedRateLimiter, client_address

_OWNER_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def get_assistant(request: Request) -> Assistant:
    assistant: Assistant = request.app.state.assistant
    return assistant


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_events(request: Request) -> ConversationEvents:
    events: ConversationEvents = request.app.state.events
    return events


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
EventsDep = Annotated[ConversationEvents, Depends(get_events)]


def get_owner(x_owner_id: Annotated[str | None, Header()] = None) -> str:
    """The browser's anonymous owner id (kept in its localStorage, sent as `X-Owner-Id`)."""
    if not x_owner_id or not _OWNER_ID.match(x_owner_id):
        raise FMError("missing_owner", "X-Owner-Id 헤더가 없거나 형식이 맞지 않습니다. 영문·숫자·-·_ 8~64자의 "
                      "식별값을 X-Owner-Id 헤더로 보내 주세요 (채팅 페이지라면 새로 고치면 됩니다).",
                      "X-Owner-Id header missing or malformed")
    return x_owner_id


OwnerDep = Annotated[str, Depends(get_owner)]


def client_keys(request: Request) -> list[str]:
    """What the rate limit counts: the client address (which the client cannot choose) and,
    when sent, the owner id (so one browser cannot use up a shared office address alone)."""
    peer = request.client.host if request.client else None
    keys = [f"ip:{client_address(peer, request.headers.getlist('x-forwarded-for'), request.app.state.proxies)}"]
    owner = request.headers.get("x-owner-id")
    if owner and _OWNER_ID.match(owner):
        keys.append(f"owner:{owner}")
    return keys


def rate_limit(request: Request) -> None:
    """Count this request against the address's and the owner's per-minute budgets (429 when spent)."""
    limiter: SharedRateLimiter = request.app.state.limiter
    limiter.hit(*client_keys(request))


RateLimitDep = Depends(rate_limit)


async def get_staff_user(request: Request, assistant: AssistantDep) -> StaffUser:
    """The staff user of `Authorization: Bearer <token>`; 401 without a valid token."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token", message="직원 토큰으로 로그인해 주세요.")
    return await asyncio.to_thread(assistant.desk.authenticate, token.strip())


StaffUserDep = Annotated[StaffUser, Depends(get_staff_user)]


async def owned_history(assistant: Assistant, conversation_id: str, owner: str) -> list[Turn]:
    """The conversation's turns, if the owner holds it (the core raises NotFound/Forbidden otherwise)."""
    return await asyncio.to_thread(assistant.desk.history, conversation_id, owner_id=owner)
