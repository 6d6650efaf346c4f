"""Alembic environment: the URL comes from Settings (never from an ini file).

`upgrade(settings)` passes the Settings in `config.attributes`; the plain `alembic`
command (with `assistant/db/alembic.ini`) falls back to `get_settings()`, i.e. `FM_*`
variables. SQLite runs in batch mode so later revisions can alter tables there too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from assistant.db.engine import create_db_engine, database_url
from assistant.db.tables import metadata
from assistant.settings import Settings, get_settings

config = context.config
target_metadata = metadata


def _settings() -> Settings:
    settings = config.attributes.get("settings")
    return settings if isinstance(settings, Settings) else get_settings()


_PG_MIGRATION_LOCK = 7_468_610_001  # advisory lock id: one migrating process at a time


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
        context.run_migrations()


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    url = database_url(_settings())
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_db_engine(_settings())
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
