"""HTTP mode: Slack's Events API, interactivity and options all POST to `/slack/events`.

The signature (`X-Slack-Signature`, HMAC-SHA256 with the signing secret) and the
timestamp (at most 5 minutes off) are checked first: 401 otherwise. A validly signed body
that is not what Slack sends (not JSON, JSON that is not an object, a form without a JSON
object in `payload`) gets a 400 with a Korean JSON error before it reaches Bolt.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from assistant.service import Assistant
from assistant.settings import Settings
from channels.calls import app_assistant, as_ref
from channels.slack.app import build_bolt_app
from channels.slack.deps import SlackDeps, make_deps, secret
from channels.slack.events import BAD_EVENT, MalformedEvent, check

logger = logging.getLogger(__name__)

PATH = "/slack/events"
UNSIGNED = "Slack 서명이 올바르지 않습니다."


def _error(status: int, code: str, message: str, detail: str = "") -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "detail": detail}}, status_code=status)


def signed(verifier: SignatureVerifier, raw: bytes, request: Request) -> bool:
    """A valid signature over `raw` with a timestamp at most 5 minutes off."""
    timestamp, signature = request.headers.get("X-Slack-Request-Timestamp"), request.headers.get("X-Slack-Signature")
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    return verifier.is_valid(raw, timestamp, signature)


def body_problem(raw: bytes, content_type: str | None) -> str | None:
    """Why a signed body cannot be a Slack request (None when it can), read as Bolt reads it."""
    try:
        text = raw.decode("utf-8")
        if not text:
            return "empty body"
        parsed: Any
        if content_type == "application/json" or text.startswith("{") or text.lstrip().startswith("["):
            parsed = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            parsed = json.loads(form["payload"]) if "payload" in form else form
    except (UnicodeDecodeError, ValueError) as exc:
        return f"not JSON: {type(exc).__name__}"
    if not isinstance(parsed, dict):
        return f"JSON {type(parsed).__name__}, not an object"
    if parsed.get("type") == "event_callback":
        try:
            check(parsed)
        except MalformedEvent as exc:
            return str(exc)
    return None


def mount(app: FastAPI, settings: Settings, assistant: Assistant | None = None) -> SlackDeps | None:
    """Add `POST /slack/events`; the deps it shares with the Slack outbox sender are kept
    as `app.state.slack` (the web app hands them to its background loop's senders).

    `assistant` defaults to `app.state.assistant`, looked up per request (the web app
    builds it in its lifespan). Does nothing unless the bot token and signing secret
    are set.
    """
    if settings.slack_bot_token is None or settings.slack_signing_secret is None:
        logger.info("slack not configured (FM_SLACK_BOT_TOKEN, FM_SLACK_SIGNING_SECRET): %s not mounted", PATH)
        return None
    ref = as_ref(assistant) if assistant is not None else app_assistant(app)
    deps = make_deps(settings, ref)
    handler = AsyncSlackRequestHandler(build_bolt_app(settings, ref, deps=deps))
    verifier = SignatureVerifier(secret(settings.slack_signing_secret) or "")

    async def slack_events(request: Request) -> Response:
        raw = await request.body()
        if not signed(verifier, raw, request):
            return _error(401, "unauthorized", UNSIGNED)
        problem = body_problem(raw, (request.headers.get("Content-Type") or "").split(";")[0].strip())
        if problem is not None:
            logger.warning("slack request refused: %s", problem)
            return _error(400, "bad_request", BAD_EVENT, problem)
        return await handler.handle(request)

    app.add_api_route(PATH, slack_events, methods=["POST"], include_in_schema=False)
    app.state.slack = deps
    logger.info("slack mounted at %s (Web API %s)", PATH, settings.slack_api_url)
    return deps

