"""Durable de-duplication for Slack: a button pressed once answered once, and outbox
deliveries retried after a post succeeded.

Retried events (`X-Slack-Retry-Num`; Bolt does not de-duplicate) are not recorded here any
more: the durable inbox of received events (`channels.slack.events`) stores each event in
the shared database before the ack, and that row is the record of the message. Keys are kept
in the channels' SQLite store, which survives restarts, and pruned after a week.
"""

from __future__ import annotations

import logging

from assistant.delivery.keys import KeyStore

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

    def first_message(self, channel: str, ts: str) -> bool:
        """True the first time this message key is answered ("봇에게 묻기" presses)."""
        self._seen += 1
        if self._seen % PRUNE_EVERY == 0:
            self.prune()
        return self._keys.add(_MESSAGES, f"{channel}:{ts}")

    def was_sent(self, idempotency_key: str) -> bool:
        return self._keys.has(_SENT, idempotency_key)

    def mark_sent(self, idempotency_key: str, ts: str = "") -> None:
        self._keys.add(_SENT, idempotency_key, ts)

    def prune(self) -> int:
        """Forget old keys (event ids recorded by earlier versions included)."""
        return sum(self._keys.prune(ns, older_than_s=KEEP_S) for ns in (_EVENTS, _MESSAGES))
