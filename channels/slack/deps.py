"""What the Slack listeners and the delivery sender share: settings, the service, the
durable stores (the channels' key store; the shared database's inbox of received events)
and the Web API client."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from assistant.delivery.keys import KeyStore
from assistant.delivery.received import ReceivedEvents
from assistant.errors import Unavailable
from assistant.settings import Settings
from channels.calls import AssistantRef
from channels.slack.dedup import SlackDedup
from channels.slack.threads import SlackThreads


@dataclass
class SlackDeps:
    settings: Settings
    assistant: AssistantRef
    dedup: SlackDedup
    threads: SlackThreads
    client: AsyncWebClient
    inbox: ReceivedEvents | None = None  # built on first use from the service's database
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def received(self) -> ReceivedEvents:
        """The durable inbox of received events, in the service's database."""
        if self.inbox is None:
            db = self.assistant().db
            if db is None:
                raise Unavailable("slack_inbox", "잠시 후 다시 시도해 주세요.", "the service has no database")
            self.inbox = ReceivedEvents(db.sessions, settings=self.settings)
        return self.inbox

    def client_for(self, team_id: str | None) -> AsyncWebClient:
        """The client, sending `team_id` with every call when the event names a workspace."""
        if not team_id:
            return self.client
        return AsyncWebClient(token=self.client.token, base_url=self.client.base_url, team_id=team_id,
                              timeout=self.client.timeout)

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run `work` after the ack, keeping a reference until it ends."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


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
