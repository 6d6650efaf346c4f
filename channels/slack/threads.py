"""Where Slack threads and ticket messages live: thread -> conversation, ticket -> message.

A thread is one conversation: the first question starts it and follow-ups in the thread
continue it. A ticket's message in the expert channel is remembered so claiming and
answering can update it in place. Both maps are kept in the channels' SQLite store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from assistant.delivery.keys import KeyStore
from channels.slack.blocks import TicketCard

_THREADS = "slack_thread"
_TICKETS = "slack_ticket_msg"


@dataclass
class TicketMessage:
    channel: str
    ts: str
    card: TicketCard


class SlackThreads:
    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys

    def conversation(self, channel: str, thread_ts: str) -> str | None:
        return self._keys.get(_THREADS, f"{channel}:{thread_ts}")

    def remember(self, channel: str, thread_ts: str, conversation_id: str) -> None:
        self._keys.put(_THREADS, f"{channel}:{thread_ts}", conversation_id)

    def ticket_message(self, ticket_id: str) -> TicketMessage | None:
        raw = self._keys.get(_TICKETS, ticket_id)
        if raw is None:
            return None
        data = json.loads(raw)
        return TicketMessage(data["channel"], data["ts"], TicketCard(**data["card"]))

    def remember_ticket(self, ticket_id: str, channel: str, ts: str, card: TicketCard) -> None:
        value = {"channel": channel, "ts": ts, "card": card.__dict__}
        self._keys.put(_TICKETS, ticket_id, json.dumps(value, ensure_ascii=False))
