"""The outbox: every notification and delivery is a row written in the same transaction as
the state change that caused it, then sent by a worker.

Delivery is at-least-once with idempotent receivers:
- A worker *claims* due rows (status `pending`, or `sending` whose lease has expired):
  on PostgreSQL with `SELECT ... FOR UPDATE SKIP LOCKED`, so several workers share the
  table without taking the same row; on SQLite inside one `BEGIN IMMEDIATE` transaction.
  Each claim is a guarded UPDATE (`WHERE attempts = <seen> AND <still claimable>`), so a
  row is claimed by one worker only. Claiming sets `locked_until = now + lease` and counts
  the attempt.
- The worker sends with no transaction open, then marks the row `sent` (fenced by its
  worker id and attempt number), or schedules a retry with exponential backoff, or marks
  it `dead` after `max_attempts` (or at once on `PermanentDeliveryError`).
- A worker that dies mid-delivery leaves the row `sending`; once the lease expires another
  worker claims it again. Nothing is lost. The delivery may then reach the receiver twice,
  so every delivery carries a stable `idempotency_key` (and id), and receivers dedupe by
  it: the in-app inbox (`assistant.delivery.inbox.InboxSender`) keeps a unique key; channel senders
  pass it on where the platform supports it, or keep their own record of keys sent.

The core knows no channel: a composition root builds the senders (one per channel name)
and hands them to the `Worker`, which only claims rows for channels it has a sender for.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.engine import rowcount, session_scope
from assistant.db.models import OutboxItem, OutboxStatus, new_id, utcnow
from assistant.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """What a sender receives: one attempt at one outbox row."""

    id: str
    idempotency_key: str
    channel: str
    kind: str
    recipient: dict[str, Any]
    payload: dict[str, Any]
    attempt: int
    ticket_id: str | None = None
    conversation_id: str | None = None


Sender = Callable[[Delivery], Awaitable[None]]


class PermanentDeliveryError(Exception):
    """Raised by a sender when retrying cannot help (unknown recipient...): the row goes dead."""


@dataclass
class SenderRegistry:
    """The senders one worker delivers with, by channel name; built and passed in by the
    process's composition root (there is no process-wide instance)."""

    senders: dict[str, Sender] = field(default_factory=dict)

    def register(self, channel: str, sender: Sender) -> None:
        self.senders[str(channel)] = sender

    def get(self, channel: str) -> Sender | None:
        return self.senders.get(channel)

    def channels(self) -> list[str]:
        return sorted(self.senders)


def enqueue(
    session: Session,
    *,
    channel: str,
    kind: str,
    recipient: dict[str, Any],
    payload: dict[str, Any],
    idempotency_key: str | None = None,
    max_attempts: int = 8,
    ticket_id: str | None = None,
    conversation_id: str | None = None,
    available_at: datetime | None = None,
    now: datetime | None = None,
) -> OutboxItem:
    """Add a delivery in the caller's transaction; the same key twice returns the first row."""
    now = now or utcnow()
    key = idempotency_key or f"{kind}:{new_id()}"
    existing = session.scalar(select(OutboxItem).where(OutboxItem.idempotency_key == key))
    if existing is not None:
        return existing
    item = OutboxItem(
        channel=str(channel),
        kind=kind,
        recipient=recipient,
        payload=payload,
        idempotency_key=key,
        status=OutboxStatus.pending,
        attempts=0,
        max_attempts=max_attempts,
        next_attempt_at=available_at or now,
        ticket_id=ticket_id,
        conversation_id=conversation_id,
        created_at=now,
    )
    session.add(item)
    session.flush()
    return item


def backoff_delay(attempt: int, *, base_s: float, max_s: float) -> float:
    """Seconds before retry number `attempt + 1`: base, 2x base, 4x base ... capped."""
    return float(min(max_s, base_s * (2 ** max(0, attempt - 1))))


