from __future__ import annotations

from pathlib import Path

import pytest

from assistant.db.engine import Database
from assistant.delivery.outbox import backoff_delay
from assistant.settings import Settings
from tests.unit.assistant.delivery import scenarios_outbox as sc


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_delay(n, base_s=5, max_s=30) for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 30, 30]


async def test_worker_dies_before_sending(db: Database, settings: Settings) -> None:
    await sc.check_crash_before_receipt(db, settings)


async def test_worker_dies_after_the_receiver_got_it(db: Database, settings: Settings) -> None:
    await sc.check_crash_after_receipt(db, settings)


async def test_retries_with_backoff_then_dead(db: Database, settings: Settings) -> None:
    await sc.check_retries_then_dead(db, settings)


def test_rows_for_channels_without_a_sender_wait(db: Database, settings: Settings) -> None:
    sc.check_unregistered_channel_waits(db, settings)


def test_several_workers_send_each_row_once(db: Database, settings: Settings) -> None:
    sc.check_many_workers(db, settings)


@pytest.mark.parametrize("mode", ["before_receipt", "after_receipt"])
async def test_worker_process_killed_mid_delivery(
    db: Database, settings: Settings, tmp_path: Path, mode: str
) -> None:
    await sc.check_sigkill_mid_delivery(db, settings, tmp_path, mode=mode)


async def test_background_loop_sweeps_and_delivers(db: Database, settings: Settings) -> None:
    import asyncio
    from datetime import timedelta

    from assistant.delivery.inbox import list_inbox
    from assistant.delivery.loop import BackgroundLoop
    from assistant.wiring import senders_for
    from tests.unit.assistant.db.factories import T0, FakeClock, make_expert, make_ticket

    with db.session_scope() as s:
        expert_id = make_expert(s, name="웹전문가").id  # no handles: notices go to the in-app inbox
        make_ticket(s, settings, now=T0)
    clock = FakeClock(T0 + timedelta(hours=settings.sla_hours_normal, minutes=5))
    loop = BackgroundLoop(
        db, settings=settings, registry=senders_for(db), clock=clock
    )
    first = await loop.run_once()
    assert first.sweep is not None and len(first.sweep.renotified) == 1
    assert first.delivered == 2  # the assignment notice, then the overdue notice
    with db.session_scope() as s:
        kinds = sorted(i.kind for i in list_inbox(s, user_id=expert_id))
    assert kinds == ["ticket_assigned", "ticket_overdue"]
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run(stop))
    await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
