"""Durable de-duplication for Slack: retried events, the same message seen as both
`app_mention` and `message`, and outbox deliveries retried after a post succeeded.

Slack retries an event up to 3 times (`X-Slack-Retry-Num`) and Bolt does not
de-duplicate, so every key is recorded in the channels' SQLite store, which survives
restarts. Keys are pruned after a week (Slack stops retrying after about an hour).
"""

from __future__ import annotations

import logging

from channels.durable import KeyStore

logger = logging.getLogger(__name__)

_EVENTS = "slack_event"
_MESSAGES = "slack_message"
_SENT = "slack_sent"
KEEP_S = 7 * 24 * 3600.0
PRUNE_EVERY = 500


class SlackDedup:
    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys
        self._seen = 0

    def first_event(self, event_id: str) -> bool:
        """True the first time this event id arrives."""
        self._seen += 1
        if self._seen % PRUNE_EVERY == 0:
            self.prune()
        first = self._keys.add(_EVENTS, event_id)
        if not first:
            logger.info("slack event %s already handled (retry)", event_id)
        return first

    def first_message(self, channel: str, ts: str) -> bool:
        """True the first time a user message is answered (app_mention and message share it)."""
        return self._keys.add(_MESSAGES, f"{channel}:{ts}")

    def was_sent(self, idempotency_key: str) -> bool:
        return self._keys.has(_SENT, idempotency_key)

    def mark_sent(self, idempotency_key: str, ts: str = "") -> None:
        self._keys.add(_SENT, idempotency_key, ts)

    def prune(self) -> int:
        return sum(self._keys.prune(ns, older_than_s=KEEP_S) for ns in (_EVENTS, _MESSAGES))
