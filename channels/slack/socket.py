"""Socket Mode: the same app over a WebSocket opened with the app-level token (`xapp-`,
scope `connections:write`), for installs that Slack cannot reach over HTTP. Slack signs
nothing here; the token authenticates the connection."""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from assistant.errors import FMError
from assistant.service import Assistant
from assistant.settings import Settings
from channels.calls import AssistantRef, as_ref
from channels.slack.app import build_bolt_app
from channels.slack.deps import SlackDeps, make_client, make_deps, secret

logger = logging.getLogger(__name__)


def socket_handler(
    settings: Settings, assistant: Assistant | AssistantRef, *, deps: SlackDeps | None = None
) -> AsyncSocketModeHandler:
    """The Socket Mode handler around the app (not connected yet). Pass the `deps` the
    process's Slack outbox sender uses, so both share one client and one set of stores."""
    app_token = secret(settings.slack_app_token)
    if not app_token or settings.slack_bot_token is None:
        raise FMError("slack_not_configured", "Slack 설정이 없습니다.",
                      "Socket Mode needs FM_SLACK_BOT_TOKEN and FM_SLACK_APP_TOKEN")
    deps = deps or make_deps(settings, as_ref(assistant))
    app = build_bolt_app(settings, assistant, deps=deps)
    return AsyncSocketModeHandler(app, app_token, web_client=make_client(settings, app_token))


async def run_socket_mode(settings: Settings, assistant: Assistant | AssistantRef) -> None:
    """Connect and serve until cancelled (no outbox worker: see `factory-mentor slack --socket`)."""
    handler = socket_handler(settings, assistant)
    logger.info("slack socket mode connecting (Web API %s)", settings.slack_api_url)
    try:
        await handler.start_async()
    finally:
        await handler.close_async()
