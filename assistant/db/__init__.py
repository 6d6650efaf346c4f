"""Database access in one place: engine and sessions, models, Alembic migrations."""

from __future__ import annotations

from assistant.db.engine import Database, database_url, session_scope
from assistant.settings import Settings

__all__ = ["Database", "database_url", "open_database", "session_scope"]


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """The database from Settings, migrated to the latest revision first (idempotent)."""
    if migrate:
        from assistant.db.migrations import upgrade

        upgrade(settings)
    return Database.from_settings(settings)