def worker_name() -> str:
    """Who holds a lease: host, process and a random suffix (two workers in one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{new_id()[:8]}"


async def drain_rounds(run_once: Callable[[], Awaitable[int]], max_rounds: int) -> int:
    """Run `run_once` until a round finds nothing due (at most `max_rounds`); the total done."""
    total = 0
    for _ in range(max_rounds):
        n = await run_once()
        total += n
        if n == 0:
            break
    return total


def _claimable(now: datetime) -> Any:
    return or_(
        and_(OutboxItem.status == OutboxStatus.pending, OutboxItem.next_attempt_at <= now),
        and_(OutboxItem.status == OutboxStatus.sending, OutboxItem.locked_until < now),
    )


class Worker:
    """Claims due deliveries, sends them through the given senders, records the outcome."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        settings: Settings,
        registry: SenderRegistry,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        jitter: float = 0.1,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self.registry = registry
        self.worker_id = worker_id or worker_name()
        self._clock = clock
        self._jitter = jitter
        if settings.outbox_lease_s <= settings.outbox_send_timeout_s:
            logger.warning("outbox lease (%ss) should exceed the send timeout", settings.outbox_lease_s)

    # -- the three steps, public so tests can stop between them (a crash) -----------------

    def claim(self, *, limit: int | None = None) -> list[Delivery]:
        """Take up to `limit` due rows for our channels and lease them to this worker."""
        channels = self.registry.channels()
        if not channels:
            return []
        now = self._clock()
        lease_until = now + timedelta(seconds=self._settings.outbox_lease_s)
        claimed: list[Delivery] = []
        with session_scope(self._sessions) as s:
            query = (
                select(OutboxItem)
                .where(OutboxItem.channel.in_(channels), _claimable(now))
                .order_by(OutboxItem.next_attempt_at, OutboxItem.created_at)
                .limit(limit or self._settings.outbox_batch_size)
                .with_for_update(skip_locked=True)
            )
            for row in list(s.scalars(query)):
                guard = (OutboxItem.id == row.id, OutboxItem.attempts == row.attempts, _claimable(now))
                if row.attempts >= row.max_attempts:  # a worker died on its last attempt
                    s.execute(
                        update(OutboxItem)
                        .where(*guard)
                        .values(status=OutboxStatus.dead, locked_until=None, last_error="lost mid-delivery")
                    )
                    logger.error("delivery %s dead: worker lost on the last attempt", row.id)
                    continue
                result = s.execute(
                    update(OutboxItem)
                    .where(*guard)
                    .values(
                        status=OutboxStatus.sending,
                        attempts=row.attempts + 1,
                        locked_until=lease_until,
                        locked_by=self.worker_id,
                    )
                    .execution_options(synchronize_session=False)
                )
                if rowcount(result) == 1:
                    claimed.append(
                        Delivery(
                            id=row.id,
                            idempotency_key=row.idempotency_key,
                            channel=row.channel,
                            kind=row.kind,
                            recipient=dict(row.recipient or {}),
                            payload=dict(row.payload or {}),
                            attempt=row.attempts + 1,
                            ticket_id=row.ticket_id,
                            conversation_id=row.conversation_id,
                        )
                    )
        return claimed

    def _fence(self, delivery: Delivery) -> tuple[Any, ...]:
        return (
            OutboxItem.id == delivery.id,
            OutboxItem.status == OutboxStatus.sending,
            OutboxItem.locked_by == self.worker_id,
            OutboxItem.attempts == delivery.attempt,
        )

    def complete(self, delivery: Delivery) -> bool:
        """Mark sent; False if our lease was lost and another worker took the row."""
        with session_scope(self._sessions) as s:
            result = s.execute(
                update(OutboxItem)
                .where(*self._fence(delivery))
                .values(status=OutboxStatus.sent, sent_at=self._clock(), locked_until=None, last_error=None)
            )
        if rowcount(result) != 1:
            logger.warning("delivery %s: lease lost before completion (receiver dedupes)", delivery.id)
            return False
        return True

    def fail(self, delivery: Delivery, error: BaseException, *, permanent: bool = False) -> str:
        """Schedule a retry with backoff, or mark dead; returns the new status."""
        message = f"{type(error).__name__}: {error}"[:1000]
        with session_scope(self._sessions) as s:
            row = s.get(OutboxItem, delivery.id)
            if row is None or row.locked_by != self.worker_id or row.attempts != delivery.attempt:
                return "lost"
            if permanent or delivery.attempt >= row.max_attempts:
                status, values = OutboxStatus.dead, {}
            else:
                delay = backoff_delay(
                    delivery.attempt,
                    base_s=self._settings.outbox_backoff_base_s,
                    max_s=self._settings.outbox_backoff_max_s,
                )
                delay *= 1 + self._jitter * random.random()
                status = OutboxStatus.pending
                values = {"next_attempt_at": self._clock() + timedelta(seconds=delay)}
            s.execute(
                update(OutboxItem)
                .where(*self._fence(delivery))
                .values(status=status, locked_until=None, last_error=message, **values)
            )
        log = logger.error if status == OutboxStatus.dead else logger.warning
        log(
            "delivery %s (%s, attempt %d) failed -> %s: %s",
            delivery.id,
            delivery.channel,
            delivery.attempt,
            status,
            message,
        )
        return str(status)

    # -- the loop ----------------------------------------------------------------------------

    async def deliver(self, delivery: Delivery) -> str:
        sender = self.registry.get(delivery.channel)
        if sender is None:  # unregistered since the claim
            return await asyncio.to_thread(self.fail, delivery, LookupError("no sender"), permanent=False)
        try:
            await asyncio.wait_for(sender(delivery), timeout=self._settings.outbox_send_timeout_s)
        except PermanentDeliveryError as exc:
            return await asyncio.to_thread(self.fail, delivery, exc, permanent=True)
        except Exception as exc:  # noqa: BLE001 - any sender failure is retried
            return await asyncio.to_thread(self.fail, delivery, exc)
        done = await asyncio.to_thread(self.complete, delivery)
        return str(OutboxStatus.sent) if done else "lost"

    async def run_once(self, *, limit: int | None = None) -> int:
        """Claim one batch and deliver it in order; returns how many were claimed."""
        batch = await asyncio.to_thread(self.claim, limit=limit)
        for delivery in batch:
            await self.deliver(delivery)
        return len(batch)

    async def drain(self, *, max_rounds: int = 1000) -> int:
        """Deliver until nothing is due (tests, `worker --once`)."""
        return await drain_rounds(self.run_once, max_rounds)

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set: deliver, and sleep `outbox_poll_interval_s` when idle."""
        logger.info("outbox worker %s started for %s", self.worker_id, ", ".join(self.registry.channels()))
        while not stop.is_set():
            try:
                n = await self.run_once()
            except Exception:  # a database hiccup must not end the loop
                logger.exception("outbox worker %s: batch failed", self.worker_id)
                n = 0
            if n == 0:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self._settings.outbox_poll_interval_s)
                except TimeoutError:
                    pass
        logger.info("outbox worker %s stopped", self.worker_id)


def undelivered_count(session: Session) -> int:
    """Rows still to send (pending or in flight), for health checks."""
    query = select(func.count()).where(OutboxItem.status.in_((OutboxStatus.pending, OutboxStatus.sending)))
    return int(session.scalar(query) or 0)
