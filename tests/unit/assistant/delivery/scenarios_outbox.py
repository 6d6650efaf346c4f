"""Outbox scenarios: crash recovery, retries, several workers; SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from assistant.db.engine import Database
from assistant.db.models import InboxItem, OutboxItem
from assistant.delivery.inbox import InboxSender
from assistant.delivery.outbox import Delivery, PermanentDeliveryError, SenderRegistry, Worker, enqueue
from assistant.settings import Settings
from tests.unit.assistant.db.factories import FakeClock

REPO = Path(__file__).resolve().parents[3]


def _enqueue(
    db: Database, *, channel: str = "web", key: str = "answer-1", user_id: str = "web-user-1"
) -> str:
    with db.session_scope() as s:
        return enqueue(
            s,
            channel=channel,
            kind="expert_answer",
            recipient={"user_id": user_id},
            payload={"text": "전문가 답변입니다."},
            idempotency_key=key,
            max_attempts=4,
        ).id


def _row(db: Database, row_id: str) -> OutboxItem:
    with db.session_scope() as s:
        row = s.get(OutboxItem, row_id)
        assert row is not None
        return row


def _inbox_count(db: Database, key: str | None = None) -> int:
    with db.session_scope() as s:
        query = select(func.count()).select_from(InboxItem)
        if key is not None:
            query = query.where(InboxItem.idempotency_key == key)
        return int(s.scalar(query) or 0)


async def check_crash_before_receipt(db: Database, settings: Settings) -> None:
    """A worker claims a row and dies before sending: another sends it after the lease."""
    row_id = _enqueue(db)
    registry = SenderRegistry()
    registry.register("web", InboxSender(db.sessions))
    clock = FakeClock()
    doomed = Worker(db.sessions, settings=settings, registry=registry, worker_id="doomed", clock=clock)
    [claimed] = doomed.claim()  # ... and the process dies here
    assert claimed.attempt == 1 and _row(db, row_id).status == "sending"
    rescuer = Worker(db.sessions, settings=settings, registry=registry, worker_id="rescuer", clock=clock)
    assert await rescuer.run_once() == 0, "the lease still holds"
    clock.advance(settings.outbox_lease_s + 1)
    assert await rescuer.run_once() == 1
    row = _row(db, row_id)
    assert (row.status, row.attempts, row.locked_by) == ("sent", 2, "rescuer")
    assert _inbox_count(db, "answer-1") == 1
    assert await rescuer.run_once() == 0


async def check_crash_after_receipt(db: Database, settings: Settings) -> None:
    """Died after the receiver got it but before marking sent: resent, deduped, shown once."""
    row_id = _enqueue(db, key="answer-2")
    registry = SenderRegistry()
    registry.register("web", InboxSender(db.sessions))
    clock = FakeClock()
    doomed = Worker(db.sessions, settings=settings, registry=registry, worker_id="doomed", clock=clock)
    [claimed] = doomed.claim()
    await registry.senders["web"](claimed)  # delivered ... then the process dies before complete()
    clock.advance(settings.outbox_lease_s + 1)
    rescuer = Worker(db.sessions, settings=settings, registry=registry, worker_id="rescuer", clock=clock)
    assert await rescuer.drain() == 1
    assert _row(db, row_id).status == "sent"
    assert _inbox_count(db, "answer-2") == 1, "the user sees the answer once"
    assert doomed.complete(claimed) is False, "a zombie worker cannot overwrite the rescuer's result"


async def check_retries_then_dead(db: Database, settings: Settings) -> None:
    row_id = _enqueue(db, channel="slack", key="notice-1")
    calls: list[int] = []

    async def failing(delivery: Delivery) -> None:
        calls.append(delivery.attempt)
        raise ConnectionError("slack is down")

    registry = SenderRegistry()
    registry.register("slack", failing)
    clock = FakeClock()
    worker = Worker(db.sessions, settings=settings, registry=registry, clock=clock, jitter=0.0)
    base = settings.outbox_backoff_base_s
    for attempt, delay in ((1, base), (2, 2 * base), (3, 4 * base)):
        assert await worker.run_once() == 1
        row = _row(db, row_id)
        assert (row.status, row.attempts) == ("pending", attempt)
        assert row.next_attempt_at == clock.now + timedelta(seconds=delay)
        assert "ConnectionError: slack is down" in (row.last_error or "")
        clock.advance(delay - 1)
        assert await worker.run_once() == 0, "not before the backoff"
        clock.advance(1)
    assert await worker.run_once() == 1
    row = _row(db, row_id)
    assert (row.status, row.attempts) == ("dead", settings.outbox_max_attempts)
    assert calls == [1, 2, 3, 4]
    clock.advance(10_000)
    assert await worker.run_once() == 0, "dead rows are never sent again"

    permanent_id = _enqueue(db, channel="slack", key="notice-2")

    async def unknown_user(delivery: Delivery) -> None:
        raise PermanentDeliveryError("no such Slack user")

    registry.register("slack", unknown_user)
    assert await worker.run_once() == 1
    assert _row(db, permanent_id).status == "dead"

    later_id = _enqueue(db, channel="slack", key="notice-3")
    sent: list[str] = []

    async def recovers(delivery: Delivery) -> None:
        if delivery.attempt == 1:
            raise TimeoutError("slow")
        sent.append(delivery.idempotency_key)

    registry.register("slack", recovers)
    await worker.run_once()
    clock.advance(base)
    await worker.run_once()
    assert _row(db, later_id).status == "sent" and sent == ["notice-3"]


def check_unregistered_channel_waits(db: Database, settings: Settings) -> None:
    """A worker claims only rows of channels it can send: others wait for a worker that can."""
    row_id = _enqueue(db, channel="kakao", key="kakao-1")
    registry = SenderRegistry()
    registry.register("web", InboxSender(db.sessions))
    assert Worker(db.sessions, settings=settings, registry=registry).claim() == []
    assert _row(db, row_id).status == "pending"


def check_many_workers(
    db: Database, settings: Settings, *, workers: int = 4, rows: int = 120
) -> Counter[str]:
    """Several workers drain one outbox concurrently: every row is sent exactly once."""
    with db.session_scope() as s:
        for i in range(rows):
            enqueue(
                s,
                channel="web",
                kind="notice",
                recipient={"user_id": f"u{i % 7}"},
                payload={"i": i},
                idempotency_key=f"bulk-{i}",
            )
    received: Counter[str] = Counter()
    by_worker: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(workers)

    def run(name: str) -> None:
        async def counting(delivery: Delivery) -> None:  # NOT idempotent: counts every send
            with lock:
                received[delivery.idempotency_key] += 1
                by_worker[name] += 1
            await asyncio.sleep(0.001)

        registry = SenderRegistry()
        registry.register("web", counting)
        worker = Worker(db.sessions, settings=settings, registry=registry, worker_id=name)
        start.wait()
        asyncio.run(worker.drain())

    threads = [threading.Thread(target=run, args=(f"w{i}",)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(received) == rows and set(received.values()) == {1}
    with db.session_scope() as s:
        statuses = Counter(s.scalars(select(OutboxItem.status)))
    assert statuses == Counter({"sent": rows})
    return by_worker


_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from assistant.db import Database
    from assistant.delivery.inbox import InboxSender
    from assistant.delivery.outbox import SenderRegistry, Worker
    from assistant.settings import Settings

    mode, marker = sys.argv[1], Path(sys.argv[2])
    settings = Settings(_env_file=None)
    db = Database.from_settings(settings)
    inbox = InboxSender(db.sessions)

    async def sender(delivery):
        if mode == "after_receipt":
            await inbox(delivery)
        marker.write_text(delivery.id)
        await asyncio.sleep(600)  # killed here, mid-delivery

    registry = SenderRegistry()
    registry.register("web", sender)
    asyncio.run(Worker(db.sessions, settings=settings, registry=registry, worker_id="doomed").run_once())
    """
)


