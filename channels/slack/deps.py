"""What the Slack listeners and the delivery sender share: settings, the service, the
durable stores and the Web API client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from assistant.settings import Settings
from channels.calls import AssistantRef
from channels.durable import KeyStore
from channels.slack.dedup import SlackDedup
from channels.slack.threads import SlackThreads


@dataclass
class SlackDeps:
    settings: Settings
    assistant: AssistantRef
    dedup: SlackDedup
    threads: SlackThreads
    client: AsyncWebClient


def secret(value: Any) -> str | None:
    """The plain value of a SecretStr setting (never log it)."""
    return value.get_secret_value() if value is not None else None


def make_client(settings: Settings, token: str | None = None) -> AsyncWebClient:
    """A Web API client for `FM_SLACK_API_URL` (tests point it at a local server)."""
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return AsyncWebClient(token=token or secret(settings.slack_bot_token), base_url=base_url)


def make_deps(settings: Settings, assistant: AssistantRef, *, keys: KeyStore | None = None) -> SlackDeps:
    keys = keys or KeyStore.from_settings(settings)
    return SlackDeps(settings, assistant, SlackDedup(keys), SlackThreads(keys), make_client(settings))
