"""The outbox sender for channel "slack".

- `expert_answer`: the expert's answer, posted in the asker's thread (`reply_to`), and the
  ticket message in the expert channel marked answered.
- `ticket_*` notices (assigned, queued, reopened, overdue...): the ticket posted to the
  expert channel (`FM_SLACK_EXPERT_CHANNEL`, or the recipient's DM when unset) with its
  question, sources, the bot's draft and Claim / Answer buttons. An overdue ticket is
  posted again, so it is back at the bottom of the channel.

The outbox delivers at least once; Slack has no idempotency key for `chat.postMessage`,
so the delivery's key is recorded after each post and a redelivery is skipped. A post whose
outcome is unknown (the worker died during the call, or it timed out) is not recorded; so
every post carries metadata with the outbox row id, and a later attempt first looks for it
in the thread or channel (`channels.slack.posted`) and posts only if it is not there.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from assistant.delivery.outbox import Delivery, PermanentDeliveryError
from assistant.errors import FMError
from channels.calls import call
from channels.slack import blocks, posted
from channels.slack.blocks import TicketCard
from channels.slack.deps import SlackDeps
from channels.slack.tickets import staff_user, update_ticket_message

logger = logging.getLogger(__name__)

CHANNEL = "slack"
_PERMANENT = {"channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "account_inactive",
              "user_not_found", "cannot_dm_bot", "restricted_action", "msg_too_long", "invalid_blocks"}
NOTES = {
    "ticket_assigned": "새 문의가 배정되었습니다.",
    "ticket_queued": "담당 전문가가 없는 새 문의입니다. 맡아 주실 분은 Claim을 눌러 주세요.",
    "ticket_reopened": "문의가 다시 열렸습니다.",
    "ticket_overdue": "⏰ 답변 기한이 지났습니다. 다시 게시합니다.",
    "ticket_reassigned_away": "기한이 지나 다른 전문가에게 재배정되었습니다.",
}


class SlackSender:
    """Outbox sender for channel `slack`; the process's composition root builds it."""

    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps

    async def __call__(self, delivery: Delivery) -> None:
        if self.deps.dedup.was_sent(delivery.idempotency_key):
            logger.info("slack delivery %s already posted; skipped", delivery.id)
            return
        try:
            if delivery.kind == "expert_answer":
                ts = await self._expert_answer(delivery)
            elif delivery.kind.startswith("ticket_"):
                ts = await self._ticket_notice(delivery)
            else:
                logger.warning("slack delivery %s: unknown kind %s; skipped", delivery.id, delivery.kind)
                return
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in _PERMANENT:
                raise PermanentDeliveryError(f"slack: {error}") from exc
            raise
        self.deps.dedup.mark_sent(delivery.idempotency_key, ts)

    async def _earlier(self, delivery: Delivery, channel: str, thread_ts: str | None) -> str | None:
        """The ts of this delivery's post from an earlier, uncertain attempt, if Slack has it."""
        if delivery.attempt <= 1:
            return None
        found = await posted.find_posted(self.deps.client, channel=channel, thread_ts=thread_ts,
                                         event_type=posted.DELIVERY, ref=delivery.id)
        if found:
            logger.info("slack delivery %s was posted by an earlier attempt (%s); not posted again", delivery.id, found)
        return found

    async def _expert_answer(self, delivery: Delivery) -> str:
        payload = delivery.payload
        reply_to = delivery.recipient.get("reply_to") or payload.get("reply_to") or {}
        channel = reply_to.get("channel")
        if not channel:
            raise PermanentDeliveryError("slack expert answer without reply_to.channel")
        text = str(payload.get("text") or "")
        ts = await self._earlier(delivery, channel, reply_to.get("thread_ts"))
        if ts is None:
            response = await self.deps.client.chat_postMessage(
                channel=channel,
                thread_ts=reply_to.get("thread_ts"),
                text=blocks.fallback(f"전문가 답변: {text}"),
                blocks=blocks.expert_answer_blocks(text, payload.get("expert"), payload.get("citations") or []),
                unfurl_links=False,
                metadata=posted.metadata(posted.DELIVERY, delivery.id),
            )
            ts = str(response.get("ts") or "")
        ticket_id = payload.get("ticket_id") or delivery.ticket_id
        if ticket_id:
            await self._mark_answered(ticket_id, payload.get("expert"))
        return ts

    async def _mark_answered(self, ticket_id: str, expert: str | None) -> None:
        try:
            card = TicketCard(id=ticket_id, question="", status="answered", assignee=expert)
            await update_ticket_message(self.deps, card)
        except SlackApiError as exc:  # the answer reached the asker; the card can stay stale
            logger.warning("ticket %s message not updated: %s", ticket_id, exc.response.get("error"))

    async def _card(self, delivery: Delivery) -> TicketCard:
        """The notice's ticket summary, completed (sources, draft) from the service as the
        notified expert when their Slack account is linked."""
        summary = dict(delivery.payload.get("ticket") or {})
        summary.setdefault("ticket_id", delivery.ticket_id)
        card = TicketCard.of_summary(summary)
        handle = delivery.recipient.get("handle")
        if handle and not (card.sources and card.draft):
            try:
                expert = await staff_user(self.deps, str(handle))
                card = card.over(TicketCard.of_view(await call(self.deps.assistant().desk.get_ticket, expert, card.id)))
            except FMError as exc:  # post what the notice carries
                logger.info("ticket %s details not loaded: %s", card.id, exc.code)
        known = self.deps.threads.ticket_message(card.id)
        return card.over(known.card) if known else card

    async def _ticket_notice(self, delivery: Delivery) -> str:
        recipient = delivery.recipient
        handle = recipient.get("handle")
        channel = recipient.get("channel") or self.deps.settings.slack_expert_channel or handle
        if not channel:
            raise PermanentDeliveryError("slack ticket notice without a channel or handle")
        card = await self._card(delivery)
        note = NOTES.get(delivery.kind)
        if delivery.kind == "ticket_reassigned_away":
            known = self.deps.threads.ticket_message(card.id)
            if known is not None:
                await update_ticket_message(self.deps, card, channel=known.channel, ts=known.ts)
                return known.ts
        mention = handle if handle and channel != handle else None
        ts = await self._earlier(delivery, channel, None)
        if ts is None:
            response = await self.deps.client.chat_postMessage(
                channel=channel, text=blocks.ticket_text(card),
                blocks=blocks.ticket_blocks(card, note=note, mention=mention), unfurl_links=False,
                metadata=posted.metadata(posted.DELIVERY, delivery.id),
            )
            ts = str(response.get("ts") or "")
            channel = str(response.get("channel") or channel)
        self.deps.threads.remember_ticket(card.id, channel, ts, card)
        return ts