async def check_sigkill_mid_delivery(db: Database, settings: Settings, tmp_path: Path, *, mode: str) -> None:
    """A real worker process is SIGKILLed mid-delivery; a new worker delivers exactly once."""
    key = f"sigkill-{mode}"
    row_id = _enqueue(db, key=key)
    script, marker = tmp_path / f"child_{mode}.py", tmp_path / f"marker_{mode}"
    script.write_text(_CHILD, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FM_")}
    env.update(FM_DATA_DIR=str(settings.data_dir), FM_OUTBOX_LEASE_S=str(settings.outbox_lease_s))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    if settings.database_url:
        env["FM_DATABASE_URL"] = settings.database_url
    child = subprocess.Popen([sys.executable, str(script), mode, str(marker)], env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, f"worker process exited early ({child.returncode})"
            assert time.monotonic() < deadline, "worker process never started delivering"
            await asyncio.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    row = _row(db, row_id)
    assert (row.status, row.locked_by, row.attempts) == ("sending", "doomed", 1)
    assert _inbox_count(db, key) == (1 if mode == "after_receipt" else 0)
    registry = SenderRegistry()
    registry.register("web", InboxSender(db.sessions))
    clock = FakeClock()
    clock.advance(settings.outbox_lease_s + 1)
    assert await Worker(db.sessions, settings=settings, registry=registry, clock=clock).drain() == 1
    row = _row(db, row_id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert _inbox_count(db, key) == 1, "nothing lost, nothing shown twice"
