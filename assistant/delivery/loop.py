"""The background loop: outbox deliveries plus the SLA sweep, as one asyncio task, and the
received events left unprocessed (the durable inbox), when it is given their handlers.

The server runs one in-process (`worker_in_process`); `factory-mentor worker` runs the
same loop as its own process. Any number may run: the outbox claims rows safely (leases;
`SKIP LOCKED` on PostgreSQL) and the sweep skips tickets another sweep holds.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assistant.db.engine import Database
from assistant.db.models import utcnow
from assistant.delivery.keys import KeyStore
from assistant.delivery.outbox import SenderRegistry, Worker
from assistant.delivery.received import Handler, ReceivedEvents, ReceivedWorker
from assistant.experts.sla import SweepResult, sweep
from assistant.settings import Settings

logger = logging.getLogger(__name__)

@dataclass
class Round:
    delivered: int
    sweep: SweepResult | None
    handled: int = 0  # received events processed


HEARTBEAT = "worker_heartbeat"  # channel_keys namespace: host name -> the worker id of its last round
HEARTBEAT_EVERY_S = 10.0


def last_round_age(db: Database, host: str | None = None) -> float | None:
    """Seconds since a background loop on `host` (default: this one) finished a round, or None."""
    return KeyStore(db).age(HEARTBEAT, host or socket.gethostname())


class BackgroundLoop:
    def __init__(
        self,
        db: Database,
        *,
        settings: Settings,
        registry: SenderRegistry,
        clock: Callable[[], datetime] = utcnow,
        handlers: dict[str, Handler] | None = None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self.worker = Worker(db.sessions, settings=settings, registry=registry, clock=clock)
        self._last_sweep = float("-inf")
        self._last_beat = float("-inf")
        self.received: ReceivedWorker | None = None
        if handlers:
            store = ReceivedEvents(db.sessions, settings=settings, clock=clock, worker_id=self.worker.worker_id)
            self.received = ReceivedWorker(store, handlers)

    def sweep_now(self) -> SweepResult:
        with self._db.session_scope() as session:
            return sweep(session, settings=self._settings, now=self._clock())

    async def run_once(self, *, force_sweep: bool = True) -> Round:
        """One sweep (when due, or forced) and deliveries until nothing is due."""
        result = None
        if force_sweep or time.monotonic() - self._last_sweep >= self._settings.sla_sweep_interval_s:
            self._last_sweep = time.monotonic()
            result = await asyncio.to_thread(self.sweep_now)
        delivered = await self.worker.drain()
        handled = await self.received.drain() if self.received is not None else 0
        return Round(delivered=delivered, sweep=result, handled=handled)

    async def _outbox_round(self) -> None:
        if time.monotonic() - self._last_sweep >= self._settings.sla_sweep_interval_s:
            self._last_sweep = time.monotonic()
            await asyncio.to_thread(self.sweep_now)
        await self.worker.drain()
        if time.monotonic() - self._last_beat >= HEARTBEAT_EVERY_S:
            self._last_beat = time.monotonic()
            await asyncio.to_thread(self.beat)

    def beat(self) -> None:
        """Record that this host's loop finished a round (`factory-mentor worker --check` reads it)."""
        KeyStore(self._db).put(HEARTBEAT, socket.gethostname(), self.worker.worker_id)

    async def _every(self, stop: asyncio.Event, name: str, round_: Callable[[], Any]) -> None:
        while not stop.is_set():
            try:
                await round_()
            except Exception:  # keep running through database hiccups
                logger.exception("background %s round failed", name)
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._settings.outbox_poll_interval_s)
            except TimeoutError:
                pass

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: deliveries and the sweep; received events in a loop of their own, so a
        slow answer never holds up an expert's answer on its way out."""
        logger.info("background loop started (worker %s)", self.worker.worker_id)
        loops = [self._every(stop, "outbox", self._outbox_round)]
        if self.received is not None:
            loops.append(self._every(stop, "received", self.received.drain))
        await asyncio.gather(*loops)
        logger.info("background loop stopped")
