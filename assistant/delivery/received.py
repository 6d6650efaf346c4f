"""The durable inbox of received events: what a channel acknowledges before it answers.

A platform that waits only for an acknowledgement (Slack's 3-second ack, Kakao's
`useCallback`) must not lose an event that was acknowledged and then not answered because
the process died. So a channel adapter calls `ReceivedEvents.receive` before it acks: one
transaction inserts the event, and the row, unique by (channel, event key), is also the
record that the event was seen. A retry of the same event finds the row and changes nothing.

The event is then processed from the store, by whichever process claims it first: the
serving process right after the ack (`ReceivedWorker.process`), or any background loop
(`ReceivedWorker.drain`: the server's own, a `worker`, or the next start-up) for rows left
pending or whose lease expired because their process died. Claims work like the outbox's:
a guarded UPDATE per row (`SKIP LOCKED` on PostgreSQL), a lease renewed while the handler
runs, retries with backoff, `dead` after `inbox_max_attempts`. The core stores opaque
payloads: the handler for each channel name is built and passed in by a composition root.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.engine import rowcount, session_scope
from assistant.db.models import ReceivedEvent, ReceivedStatus, utcnow
from assistant.delivery.outbox import backoff_delay, drain_rounds, worker_name
from assistant.settings import Settings

logger = logging.getLogger(__name__)

HANDLER_TIMEOUT_S = 600.0  # one event's processing, however slow the model (the lease is renewed)


@dataclass(frozen=True)
class Received:
    """One claimed attempt at one received event."""

    id: str
    channel: str
    key: str
    payload: dict[str, Any]
    attempt: int
    received_at: datetime


Handler = Callable[[Received], Awaitable[None]]


def _claimable(now: datetime) -> Any:
    return or_(
        and_(ReceivedEvent.status == ReceivedStatus.pending, ReceivedEvent.next_attempt_at <= now),
        and_(ReceivedEvent.status == ReceivedStatus.processing, ReceivedEvent.locked_until < now),
    )


class ReceivedEvents:
    """The store: receive (before the ack), claim, renew, complete, fail, prune."""

    def __init__(self, sessions: sessionmaker[Session], *, settings: Settings,
                 clock: Callable[[], datetime] = utcnow, worker_id: str | None = None) -> None:
        self._sessions = sessions
        self.settings = settings
        self._clock = clock
        self.worker_id = worker_id or worker_name()

    def receive(self, channel: str, key: str, payload: dict[str, Any]) -> str | None:
        """Store the event, marking it seen, in one transaction: its row id, or None when
        this (channel, key) was received before (a retry)."""
        now = self._clock()
        try:
            with session_scope(self._sessions) as s:
                seen = ReceivedEvent.channel == channel, ReceivedEvent.event_key == key
                if s.scalar(select(ReceivedEvent.id).where(*seen)) is not None:
                    return None
                row = ReceivedEvent(channel=channel, event_key=key, payload=payload, status=ReceivedStatus.pending,
                                    attempts=0, max_attempts=self.settings.inbox_max_attempts, next_attempt_at=now,
                                    received_at=now)
                s.add(row)
                s.flush()
                return row.id
        except IntegrityError:  # a concurrent retry stored it first
            return None

    def claim(self, channels: list[str], *, event_id: str | None = None, limit: int = 20) -> list[Received]:
        """Lease up to `limit` due events of `channels` (or just `event_id`) to this process."""
        if not channels:
            return []
        now = self._clock()
        lease_until = now + timedelta(seconds=self.settings.inbox_lease_s)
        query = select(ReceivedEvent).where(ReceivedEvent.channel.in_(channels), _claimable(now))
        if event_id is not None:
            query = query.where(ReceivedEvent.id == event_id)
        query = query.order_by(ReceivedEvent.received_at).limit(limit).with_for_update(skip_locked=True)
        claimed: list[Received] = []
        with session_scope(self._sessions) as s:
            for row in list(s.scalars(query)):
                guard = (ReceivedEvent.id == row.id, ReceivedEvent.attempts == row.attempts, _claimable(now))
                if row.attempts >= row.max_attempts:  # its process died on the last attempt
                    s.execute(update(ReceivedEvent).where(*guard).values(
                        status=ReceivedStatus.dead, locked_until=None, last_error="lost while processing"))
                    logger.error("received %s event %s dead: lost on the last attempt", row.channel, row.id)
                    continue
                result = s.execute(
                    update(ReceivedEvent).where(*guard)
                    .values(status=ReceivedStatus.processing, attempts=row.attempts + 1, locked_until=lease_until,
                            locked_by=self.worker_id)
                    .execution_options(synchronize_session=False)
                )
                if rowcount(result) == 1:
                    claimed.append(Received(row.id, row.channel, row.event_key, dict(row.payload or {}),
                                            row.attempts + 1, row.received_at))
        return claimed

    def _fence(self, event: Received) -> tuple[Any, ...]:
        return (ReceivedEvent.id == event.id, ReceivedEvent.status == ReceivedStatus.processing,
                ReceivedEvent.locked_by == self.worker_id, ReceivedEvent.attempts == event.attempt)

    def renew(self, event: Received) -> bool:
        """Extend our lease while the handler runs; False if it was lost."""
        until = self._clock() + timedelta(seconds=self.settings.inbox_lease_s)
        with session_scope(self._sessions) as s:
            result = s.execute(update(ReceivedEvent).where(*self._fence(event)).values(locked_until=until))
        return rowcount(result) == 1

    def complete(self, event: Received) -> bool:
        with session_scope(self._sessions) as s:
            result = s.execute(update(ReceivedEvent).where(*self._fence(event)).values(
                status=ReceivedStatus.done, done_at=self._clock(), locked_until=None, last_error=None))
        if rowcount(result) != 1:
            logger.warning("received event %s: lease lost before completion", event.id)
            return False
        return True

    def fail(self, event: Received, error: BaseException) -> str:
        """Retry later with backoff, or `dead` after the last attempt; the new status."""
        message = f"{type(error).__name__}: {error}"[:1000]
        if event.attempt >= self.settings.inbox_max_attempts:
            status, values = ReceivedStatus.dead, {}
        else:
            delay = backoff_delay(event.attempt, base_s=self.settings.outbox_backoff_base_s,
                                  max_s=self.settings.outbox_backoff_max_s) * (1 + 0.1 * random.random())
            status = ReceivedStatus.pending
            values = {"next_attempt_at": self._clock() + timedelta(seconds=delay)}
        with session_scope(self._sessions) as s:
            result = s.execute(update(ReceivedEvent).where(*self._fence(event)).values(
                status=status, locked_until=None, last_error=message, **values))
        if rowcount(result) != 1:
            return "lost"
        log = logger.error if status == ReceivedStatus.dead else logger.warning
        log("received %s event %s (attempt %d) failed -> %s: %s", event.channel, event.id, event.attempt, status,
            message)
        return str(status)

    def prune(self) -> int:
        """Forget finished events older than `inbox_keep_days` (platforms stop retrying long before)."""
        cutoff = self._clock() - timedelta(days=self.settings.inbox_keep_days)
        with session_scope(self._sessions) as s:
            result = s.execute(delete(ReceivedEvent).where(
                ReceivedEvent.status.in_((ReceivedStatus.done, ReceivedStatus.dead)), ReceivedEvent.received_at < cutoff))
        return rowcount(result)

    def counts(self) -> dict[str, int]:
        """Events by status (health checks, tests)."""
        with session_scope(self._sessions) as s:
            rows = s.execute(select(ReceivedEvent.status, func.count()).group_by(ReceivedEvent.status)).all()
        return {str(status): int(n) for status, n in rows}


class ReceivedWorker:
    """Processes claimed events with the handler of their channel (given by the composition root)."""

    PRUNE_EVERY = 200

    def __init__(self, store: ReceivedEvents, handlers: dict[str, Handler]) -> None:
        self.store = store
        self.handlers = dict(handlers)
        self._rounds = 0

    def channels(self) -> list[str]:
        return sorted(self.handlers)

    async def process(self, event_id: str) -> str:
        """Claim and handle one event now (the serving process, right after its ack);
        "taken" when another process has it already."""
        claimed = await asyncio.to_thread(self.store.claim, self.channels(), event_id=event_id, limit=1)
        return await self.handle(claimed[0]) if claimed else "taken"

    async def _keep_lease(self, event: Received) -> None:
        while True:
            await asyncio.sleep(self.store.settings.inbox_lease_s / 3)
            if not await asyncio.to_thread(self.store.renew, event):
                logger.warning("received event %s: lease lost while processing", event.id)
                return

    async def handle(self, event: Received) -> str:
        handler = self.handlers.get(event.channel)
        if handler is None:
            return await asyncio.to_thread(self.store.fail, event, LookupError("no handler"))
        keeper = asyncio.create_task(self._keep_lease(event))
        try:
            await asyncio.wait_for(handler(event), timeout=HANDLER_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - any handler failure is retried
            logger.exception("received %s event %s failed", event.channel, event.id)
            return await asyncio.to_thread(self.store.fail, event, exc)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        done = await asyncio.to_thread(self.store.complete, event)
        return str(ReceivedStatus.done) if done else "lost"

    async def run_once(self, *, limit: int = 20) -> int:
        batch = await asyncio.to_thread(self.store.claim, self.channels(), limit=limit)
        for event in batch:
            await self.handle(event)
        return len(batch)

    async def drain(self, *, max_rounds: int = 100) -> int:
        """Process everything due (a background round, start-up, `worker --once`)."""
        self._rounds += 1
        if self._rounds % self.PRUNE_EVERY == 1:
            await asyncio.to_thread(self.store.prune)
        return await drain_rounds(self.run_once, max_rounds)
