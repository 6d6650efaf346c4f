from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from assistant.db.engine import Database, create_db_engine, database_url
from assistant.db.migrations import MIGRATIONS_DIR, current_revision, downgrade, upgrade
from assistant.db.tables import metadata
from assistant.settings import Settings
from tests.unit.assistant.db.factories import storage_settings

HEAD = "0004_chunk_analysis"
TABLES = {
    "users",
    "experts",
    "api_tokens",
    "conversations",
    "messages",
    "tickets",
    "ticket_events",
    "knowledge_notes",
    "feedback",
    "outbox",
    "inbox_items",
    "received_events",
    "catalog_files",
    "catalog_chunks",
    "catalog_state",
    "channel_keys",
    "rate_windows",
    "alembic_version",
}


def check_migrations_from_empty(settings: Settings) -> None:
    """Up from empty, the schema equals the models; idempotent; down and up again."""
    assert current_revision(settings) is None
    upgrade(settings)
    assert current_revision(settings) == HEAD
    upgrade(settings)  # nothing to do
    engine = create_db_engine(settings)
    try:
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == TABLES
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), metadata
            )
            assert diff == []
    finally:
        engine.dispose()
    downgrade(settings)
    engine = create_db_engine(settings)
    try:
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    upgrade(settings)
    assert current_revision(settings) == HEAD


def test_migrations_up_from_empty_sqlite(tmp_path: Path) -> None:
    check_migrations_from_empty(storage_settings(tmp_path / "fresh"))


def test_default_database_is_a_sqlite_file_under_the_data_dir(tmp_path: Path) -> None:
    settings = storage_settings(tmp_path / "data")
    assert database_url(settings) == f"sqlite:///{tmp_path / 'data' / 'factory_mentor.sqlite'}"
    upgrade(settings)
    assert (tmp_path / "data" / "factory_mentor.sqlite").exists()
    db = Database.from_settings(settings)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_postgres_urls_use_psycopg3(tmp_path: Path) -> None:
    for given in ("postgresql://u:p@h:5432/fm", "postgres://u:p@h:5432/fm"):
        assert (
            database_url(storage_settings(tmp_path, database_url=given))
            == "postgresql+psycopg://u:p@h:5432/fm"
        )


def test_migration_files_ship_as_package_data() -> None:
    names = {p.name for p in MIGRATIONS_DIR.iterdir()} | {
        p.name for p in (MIGRATIONS_DIR / "versions").iterdir()
    }
    assert {"__init__.py", "env.py", "script.py.mako", "0001_initial.py"} <= names
    ini = (MIGRATIONS_DIR.parent / "alembic.ini").read_text(encoding="utf-8")
    assert "sqlalchemy.url" not in ini.split("#")[0]
