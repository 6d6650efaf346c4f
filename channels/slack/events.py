"""Slack events through the durable inbox: stored before the ack, answered from the store.

`receive` runs in a Bolt middleware for every `event_callback`: it picks the events we
answer (a mention; a DM; a follow-up in a thread we answer in), stores each under the key
of the user message it carries (`channel:ts`) in the shared database, acks, and has this
process answer it at once. The key is the record that the message was seen, so Slack's
retries (same `event_id`) and the same message arriving as both `app_mention` and
`message` are stored once and answered once. A process that dies after the ack leaves the
row to the next background round (this server's after a restart, or a worker).

Malformed but validly signed bodies get a 400 with a Korean JSON error, never a 500.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from slack_bolt import BoltResponse

from assistant.delivery.received import Received, ReceivedWorker
from channels.slack import posted
from channels.slack.deps import SlackDeps

logger = logging.getLogger(__name__)

CHANNEL = "slack"
BAD_EVENT = "Slack 이벤트 형식이 올바르지 않습니다."


class MalformedEvent(ValueError):
    """A signed event body we cannot use (reported as 400)."""


def bad_request(detail: str) -> BoltResponse:
    body = {"error": {"code": "bad_request", "message": BAD_EVENT, "detail": detail}}
    return BoltResponse(status=400, body=json.dumps(body, ensure_ascii=False),
                        headers={"content-type": "application/json; charset=utf-8"})


def _text(event: dict[str, Any], name: str) -> str:
    value = event.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"event.{name} missing or not a string")
    return value


def check(body: dict[str, Any]) -> dict[str, Any]:
    """The event of an `event_callback` body; `MalformedEvent` when it is not an object with a type."""
    event = body.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise MalformedEvent("event missing or without a type")
    return event


def pick(deps: SlackDeps, body: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(inbox key, stored payload) of an event we answer; None for one we leave alone.
    Raises `MalformedEvent` for a body without what we need."""
    event = check(body)
    if event["type"] == "message":
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return None  # edits, joins, our own posts...
        channel, ts = _text(event, "channel"), _text(event, "ts")
        thread = event.get("thread_ts")
        ours = event.get("channel_type") == "im" or (
            isinstance(thread, str) and deps.threads.conversation(channel, thread) is not None)
        if not ours:
            return None
    elif event["type"] == "app_mention":
        channel, ts = _text(event, "channel"), _text(event, "ts")
    else:
        return None
    if not isinstance(event.get("text", ""), str):
        raise MalformedEvent("event.text not a string")
    team = body.get("team_id") if isinstance(body.get("team_id"), str) else event.get("team")
    return f"{channel}:{ts}", {"event": event, "team_id": team, "event_id": body.get("event_id")}


class SlackEventHandler:
    """Answers one stored event in its thread; after an uncertain earlier attempt, only if
    the answer is not in the thread already (found by its metadata)."""

    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps

    async def __call__(self, received: Received) -> None:
        from channels.slack.app import answer_message

        event = dict(received.payload["event"])
        client = self.deps.client_for(received.payload.get("team_id"))
        thread_ts = event.get("thread_ts") or event["ts"]
        if received.attempt > 1:
            found = await posted.find_posted(client, channel=event["channel"], thread_ts=thread_ts,
                                             event_type=posted.ANSWER, ref=received.key)
            if found:
                logger.info("slack event %s already answered (%s); not answered twice", received.key, found)
                return
        await answer_message(self.deps, event, client, metadata=posted.metadata(posted.ANSWER, received.key))


def worker(deps: SlackDeps) -> ReceivedWorker:
    return ReceivedWorker(deps.received(), {CHANNEL: SlackEventHandler(deps)})


async def receive(deps: SlackDeps, body: dict[str, Any]) -> BoltResponse:
    """Store the event (before the ack) and have it answered; the response to ack with."""
    try:
        picked = pick(deps, body)
    except MalformedEvent as exc:
        logger.warning("slack event refused: %s", exc)
        return bad_request(str(exc))
    if picked is None:
        return BoltResponse(status=200, body="")
    key, payload = picked
    stored = await asyncio.to_thread(deps.received().receive, CHANNEL, key, payload)
    if stored is None:
        logger.info("slack event %s (%s) already received (retry)", body.get("event_id"), key)
    else:
        deps.spawn(worker(deps).process(stored))
    return BoltResponse(status=200, body="")

