"""The durable inbox of received events on a real SQLite database: stored once (the row is
the record of the event's id), claimed by one process under a lease, taken again only when
that process is gone, retried with backoff, dead after the last attempt."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from assistant.db.engine import Database
from assistant.db.models import utcnow
from assistant.delivery.received import Received, ReceivedEvents, ReceivedWorker
from assistant.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _store(db: Database, settings: Settings, clock: Clock, name: str, **overrides: object) -> ReceivedEvents:
    tuned = settings.model_copy(update={"inbox_lease_s": 30.0, "outbox_backoff_base_s": 10.0, **overrides})
    return ReceivedEvents(db.sessions, settings=tuned, clock=clock, worker_id=name)


def test_an_event_is_stored_once_and_its_retry_changes_nothing(db: Database, settings: Settings) -> None:
    store = _store(db, settings, Clock(), "a")
    first = store.receive("slack", "C1:1.1", {"event": {"text": "질문입니다"}})
    assert first is not None
    assert store.receive("slack", "C1:1.1", {"event": {"text": "다른 내용"}}) is None  # a retry
    assert store.receive("kakao", "C1:1.1", {}) is not None  # keys are per channel
    (claimed,) = store.claim(["slack"])
    assert (claimed.id, claimed.key, claimed.payload, claimed.attempt) == (
        first, "C1:1.1", {"event": {"text": "질문입니다"}}, 1)


def test_one_claim_per_lease_and_a_dead_process_s_event_is_taken_again(db: Database, settings: Settings) -> None:
    clock = Clock()
    a, b = _store(db, settings, clock, "a"), _store(db, settings, clock, "b")
    event_id = a.receive("slack", "C1:2.2", {"n": 1})
    (mine,) = a.claim(["slack"])
    assert b.claim(["slack"]) == [] and b.claim(["slack"], event_id=event_id) == []  # the lease holds
    clock.advance(31)  # process a died: its lease runs out
    (again,) = b.claim(["slack"])
    assert again.attempt == 2
    assert a.complete(mine) is False  # a's late completion is fenced off
    assert b.complete(again) is True
    clock.advance(3600)
    assert b.claim(["slack"]) == [] and b.counts() == {"done": 1}


def test_failures_back_off_then_the_event_is_dead(db: Database, settings: Settings) -> None:
    clock = Clock()
    store = _store(db, settings, clock, "a", inbox_max_attempts=2)
    store.receive("slack", "C1:3.3", {})
    (first,) = store.claim(["slack"])
    assert store.fail(first, RuntimeError("slack down")) == "pending"
    assert store.claim(["slack"]) == []  # not before the backoff
    clock.advance(12)
    (second,) = store.claim(["slack"])
    assert store.fail(second, RuntimeError("slack down")) == "dead"
    clock.advance(3600)
    assert store.claim(["slack"]) == [] and store.counts() == {"dead": 1}


def test_finished_events_are_pruned_after_the_keep_days(db: Database, settings: Settings) -> None:
    clock = Clock()
    store = _store(db, settings, clock, "a", inbox_keep_days=1.0)
    store.receive("slack", "old", {})
    (event,) = store.claim(["slack"])
    store.complete(event)
    store.receive("slack", "waiting", {})
    clock.advance(2 * 86400)
    assert store.prune() == 1  # the finished one; the unprocessed one stays
    assert store.counts() == {"pending": 1}
    assert store.receive("slack", "waiting", {}) is None


def test_the_lease_is_renewed_while_the_handler_runs(db: Database, settings: Settings) -> None:
    """A slow answer outlives the lease several times; nobody else takes the event meanwhile."""
    tuned = settings.model_copy(update={"inbox_lease_s": 0.3})
    mine = ReceivedEvents(db.sessions, settings=tuned, worker_id="mine")  # real time: the renewal runs on it
    other = ReceivedEvents(db.sessions, settings=mine.settings, worker_id="other")
    event_id = mine.receive("slack", "C1:4.4", {})
    assert event_id is not None
    seen: list[Received] = []
    stolen: list[int] = []

    async def slow_handler(event: Received) -> None:
        for _ in range(6):
            await asyncio.sleep(0.2)
            stolen.append(len(await asyncio.to_thread(other.claim, ["slack"])))
        seen.append(event)

    worker = ReceivedWorker(mine, {"slack": slow_handler})
    assert asyncio.run(worker.process(event_id)) == "done"
    assert len(seen) == 1 and stolen == [0] * 6
    assert asyncio.run(ReceivedWorker(other, {"slack": slow_handler}).process(event_id)) == "taken"


def test_a_failing_handler_leaves_the_event_for_a_retry(db: Database, settings: Settings) -> None:
    clock = Clock()
    store = _store(db, settings, clock, "a")
    store.receive("slack", "C1:5.5", {"q": "질문"})
    calls: list[int] = []

    async def flaky(event: Received) -> None:
        calls.append(event.attempt)
        if event.attempt == 1:
            raise ConnectionError("slack unreachable")

    worker = ReceivedWorker(store, {"slack": flaky})
    assert asyncio.run(worker.drain()) == 1
    clock.advance(15)
    assert asyncio.run(worker.drain()) == 1
    assert calls == [1, 2] and store.counts() == {"done": 1}
    assert asyncio.run(ReceivedWorker(store, {"kakao": flaky}).drain()) == 0  # only its own channels
