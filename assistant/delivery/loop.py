"""The background loop: outbox deliveries plus the SLA sweep, as one asyncio task.

The server runs one in-process (`worker_in_process`); `factory-mentor worker` runs the
same loop as its own process. Any number may run: the outbox claims rows safely (leases;
`SKIP LOCKED` on PostgreSQL) and the sweep skips tickets another sweep holds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from assistant.db.engine import Database
from assistant.db.models import utcnow
from assistant.delivery.outbox import SenderRegistry, Worker
from assistant.experts.sla import SweepResult, sweep
from assistant.settings import Settings

logger = logging.getLogger(__name__)

@dataclass
class Round:
    delivered: int
    sweep: SweepResult | None


class BackgroundLoop:
    def __init__(
        self,
        db: Database,
        *,
        settings: Settings,
        registry: SenderRegistry,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self.worker = Worker(db.sessions, settings=settings, registry=registry, clock=clock)
        self._last_sweep = float("-inf")

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
        return Round(delivered=delivered, sweep=result)

    async def run(self, stop: asyncio.Event) -> None:
        logger.info("background loop started (worker %s)", self.worker.worker_id)
        while not stop.is_set():
            try:
                await self.run_once(force_sweep=False)
            except Exception:  # keep running through database hiccups
                logger.exception("background loop round failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._settings.outbox_poll_interval_s)
            except TimeoutError:
                pass
        logger.info("background loop stopped")
