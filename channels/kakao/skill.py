"""`POST /kakao/skill`: the Kakao i Open Builder skill endpoint.

Kakao does not sign skill requests, so the skill's header fields in the Open Builder
console carry a shared secret (`X-Skill-Secret`), compared in constant time with
`FM_KAKAO_SKILL_SECRET`; anything else gets 401. The user is `userRequest.user.id`
(a per-bot key); their conversation carries over between messages.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from assistant.delivery.keys import KeyStore
from assistant.errors import FMError
from assistant.service import Assistant
from assistant.settings import Settings
from channels.calls import AssistantRef, app_assistant, as_ref
from channels.kakao import responses as r
from channels.kakao.handler import SkillHandler, Utterance

logger = logging.getLogger(__name__)

PATH = "/kakao/skill"
SECRET_HEADER = "X-Skill-Secret"
MAX_USER_ID = 70


def secret_ok(given: str | None, settings: Settings) -> bool:
    """Constant-time check of the shared secret; False when no secret is configured."""
    expected = settings.kakao_skill_secret.get_secret_value() if settings.kakao_skill_secret else ""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


BAD_REQUEST = "요청을 이해하지 못했습니다."


def _bad(detail: str) -> FMError:
    return FMError("bad_request", BAD_REQUEST, detail)


def parse(body: Any) -> Utterance:
    """The parts of a skill payload we use; FMError 400 when they are missing or of the wrong type."""
    if not isinstance(body, dict):
        raise _bad("body is not a JSON object")
    request = body.get("userRequest")
    if not isinstance(request, dict):
        raise _bad("userRequest missing or not an object")
    user = request.get("user")
    user_id = user.get("id") if isinstance(user, dict) else None
    if not isinstance(user_id, str) or not user_id or len(user_id) > MAX_USER_ID:
        raise _bad("userRequest.user.id missing or invalid")
    utterance = request.get("utterance")
    if not isinstance(utterance, str):
        raise _bad("userRequest.utterance missing or not a string")
    action = body.get("action")
    client_extra = action.get("clientExtra") if isinstance(action, dict) else None
    extra = client_extra if isinstance(client_extra, dict) else {}
    callback = request.get("callbackUrl")
    return Utterance(user_id=user_id, text=utterance, callback_url=callback if isinstance(callback, str) else None,
                     extra=extra or {})


def _error(exc: FMError, status: int = 200) -> JSONResponse:
    """The message as a Kakao response (what the user sees); a 400 also carries our error object
    (a 200 stays a plain skill response: Kakao reads only those)."""
    body = r.text_response(exc.message)
    if status != 200:
        body = {**body, "error": {"code": exc.code, "message": exc.message}}
    return JSONResponse(body, status_code=status)


def build_router(settings: Settings, handler: SkillHandler) -> APIRouter:
    router = APIRouter()

    @router.post(PATH, include_in_schema=False)
    async def kakao_skill(request: Request) -> JSONResponse:
        if not secret_ok(request.headers.get(SECRET_HEADER), settings):
            logger.warning("kakao skill request refused: bad or missing %s", SECRET_HEADER)
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        try:
            utterance = parse(await request.json())
        except FMError as exc:
            return _error(exc, status=400)
        except ValueError:  # not JSON, or not UTF-8
            return _error(_bad("body is not JSON"), status=400)
        try:
            return JSONResponse(await handler.handle(utterance))
        except FMError as exc:  # Kakao shows only 200 bodies: the user sees the Korean message
            logger.info("kakao skill: %s", exc.code)
            return _error(exc)

    return router


def mount(app: FastAPI, settings: Settings, assistant: Assistant | None = None) -> SkillHandler | None:
    """Add `POST /kakao/skill` (only when `FM_KAKAO_SKILL_SECRET` is set).

    `assistant` defaults to `app.state.assistant`, looked up per request.
    """
    if settings.kakao_skill_secret is None:
        logger.info("kakao not configured (FM_KAKAO_SKILL_SECRET): %s not mounted", PATH)
        return None
    ref: AssistantRef = as_ref(assistant) if assistant is not None else app_assistant(app)
    handler = SkillHandler(settings, ref, KeyStore.from_settings(settings))
    app.include_router(build_router(settings, handler))
    app.state.kakao = handler
    logger.info("kakao skill mounted at %s (callback hosts: %s)", PATH, ", ".join(settings.kakao_callback_hosts))
    return handler
