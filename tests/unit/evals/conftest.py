"""Fixtures for the benchmark tests: a PostgreSQL database, when a server can be had here."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A fresh database's URL: `FM_TEST_POSTGRES_URL`'s server or a throwaway one (skipped if neither)."""
    from tests.integration.pg_server import NoPostgres, PostgresServer, throwaway_server

    given = os.environ.get("FM_TEST_POSTGRES_URL")
    stack = contextlib.ExitStack()
    try:
        server = PostgresServer(url=given) if given else stack.enter_context(throwaway_server())
    except NoPostgres as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL needed: {exc} (CI is set: not skipping)")
        pytest.skip(f"PostgreSQL needed: {exc}")
    with stack, server.fresh_database() as url:
        yield url
