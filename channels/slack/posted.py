"""Effectively-once posting to Slack.

`chat.postMessage` has no idempotency key, so a post whose outcome is unknown (the process
died during the call, or it timed out) could be posted twice when it is retried. Every
message we post for a durable job therefore carries Slack message metadata naming the job
(`event_type` and our reference in `event_payload`); before posting again after an uncertain
attempt, the thread (`conversations.replies`) or the channel (`conversations.history`) is
read with `include_all_metadata` and the post is skipped if the message is already there.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)

ANSWER = "fm_answer"  # the bot's answer to a received event (reference: the inbox key)
DELIVERY = "fm_delivery"  # an outbox delivery (reference: the outbox row id)
MAX_PAGES = 5
PAGE = 200
_NO_LOOKUP = {"missing_scope", "not_in_channel", "channel_not_found"}


def metadata(event_type: str, ref: str) -> dict[str, Any]:
    """The `metadata` argument of `chat.postMessage` for a job."""
    return {"event_type": event_type, "event_payload": {"ref": ref}}


def _ours(message: dict[str, Any], event_type: str, ref: str) -> bool:
    meta = message.get("metadata") or {}
    return meta.get("event_type") == event_type and (meta.get("event_payload") or {}).get("ref") == ref


async def _pages(client: AsyncWebClient, channel: str, thread_ts: str | None) -> Any:
    cursor = None
    for _ in range(MAX_PAGES):
        args: dict[str, Any] = {"channel": channel, "include_all_metadata": True, "limit": PAGE}
        if cursor:
            args["cursor"] = cursor
        if thread_ts:
            response = await client.conversations_replies(ts=thread_ts, **args)
        else:
            response = await client.conversations_history(**args)
        yield response.get("messages") or []
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return


async def find_posted(client: AsyncWebClient, *, channel: str, thread_ts: str | None, event_type: str,
                      ref: str) -> str | None:
    """The ts of our message for (`event_type`, `ref`) in the thread (or the channel's
    recent history), or None. When Slack will not let us read there, None (with a warning):
    the caller posts, as it did before this check existed."""
    try:
        async for messages in _pages(client, channel, thread_ts):
            for message in messages:
                if _ours(message, event_type, ref):
                    return str(message.get("ts") or "")
    except SlackApiError as exc:
        error = str(exc.response.get("error", ""))
        if error not in _NO_LOOKUP:
            raise
        logger.warning("slack: cannot look for an earlier post in %s (%s); posting", channel, error)
    return None
