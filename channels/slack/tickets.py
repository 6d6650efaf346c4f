"""Experts in Slack: Claim and Answer on a ticket message in the expert channel.

Claim takes the ticket; Answer opens a modal, and its submission answers the ticket
through the service, which sends the answer to the asker's channel through the outbox
(for Slack askers: into their thread, see `channels.slack.delivery`). The ticket
message is updated in place with its new state. The Slack user must be a staff member
whose `handles.slack` is their Slack user id; the service checks their role.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from assistant.errors import FMError, Forbidden
from assistant.experts.staff import StaffUser
from channels.calls import call
from channels.slack import blocks
from channels.slack.blocks import TicketCard
from channels.slack.deps import SlackDeps

logger = logging.getLogger(__name__)

NOT_STAFF = "Factory Mentor에 등록된 전문가 계정과 연결된 Slack 사용자만 문의를 처리할 수 있습니다."


async def staff_user(deps: SlackDeps, slack_user_id: str) -> StaffUser:
    """The staff `User` whose Slack handle is `slack_user_id`; `Forbidden` otherwise."""
    user = await call(deps.assistant().desk.user_for_handle, "slack", slack_user_id)
    if user is None:
        raise Forbidden("not_staff", NOT_STAFF, f"no staff user for slack {slack_user_id}")
    return user


async def update_ticket_message(
    deps: SlackDeps, card: TicketCard, *, channel: str | None = None, ts: str | None = None
) -> None:
    """Re-render the ticket's expert-channel message with its current state."""
    ticket_id = card.id
    known = deps.threads.ticket_message(ticket_id)
    channel = channel or (known.channel if known else None)
    ts = ts or (known.ts if known else None)
    if not channel or not ts:
        return
    if known is not None:  # keep what a summary lacks (sources, draft) from the first post
        card = card.over(known.card)
    await deps.client.chat_update(channel=channel, ts=ts, text=blocks.ticket_text(card),
                                  blocks=blocks.ticket_blocks(card))
    deps.threads.remember_ticket(ticket_id, channel, ts, card)


async def _tell(client: AsyncWebClient, body: dict[str, Any], text: str) -> None:
    """An ephemeral note to the expert where they clicked (a DM after a modal)."""
    user = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id")
    if channel:
        await client.chat_postEphemeral(channel=channel, user=user, text=text)
    else:
        await client.chat_postMessage(channel=user, text=text)


def register_ticket_listeners(app: AsyncApp, deps: SlackDeps) -> None:
    async def ack_only(ack: Any) -> None:
        await ack()

    async def on_claim(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        ticket_id = json.loads(action["value"])["t"]
        try:
            user = await staff_user(deps, body["user"]["id"])
            ticket = await call(deps.assistant().desk.claim_ticket, user, ticket_id)
        except FMError as exc:
            await _tell(client, body, exc.message)
            return
        message_ts = (body.get("message") or {}).get("ts") or body["container"]["message_ts"]
        await update_ticket_message(deps, TicketCard.of_view(ticket, assignee=user.name),
                                    channel=body["channel"]["id"], ts=message_ts)

    async def open_answer_modal(ack: Any, body: dict[str, Any], action: dict[str, Any],
                                client: AsyncWebClient) -> None:
        await ack()  # the trigger id lives 3 s: open the modal here, not in a lazy listener
        ticket_id = json.loads(action["value"])["t"]
        known = deps.threads.ticket_message(ticket_id)
        channel = (body.get("channel") or {}).get("id")
        message_ts = (body.get("message") or {}).get("ts") or body.get("container", {}).get("message_ts")
        question = known.card.question if known else ""
        draft = known.card.draft if known else None
        view = blocks.answer_modal(ticket_id, question, {"ch": channel, "ts": message_ts}, draft=draft)
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    async def ack_answer(ack: Any, view: dict[str, Any]) -> None:
        if not _submitted_text(view):
            await ack(response_action="errors", errors={blocks.B_ANSWER_INPUT: "답변 내용을 입력해 주세요."})
            return
        await ack()

    async def on_answer(body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        text = _submitted_text(view)
        if not text:
            return
        meta = json.loads(view.get("private_metadata") or "{}")
        try:
            user = await staff_user(deps, body["user"]["id"])
            ticket = await call(deps.assistant().desk.answer_ticket, user, meta["t"], text)
        except FMError as exc:
            await client.chat_postMessage(channel=body["user"]["id"], text=exc.message)
            return
        await update_ticket_message(deps, TicketCard.of_view(ticket, assignee=user.name),
                                    channel=meta.get("ch"), ts=meta.get("ts"))

    app.action(blocks.A_CLAIM)(ack=ack_only, lazy=[on_claim])
    app.action(blocks.A_ANSWER)(open_answer_modal)
    app.view_submission(blocks.V_ANSWER)(ack=ack_answer, lazy=[on_answer])


def _submitted_text(view: dict[str, Any]) -> str:
    values = (view.get("state") or {}).get("values") or {}
    field = (values.get(blocks.B_ANSWER_INPUT) or {}).get(blocks.A_ANSWER_INPUT) or {}
    return str(field.get("value") or "").strip()
