"""The storage layer against a real PostgreSQL server.

The server: `FM_TEST_POSTGRES_URL` (a URL whose user may create databases) if set, else a
throwaway server started here from the local PostgreSQL binaries (see `pg_server.py`).
Without either the tests skip, except under CI (env `CI` set), where they fail.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.db.engine import Database
from assistant.db.migrations import upgrade
from assistant.db.models import OutboxItem
from assistant.delivery.outbox import Delivery, SenderRegistry, Worker, enqueue
from assistant.settings import Settings
from tests.integration.pg_server import NoPostgres, PostgresServer, throwaway_server
from tests.unit.assistant.db.factories import storage_settings
from tests.unit.assistant.db.test_conversations import sql_store_contract
from tests.unit.assistant.db.test_migrations import check_migrations_from_empty
from tests.unit.assistant.delivery import scenarios_outbox as outbox
from tests.unit.assistant.experts import scenarios_access as access
from tests.unit.assistant.experts import scenarios_tickets as tickets

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pg_server() -> Iterator[PostgresServer]:
    given = os.environ.get("FM_TEST_POSTGRES_URL")
    if given:
        yield PostgresServer(url=given)
        return
    stack = contextlib.ExitStack()
    try:
        server = stack.enter_context(throwaway_server())
    except NoPostgres as exc:
        message = f"PostgreSQL storage tests need a server: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set: not skipping)")
        pytest.skip(message + ". Set FM_TEST_POSTGRES_URL or install postgresql (initdb, pg_ctl).")
    with stack:
        yield server


@pytest.fixture
def pg_settings(pg_server: PostgresServer, tmp_path: Path) -> Iterator[Settings]:
    with pg_server.fresh_database() as url:
        yield storage_settings(tmp_path / "var", database_url=url)


@pytest.fixture
def pg_db(pg_settings: Settings) -> Iterator[Database]:
    upgrade(pg_settings)
    database = Database.from_settings(pg_settings)
    assert database.is_postgres
    yield database
    database.dispose()


def test_migrations_up_from_empty(pg_settings: Settings) -> None:
    check_migrations_from_empty(pg_settings)


def test_conversation_store_contract(pg_db: Database, pg_settings: Settings) -> None:
    sql_store_contract(pg_db, pg_settings)


def test_ticket_lifecycle_with_events_and_outbox(pg_db: Database, pg_settings: Settings) -> None:
    tickets.check_ticket_lifecycle(pg_db, pg_settings)


def test_state_change_event_and_outbox_commit_together(pg_db: Database, pg_settings: Settings) -> None:
    tickets.check_transaction_atomicity(pg_db, pg_settings)


def test_escalation_hook_and_relay_while_held(pg_db: Database, pg_settings: Settings) -> None:
    tickets.check_escalation_glue(pg_db, pg_settings)


def test_ticket_role_checks(pg_db: Database, pg_settings: Settings) -> None:
    tickets.check_role_checks(pg_db, pg_settings)


def test_routing(pg_db: Database, pg_settings: Settings) -> None:
    tickets.check_routing(pg_db, pg_settings)


def test_concurrent_claims_only_one_wins(pg_db: Database, pg_settings: Settings) -> None:
    tickets.check_concurrent_claims(pg_db, pg_settings, rounds=10)


def test_sla_renotify_then_reassign(pg_db: Database, pg_settings: Settings) -> None:
    tickets.check_sla(pg_db, pg_settings)


def test_notes_ingested_only_on_approval(pg_db: Database, pg_settings: Settings) -> None:
    tickets.check_notes(pg_db, pg_settings)


def test_tokens_and_roles(pg_db: Database) -> None:
    access.check_tokens(pg_db)
    access.check_role_helpers(pg_db)


def test_owners_see_only_their_own_conversations(pg_db: Database, pg_settings: Settings) -> None:
    access.check_owner_visibility(pg_db, pg_settings)


def test_feedback_and_exports(pg_db: Database, pg_settings: Settings) -> None:
    access.check_feedback_and_exports(pg_db, pg_settings)


async def test_outbox_worker_dies_before_and_after_receipt(pg_db: Database, pg_settings: Settings) -> None:
    await outbox.check_crash_before_receipt(pg_db, pg_settings)
    await outbox.check_crash_after_receipt(pg_db, pg_settings)


async def test_outbox_retries_then_dead(pg_db: Database, pg_settings: Settings) -> None:
    await outbox.check_retries_then_dead(pg_db, pg_settings)


@pytest.mark.parametrize("mode", ["before_receipt", "after_receipt"])
async def test_worker_process_killed_mid_delivery(
    pg_db: Database, pg_settings: Settings, tmp_path: Path, mode: str
) -> None:
    await outbox.check_sigkill_mid_delivery(pg_db, pg_settings, tmp_path, mode=mode)


def test_several_workers_share_the_outbox_with_skip_locked(pg_db: Database, pg_settings: Settings) -> None:
    settings = pg_settings.model_copy(update={"outbox_batch_size": 5})
    by_worker = outbox.check_many_workers(pg_db, settings, workers=4, rows=200)
    assert sum(by_worker.values()) == 200
    assert len(by_worker) >= 2, f"expected the work to be shared, got {dict(by_worker)}"


def test_claim_skips_rows_locked_by_another_worker(pg_db: Database, pg_settings: Settings) -> None:
    """While one transaction holds some rows, a claim takes the others at once, without waiting."""
    with pg_db.session_scope() as s:
        for i in range(4):
            enqueue(s, channel="web", kind="notice", recipient={}, payload={"i": i}, idempotency_key=f"k{i}")
    holder = pg_db.sessions()
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        query = select(OutboxItem).order_by(OutboxItem.idempotency_key).limit(2).with_for_update()
        held = {row.id for row in holder.scalars(query)}

        async def never(_: Delivery) -> None:
            raise AssertionError("not sent in this test")

        registry = SenderRegistry()
        registry.register("web", never)
        worker = Worker(pg_db.sessions, settings=pg_settings, registry=registry)
        future = pool.submit(worker.claim)
        claimed = {d.id for d in future.result(timeout=10)}  # TimeoutError: it waited on the locks
        assert len(claimed) == 2 and not claimed & held
    finally:
        holder.rollback()  # release the locks first, so a blocked claim can finish
        holder.close()
        pool.shutdown(wait=True)


# -- issue 15: the stores web processes share live in PostgreSQL ------------------------------

_LEVEL = """---
kind: policy
title: 수준확인 제도 안내
---

