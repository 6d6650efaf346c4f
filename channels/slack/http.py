"""HTTP mode: Slack's Events API, interactivity and options all POST to `/slack/events`.

Bolt verifies the signature (`X-Slack-Signature`, HMAC-SHA256 with the signing secret)
and the timestamp (at most 5 minutes off) and answers 401 otherwise.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from assistant.service import Assistant
from assistant.settings import Settings
from channels.calls import app_assistant, as_ref
from channels.slack.app import build_bolt_app
from channels.slack.deps import SlackDeps, make_deps

logger = logging.getLogger(__name__)

PATH = "/slack/events"


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

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    app.add_api_route(PATH, slack_events, methods=["POST"], include_in_schema=False)
    app.state.slack = deps
    logger.info("slack mounted at %s (Web API %s)", PATH, settings.slack_api_url)
    return deps

