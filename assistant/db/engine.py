"""Engine and sessions from Settings: a SQLite file by default, PostgreSQL when configured.

SQLite notes. The file lives under the data dir, in WAL mode with foreign keys on and a
busy timeout. SQLite has a single writer, so every transaction starts with
`BEGIN IMMEDIATE`: it takes the write lock up front (waiting up to the busy timeout)
instead of failing halfway when a reader tries to become a writer. Transactions are kept
short (the outbox worker never holds one while it talks to a channel), so this costs
little and gives serialisable behaviour: two concurrent claims of a ticket run one after
the other and the second sees the first's result.

PostgreSQL notes. `postgresql://` and `postgres://` URLs are sent to psycopg 3. Row locks
(`SELECT ... FOR UPDATE [SKIP LOCKED]`) do the serialising there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import Unavailable
from assistant.settings import Settings

logger = logging.getLogger(__name__)

SQLITE_FILENAME = "factory_mentor.sqlite"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def database_url(settings: Settings) -> str:
    """The SQLAlchemy URL: `FM_DATABASE_URL`, or a SQLite file under the data dir."""
    if settings.database_url:
        url = settings.database_url.strip()
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
    return f"sqlite:///{settings.data_dir / SQLITE_FILENAME}"


def catalog_url(settings: Settings) -> str:
    """Where the knowledge catalog lives: `FM_CATALOG_DATABASE_URL`; else the database when it
    is a server (PostgreSQL), shared by every process; else `<data dir>/index.sqlite`, beside the
    embedded vectors it indexes."""
    if settings.catalog_database_url:
        return database_url(settings.model_copy(update={"database_url": settings.catalog_database_url}))
    url = database_url(settings)
    return url if not url.startswith("sqlite") else f"sqlite:///{settings.index_path}"


def redacted(url: str) -> str:
    """The URL with its password hidden, for logs."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling is lazy).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_deferred_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def create_db_engine(settings: Settings, *, url: str | None = None, immediate: bool = True, **kwargs: Any) -> Engine:
    """An engine for the configured database (or `url`); SQLite gets WAL, foreign keys and,
    unless `immediate` is False, BEGIN IMMEDIATE (readers that only read can do without)."""
    url = url or database_url(settings)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:" and not path.startswith("file:"):  # a file: URI names an existing file
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin if immediate else _sqlite_deferred_begin)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
    logger.debug("database engine for %s", redacted(url))
    return engine


def create_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (services return them to callers)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


DATABASE_DOWN = "데이터베이스에 기록할 수 없어 요청을 처리하지 못했습니다. 잠시 후 다시 시도해 주세요."


def database_unavailable(exc: OperationalError) -> Unavailable:
    """The one error for a database that cannot be reached or written (read-only file, full disk)."""
    return Unavailable("database_unavailable", DATABASE_DOWN, f"database: {str(exc.orig or exc)[:200]}")


@contextmanager
def session_scope(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error, always close. A database
    that cannot be reached or written raises `Unavailable` (503 with a Korean message)."""
    session = sessions()
    try:
        yield session
        session.commit()
    except OperationalError as exc:
        _quiet_rollback(session)
        raise database_unavailable(exc) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _quiet_rollback(session: Session) -> None:
    try:
        session.rollback()
    except Exception:  # noqa: BLE001 - the database is already failing; the original error is raised
        logger.debug("rollback failed too", exc_info=True)


class Database:
    """The engine and session factory built once from Settings (kept on app state by the server)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = create_sessionmaker(engine)

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> Database:
        return cls(create_db_engine(settings, **kwargs))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def session_scope(self) -> AbstractContextManager[Session]:
        return session_scope(self.sessions)

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return True

    def check_writable(self) -> None:
        """Read, then write in a transaction that is rolled back; raises if either fails
        (a read-only SQLite file answers reads but refuses the write)."""
        with self.engine.connect() as conn:
            tx = conn.begin()
            try:
                conn.exec_driver_sql("SELECT 1")
                conn.exec_driver_sql("DELETE FROM alembic_version WHERE 1 = 0")  # a write that changes nothing
            finally:
                tx.rollback()

    def dispose(self) -> None:
        self.engine.dispose()


def upsert(conn: Connection, table: Table) -> Any:
    """The dialect's INSERT that takes `.on_conflict_do_update` / `.on_conflict_do_nothing`
    (SQLite and PostgreSQL spell it alike)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched (its result is a `CursorResult`)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)
