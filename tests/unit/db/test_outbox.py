from __future__ import annotations

from pathlib import Path

import pytest

from assistant.db.engine import Database
from assistant.outbox import backoff_delay
from assistant.settings import Settings
from tests.unit.db import scenarios_outbox as sc


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
async def test_worker_process_killed_mid_delivery(db: Database, settings: Settings, tmp_path: Path, mode: str) -> None:
    await sc.check_sigkill_mid_delivery(db, settings, tmp_path, mode=mode)
