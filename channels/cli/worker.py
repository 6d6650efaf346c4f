"""`factory-mentor worker`: deliver the outbox and run the SLA sweep."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import logging
import signal
from typing import Annotated

import typer
from rich.console import Console

from assistant.db import Database, open_database
from assistant.delivery.loop import BackgroundLoop, registry_with_inbox
from assistant.delivery.outbox import SenderRegistry, default_registry
from assistant.settings import Settings
from channels.cli import DataDirOpt, app, build_settings

console = Console()
logger = logging.getLogger(__name__)


def build_registry(db: Database, settings: Settings) -> SenderRegistry:
    """Whatever the channels registered, plus the in-app inbox for web, cli and api."""
    registry = SenderRegistry(dict(default_registry.senders))
    # channel senders (Slack, Kakao ...): `channels/senders.py` defines
    # `register_senders(registry, *, settings, db)` once the channels exist
    if importlib.util.find_spec("channels.senders") is None:
        logger.info("no channel senders module; delivering in-app only")
    else:
        importlib.import_module("channels.senders").register_senders(registry, settings=settings, db=db)
    return registry_with_inbox(db, base=registry)


async def _run(loop: BackgroundLoop) -> None:
    stop = asyncio.Event()
    running = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            running.add_signal_handler(sig, stop.set)
    await loop.run(stop)


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="한 번만 처리하고 종료 (one round, then exit)")
    ] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Deliver pending outbox rows (with retries) and run the SLA sweep, until stopped."""
    settings = build_settings(data_dir)
    db = open_database(settings)
    try:
        registry = build_registry(db, settings)
        loop = BackgroundLoop(db, settings=settings, registry=registry)
        if once:
            result = asyncio.run(loop.run_once(force_sweep=True))
            sweep = result.sweep
            console.print(
                f"전달 {result.delivered}건, 재알림 {len(sweep.renotified) if sweep else 0}건, "
                f"재배정 {len(sweep.reassigned) if sweep else 0}건, "
                f"자동 종료 {len(sweep.auto_closed) if sweep else 0}건"
            )
            return
        console.print(f"worker 시작: 채널 {', '.join(registry.channels())} (Ctrl-C로 종료)")
        asyncio.run(_run(loop))
    finally:
        db.dispose()
