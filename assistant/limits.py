"""Rate limits every process shares: hits per key (a client address, an owner id) counted in
the database, so N web processes behind a load balancer enforce one budget per client.

Mature servers keep such counters in a store every process shares (GitLab's Rack::Attack and
Mastodon count in Redis, Discourse likewise); ours is the database every process already has.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from sqlalchemy import Connection, delete, select
from sqlalchemy.exc import OperationalError

from assistant.db import Database
from assistant.db.engine import upsert
from assistant.db.tables import rate_windows
from assistant.errors import FMError

logger = logging.getLogger(__name__)

_SWEEP_EVERY = 1024  # forget past windows after this many hits


class RateLimited(FMError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "rate_limited",
            f"요청이 너무 많습니다. {retry_after}초 후에 다시 시도해 주세요.",
            f"retry after {retry_after}s",
        )
        self.retry_after = retry_after


class SharedRateLimiter:
    """At most about `limit` hits per `window` seconds per key, counted in the shared database,
    so N web processes (or machines) enforce one budget, not N. `limit` 0 turns it off.

    Each key has a row per fixed window; a hit is counted in the current window and
    weighed against the previous one as it slides out (`previous * (1 - elapsed) + current`),
    the usual approximation of a sliding window with two counters. The hit is counted and
    checked in one transaction (row locks on PostgreSQL, the write lock on SQLite), and rolled
    back when refused, so a refused hit counts for no key. A database that cannot be reached
    lets the request through (the request itself will then say what is wrong)."""

    def __init__(self, database: Callable[[], Database | None], limit: int, window: float = 60.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.window = window
        self._database = database
        self._clock = clock
        self._count = 0

    def hit(self, *keys: str) -> None:
        """Count one hit for each key (a client address, an owner id), or raise `RateLimited`
        when any of them is spent."""
        db = self._database() if self.limit > 0 else None
        if db is None:
            return
        now = self._clock()
        current = int(now // self.window)
        try:
            with db.engine.begin() as conn:
                waits = [self._count_hit(conn, key, current, now) for key in dict.fromkeys(keys)]
                refused = [w for w in waits if w is not None]
                if refused:
                    conn.rollback()
                    raise RateLimited(max(1, math.ceil(max(refused))))
                self._count += 1
                if self._count % _SWEEP_EVERY == 0:
                    conn.execute(delete(rate_windows).where(rate_windows.c.window < current - 1))
        except OperationalError as exc:
            logger.warning("rate limit not checked, database unavailable: %s", str(exc.orig or exc)[:200])

    def _count_hit(self, conn: Connection, key: str, current: int, now: float) -> float | None:
        """Count the hit; the seconds until the key has room again when it is over, else None."""
        stmt = upsert(conn, rate_windows).values(key=key, window=current, hits=1)
        stmt = stmt.on_conflict_do_update(index_elements=["key", "window"],
                                          set_={"hits": rate_windows.c.hits + 1})
        hits = int(conn.execute(stmt.returning(rate_windows.c.hits)).scalar_one())
        before = conn.scalar(select(rate_windows.c.hits).where(
            rate_windows.c.key == key, rate_windows.c.window == current - 1)) or 0
        elapsed = now / self.window - current  # 0..1 into the current window
        if before * (1 - elapsed) + hits <= self.limit:
            return None
        if hits > self.limit:  # the current window alone is spent
            return (current + 1 - now / self.window) * self.window
        # room comes back as the previous window slides out
        return ((current + 1 - (self.limit - hits) / before) - now / self.window) * self.window