# 수준확인 제도 안내
확인서는 발급일부터 3년 동안 유효합니다.
"""


def test_catalog_and_keyword_index_are_shared_through_postgres(pg_settings: Settings, tmp_path: Path) -> None:
    """An ingest through one process is in PostgreSQL's catalog: another process on another
    data dir finds it by keyword at once, and sees a changed file at its next search."""
    from assistant.answers.retrieval import HybridSearcher
    from assistant.db.engine import catalog_url, database_url
    from assistant.stores import open_stores
    from ingestion.pipeline import Ingestor

    assert catalog_url(pg_settings) == database_url(pg_settings)
    docs = tmp_path / "docs"
    (docs / "policies").mkdir(parents=True)
    (docs / "policies" / "level.md").write_text(_LEVEL, encoding="utf-8")
    writer = open_stores(pg_settings)
    reader = open_stores(pg_settings.model_copy(update={"data_dir": tmp_path / "other"}))
    try:
        Ingestor(writer).sync(docs)
        assert not (pg_settings.data_dir / "index.sqlite").exists()  # nothing beside the process
        searcher = HybridSearcher(reader)
        hit = searcher.search("확인서 유효기간", 1, mode="keyword")[0]
        assert hit.chunk.source == "policies/level.md" and "3년" in hit.chunk.text
        (docs / "policies" / "level.md").write_text(_LEVEL.replace("3년", "5년"), encoding="utf-8")
        Ingestor(writer).sync(docs)
        assert "5년" in searcher.search("확인서 유효기간", 1, mode="keyword")[0].chunk.text
        assert reader.catalog.generation == writer.catalog.generation > 0
    finally:
        writer.close()
        reader.close()


def test_channel_keys_and_rate_limits_are_shared_through_postgres(pg_db: Database, pg_settings: Settings) -> None:
    from assistant.delivery.keys import KeyStore
    from channels.web.limits import RateLimited, SharedRateLimiter

    other = Database.from_settings(pg_settings)
    try:
        assert KeyStore(pg_db).add("slack_message", "C1:1.0")
        assert not KeyStore(other).add("slack_message", "C1:1.0")  # the other process knows it
        now = [6000.0]
        one = SharedRateLimiter(lambda: pg_db, 2, clock=lambda: now[0])
        two = SharedRateLimiter(lambda: other, 2, clock=lambda: now[0])
        one.hit("ip:9.9.9.9")
        two.hit("ip:9.9.9.9")
        with pytest.raises(RateLimited):
            one.hit("ip:9.9.9.9")
    finally:
        other.dispose()
