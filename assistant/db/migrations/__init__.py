"""Alembic migrations for the Factory Mentor database; run them with `upgrade(settings)`."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from assistant.settings import Settings

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(settings: Settings, *, connection: Connection | None = None) -> Config:
    """An Alembic config with no ini URL: env.py takes the database from these Settings."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["settings"] = settings
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _quiet_alembic() -> None:
    """Alembic logs every plugin at INFO; keep it to warnings unless configured otherwise."""
    alembic_logger = logging.getLogger("alembic")
    if alembic_logger.level == logging.NOTSET:
        alembic_logger.setLevel(logging.WARNING)


def upgrade(settings: Settings, revision: str = "head", *, connection: Connection | None = None) -> None:
    """`alembic upgrade head`, programmatically (idempotent: does nothing when up to date)."""
    _quiet_alembic()
    logger.debug("migrating the database to %s", revision)
    command.upgrade(alembic_config(settings, connection=connection), revision)


def downgrade(settings: Settings, revision: str = "base", *, connection: Connection | None = None) -> None:
    _quiet_alembic()
    command.downgrade(alembic_config(settings, connection=connection), revision)


def current_revision(settings: Settings) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    from assistant.db.engine import create_db_engine

    engine = create_db_engine(settings)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
