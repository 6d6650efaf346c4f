"""The Slack app: one `AsyncApp` definition served over HTTP (`/slack/events`) or Socket Mode.

Owners and staff ask by mentioning the bot or in a DM; the answer goes in the thread as
Block Kit, and follow-ups in the thread continue the same conversation. Events go
through the durable inbox (`channels.slack.events`): a global middleware stores each one
in the shared database before the ack and has it answered from there, so a crash after
the ack loses nothing and a retried event is answered once. Button listeners ack at once
and do the slow work in lazy listeners, so Slack's 3-second ack never waits for retrieval.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from assistant.errors import FMError
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.types import Channel, Question
from channels.calls import AssistantRef, as_ref, call
from channels.slack import blocks, events
from channels.slack.deps import SlackDeps, make_deps, secret
from channels.slack.tickets import register_ticket_listeners

logger = logging.getLogger(__name__)

ANSWER_FAILED = "죄송합니다. 답변을 만드는 중 문제가 생겼습니다. 잠시 후 다시 물어봐 주세요."


def build_bolt_app(settings: Settings, assistant: Assistant | AssistantRef, *,
                   deps: SlackDeps | None = None) -> AsyncApp:
    """The app with every listener; `assistant` is the service or a callable returning it."""
    deps = deps or make_deps(settings, as_ref(assistant))
    app = AsyncApp(
        client=deps.client,
        signing_secret=secret(settings.slack_signing_secret) or "",
        process_before_response=False,
        name="factory-mentor",
    )
    app.middleware(_receive_events(deps))
    _register_asking(app, deps)
    register_ticket_listeners(app, deps)
    return app


def _receive_events(deps: SlackDeps) -> Any:
    async def receive_events(body: dict[str, Any], next: Any) -> BoltResponse | None:  # noqa: A002
        if body.get("type") == "event_callback":
            return await events.receive(deps, body)
        return await next()

    return receive_events


async def _ack(ack: Any) -> None:
    await ack()


def _register_asking(app: AsyncApp, deps: SlackDeps) -> None:
    """The buttons under answers (events are answered from the inbox: `channels.slack.events`)."""

    async def on_feedback(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        value = json.loads(action.get("value") or "{}")
        rating = "up" if action["action_id"] == blocks.A_FEEDBACK_UP else "down"
        user = body.get("user", {}).get("id")
        try:
            await call(deps.assistant().desk.record_feedback, value.get("m"), rating=rating, user_id=user)
            text = "의견 감사합니다! 더 나은 답변에 반영하겠습니다."
        except FMError as exc:
            text = exc.message
        await _ephemeral(client, body, text)

    async def on_expert(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        value = json.loads(action.get("value") or "{}")
        channel, thread_ts = _thread_of(body)
        try:
            ticket = await call(deps.assistant().desk.request_expert, value.get("c"),
                                owner_id=body["user"]["id"])  # only the asker hands their question over
        except FMError as exc:
            await _ephemeral(client, body, exc.message)
            return
        text = f"전문가에게 문의를 전달했습니다 (문의 번호 {ticket.id[:8]}). 답변이 오면 이 스레드로 알려 드립니다."
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)

    async def on_ask_bot(body: dict[str, Any], client: AsyncWebClient) -> None:
        await answer_ask_bot(deps, body, client)

    app.action(blocks.A_FEEDBACK_UP)(ack=_ack, lazy=[on_feedback])
    app.action(blocks.A_FEEDBACK_DOWN)(ack=_ack, lazy=[on_feedback])
    app.action(blocks.A_EXPERT)(ack=_ack, lazy=[on_expert])
    app.action(blocks.A_ASK_BOT)(ack=_ack, lazy=[on_ask_bot])


def _thread_of(body: dict[str, Any]) -> tuple[str, str]:
    """(channel, thread ts) of the message a button sits on."""
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id")
    return str(channel), str(message.get("thread_ts") or message.get("ts") or body["container"]["message_ts"])


async def _ephemeral(client: AsyncWebClient, body: dict[str, Any], text: str) -> None:
    channel, thread_ts = _thread_of(body)
    await client.chat_postEphemeral(channel=channel, user=body["user"]["id"], thread_ts=thread_ts, text=text)


async def answer_ask_bot(deps: SlackDeps, body: dict[str, Any], client: AsyncWebClient) -> None:
    """"봇에게 묻기" pressed in a thread an expert holds: the bot answers the owner's last message."""
    channel, thread_ts = _thread_of(body)
    event = {"channel": channel, "ts": f"ask-bot-{body.get('trigger_id') or thread_ts}", "thread_ts": thread_ts,
             "user": body["user"]["id"], "text": "봇에게 묻기", "ask_bot": True}
    if deps.dedup.first_message(channel, event["ts"]):  # a button pressed once is answered once
        await answer_message(deps, event, client)


def question_for(event: dict[str, Any], conversation_id: str | None) -> Question:
    channel = event["channel"]
    thread_ts = event.get("thread_ts") or event["ts"]
    reply_to = {"channel": channel, "thread_ts": thread_ts}
    if event.get("team"):
        reply_to["team"] = event["team"]
    return Question(
        text=blocks.strip_mentions(event.get("text", "")),
        conversation_id=conversation_id,
        channel=Channel.slack,
        user_id=event.get("user"),
        reply_to=reply_to,
        ask_bot=bool(event.get("ask_bot")),
    )


async def answer_message(deps: SlackDeps, event: dict[str, Any], client: AsyncWebClient, *,
                         metadata: dict[str, Any] | None = None) -> None:
    """Answer one user message in its thread (once: the caller sees to it). `metadata` goes
    with the post, so an uncertain attempt can be found in the thread later."""
    channel, ts = event["channel"], event["ts"]
    thread_ts = event.get("thread_ts") or ts
    tagged = metadata or None  # our reference, so a retry can find the post instead of posting twice
    question = question_for(event, deps.threads.conversation(channel, thread_ts))
    try:
        answer = await deps.assistant().aask(question)
    except FMError as exc:
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=exc.message, metadata=tagged)
        return
    except Exception:
        logger.exception("slack answer failed in %s", channel)
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=ANSWER_FAILED, metadata=tagged)
        return
    if answer.conversation_id:
        deps.threads.remember(channel, thread_ts, answer.conversation_id)
    await client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=blocks.fallback(answer.answer),
        blocks=blocks.answer_blocks(answer),
        unfurl_links=False,
        metadata=tagged,
    )
