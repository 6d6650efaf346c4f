"""A tiny durable key store for channel adapters: seen event ids, sent delivery keys,
thread -> conversation maps, replayable responses.

One SQLite file under the data dir (`channels.sqlite`), one table keyed by
(namespace, key). It survives restarts, and several processes on one machine share it
(WAL, busy timeout). Every operation is one short statement, cheap enough to run on the
event loop. Deployments with several machines behind a load balancer need a shared
store instead (see docs/channels.md).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from assistant.settings import Settings

logger = logging.getLogger(__name__)

FILENAME = "channels.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS channel_keys (
    ns TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    PRIMARY KEY (ns, key)
)
"""


class KeyStore:
    """Namespaced keys with optional values and their creation time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA busy_timeout=30000")
        self._conn.execute(_SCHEMA)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyStore:
        return cls(settings.data_dir / FILENAME)

    def add(self, ns: str, key: str, value: str = "") -> bool:
        """Record `key` once: True the first time, False if it was already there."""
        with self._lock:
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO channel_keys (ns, key, value, created) VALUES (?, ?, ?, ?)",
                (ns, key, value, time.time()),
            )
            return cur.rowcount == 1

    def put(self, ns: str, key: str, value: str) -> None:
        """Set (or replace) the value of `key`."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO channel_keys (ns, key, value, created) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, created = excluded.created",
                (ns, key, value, time.time()),
            )

    def get(self, ns: str, key: str, *, max_age_s: float | None = None) -> str | None:
        """The value of `key`, or None (also when older than `max_age_s`)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT value, created FROM channel_keys WHERE ns = ? AND key = ?", (ns, key)
            ).fetchone()
        if row is None or (max_age_s is not None and time.time() - row[1] > max_age_s):
            return None
        return str(row[0])

    def has(self, ns: str, key: str) -> bool:
        return self.get(ns, key) is not None

    def delete(self, ns: str, key: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM channel_keys WHERE ns = ? AND key = ?", (ns, key))

    def prune(self, ns: str, *, older_than_s: float) -> int:
        """Forget keys of `ns` older than `older_than_s`; returns how many."""
        with self._lock:
            cur = self._conn.execute(
                "DELETE FROM channel_keys WHERE ns = ? AND created < ?", (ns, time.time() - older_than_s)
            )
            return int(cur.rowcount or 0)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
