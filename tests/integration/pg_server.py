"""A PostgreSQL server for integration tests: `FM_TEST_POSTGRES_URL`, or a throwaway one.

The throwaway server is initdb'ed into a temporary directory and started with pg_ctl on
a free port (fsync off, trust auth on 127.0.0.1 only). As root it runs as the `postgres`
system user through `runuser`, because PostgreSQL refuses to run as root. Each test gets
its own fresh database (`fresh_database`), dropped afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


class NoPostgres(RuntimeError):
    """No server given and none could be started here; the message says why."""


@dataclass
class PostgresServer:
    url: str  # an admin URL (postgresql://user@host:port/postgres) able to create databases

    def _conninfo(self, database: str) -> str:
        url = make_url(self.url).set(drivername="postgresql", database=database)
        return url.render_as_string(hide_password=False)

    @contextmanager
    def fresh_database(self) -> Iterator[str]:
        """Create an empty database; yield its SQLAlchemy URL; drop it afterwards."""
        name = "fm_test_" + uuid.uuid4().hex[:12]
        admin = make_url(self.url).database or "postgres"
        with psycopg.connect(self._conninfo(admin), autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name))
            )
        try:
            yield self._conninfo(name)
        finally:
            with psycopg.connect(self._conninfo(admin), autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise NoPostgres(
        "PostgreSQL server binaries (initdb, pg_ctl) not found; install them "
        "(apt-get install -y postgresql) or set FM_TEST_POSTGRES_URL"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise NoPostgres("running as root and there is no `postgres` user to run the server as") from exc
    if runuser is None:
        raise NoPostgres("running as root and `runuser` is missing")
    return [runuser, "-u", "postgres", "--", *argv]


@contextmanager
def throwaway_server() -> Iterator[PostgresServer]:
    """initdb + pg_ctl start in a temp dir; stopped and removed on exit."""
    bindir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="fm-pg-"))
    data, log = root / "data", root / "server.log"
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
    os.chmod(root, 0o700)
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}

    def run(argv: list[str]) -> None:
        done = subprocess.run(_as_server_user(argv), capture_output=True, text=True, env=env, timeout=120)
        if done.returncode != 0:
            raise NoPostgres(f"{argv[0]} failed: {done.stderr.strip() or done.stdout.strip()}")

    try:
        run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
            ]
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
    except (NoPostgres, OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise NoPostgres(f"could not start a throwaway PostgreSQL server: {exc}") from exc
    try:
        yield PostgresServer(url=f"postgresql://postgres@127.0.0.1:{port}/postgres")
    finally:
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            env=env,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)
