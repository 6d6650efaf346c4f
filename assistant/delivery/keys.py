"""A tiny durable key store for the channel adapters: seen event ids, sent delivery keys,
thread -> conversation maps, replayable responses.

One table (`channel_keys`, keyed by namespace and key) in the shared database, so it survives
restarts and every process sees the same keys: a Slack retry or a Kakao duplicate that lands on
another web process (or another machine behind the load balancer) is recognised there too.
Every operation is one short statement. A `channels.sqlite` left by an earlier version is
imported once and renamed.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from sqlalchemy import delete, select

from assistant.db import Database, open_database
from assistant.db.engine import rowcount, upsert
from assistant.db.tables import channel_keys as keys_t
from assistant.settings import Settings

logger = logging.getLogger(__name__)

LEGACY_FILENAME = "channels.sqlite"


class KeyStore:
    """Namespaced keys with optional values and their creation time."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    def from_settings(cls, settings: Settings, db: Database | None = None) -> KeyStore:
        store = cls(db or open_database(settings))
        store.adopt(settings.data_dir / LEGACY_FILENAME)
        return store

    def add(self, ns: str, key: str, value: str = "") -> bool:
        """Record `key` once: True the first time, False if it was already there (in any process)."""
        with self.db.engine.begin() as conn:
            stmt = upsert(conn, keys_t).values(ns=ns, key=key, value=value, created=time.time())
            inserted = stmt.on_conflict_do_nothing(index_elements=["ns", "key"]).returning(keys_t.c.ns)
            return conn.execute(inserted).first() is not None

    def put(self, ns: str, key: str, value: str) -> None:
        """Set (or replace) the value of `key`."""
        with self.db.engine.begin() as conn:
            stmt = upsert(conn, keys_t).values(ns=ns, key=key, value=value, created=time.time())
            conn.execute(stmt.on_conflict_do_update(
                index_elements=["ns", "key"], set_={"value": stmt.excluded.value, "created": stmt.excluded.created}))

    def _row(self, ns: str, key: str) -> tuple[str, float] | None:
        """The value of `key` and its age in seconds, or None when it is not there."""
        query = select(keys_t.c.value, keys_t.c.created).where(keys_t.c.ns == ns, keys_t.c.key == key)
        with self.db.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else (str(row[0]), max(0.0, time.time() - float(row[1])))

    def get(self, ns: str, key: str, *, max_age_s: float | None = None) -> str | None:
        """The value of `key`, or None (also when older than `max_age_s`)."""
        row = self._row(ns, key)
        if row is None or (max_age_s is not None and row[1] > max_age_s):
            return None
        return row[0]

    def age(self, ns: str, key: str) -> float | None:
        """Seconds since `key` was last set, or None when it is not there."""
        row = self._row(ns, key)
        return None if row is None else row[1]

    def has(self, ns: str, key: str) -> bool:
        return self.get(ns, key) is not None

    def delete(self, ns: str, key: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(delete(keys_t).where(keys_t.c.ns == ns, keys_t.c.key == key))

    def prune(self, ns: str, *, older_than_s: float) -> int:
        """Forget keys of `ns` older than `older_than_s`; returns how many."""
        with self.db.engine.begin() as conn:
            return rowcount(conn.execute(
                delete(keys_t).where(keys_t.c.ns == ns, keys_t.c.created < time.time() - older_than_s)))

    def adopt(self, legacy: Path) -> int:
        """Import the keys of an earlier version's `channels.sqlite` (once: the file is renamed)."""
        if not legacy.is_file():
            return 0
        source = sqlite3.connect(str(legacy))
        try:
            rows = source.execute("SELECT ns, key, value, created FROM channel_keys").fetchall()
        except sqlite3.Error as exc:
            logger.warning("channel keys in %s not imported: %s", legacy.name, exc)
            rows = []
        finally:
            source.close()
        with self.db.engine.begin() as conn:
            for ns, key, value, created in rows:
                stmt = upsert(conn, keys_t).values(ns=ns, key=key, value=value, created=created)
                conn.execute(stmt.on_conflict_do_nothing(index_elements=["ns", "key"]))
        legacy.rename(legacy.with_name(legacy.name + ".imported"))
        logger.info("imported %d channel keys from %s", len(rows), legacy.name)
        return len(rows)
