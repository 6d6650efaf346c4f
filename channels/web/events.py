"""Conversation events for open chat pages: the web channel's outbox sender only notifies.

The core appends the expert's answer to the conversation before it queues the delivery,
so the sender has nothing to deliver to the page: it wakes the pages waiting on that conversation
(`GET /v1/conversations/{id}/events`). Each app has its own `ConversationEvents` (`app.state.events`)
and hands a `WebSender` over it to its background loop. Pages served by another worker process are not
woken, but their event streams re-read the conversation every few seconds anyway.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import defaultdict

from assistant.delivery.outbox import Delivery, Sender

logger = logging.getLogger(__name__)


class ConversationEvents:
    """Waiters per conversation; `notify` wakes all of them. Safe to call from any thread."""

    def __init__(self) -> None:
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = defaultdict(set)
        self._lock = threading.Lock()

    async def wait(self, conversation_id: str, timeout: float) -> bool:
        """True when notified within `timeout` seconds."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters[conversation_id].add(entry)
        try:
            await asyncio.wait_for(entry[1].wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with self._lock:
                waiters = self._waiters.get(conversation_id)
                if waiters is not None:
                    waiters.discard(entry)
                    if not waiters:
                        del self._waiters[conversation_id]

    def notify(self, conversation_id: str) -> int:
        """Wake every page waiting on the conversation; returns how many were waiting."""
        with self._lock:
            waiters = list(self._waiters.get(conversation_id, ()))
        for loop, event in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)
        return len(waiters)


class WebSender:
    """Outbox sender for channel `web`.

    Expert answers are already in the conversation: wake its open pages. Every delivery is
    also handed to the in-app inbox (staff notices for people without Slack go there).
    """

    def __init__(self, inbox: Sender | None, events: ConversationEvents) -> None:
        self.inbox = inbox
        self.events = events

    async def __call__(self, delivery: Delivery) -> None:
        if self.inbox is not None:
            await self.inbox(delivery)
        conversation_id = delivery.conversation_id or delivery.payload.get("conversation_id")
        if conversation_id:
            woken = self.events.notify(str(conversation_id))
            logger.info("web delivery %s (%s): %d open page(s) notified", delivery.id, delivery.kind, woken)

