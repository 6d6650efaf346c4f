"""`factory-mentor worker`: deliver the outbox and run the SLA sweep."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Annotated

import typer
from rich.console import Console

from assistant.background import BackgroundLoop
from assistant.db import Database, open_database
from assistant.inbox import InboxSender
from assistant.outbox import SenderRegistry, default_registry
from assistant.settings import Settings
from channels.cli import DataDirOpt, app, build_settings

console = Console()
logger = logging.getLogger(__name__)


def build_registry(db: Database, settings: Settings) -> SenderRegistry:
    """The in-app sender for `web`, plus whatever the channels registered."""
    registry = SenderRegistry(dict(default_registry.senders))
    try:  # channel senders (Slack, Kakao ...) register themselves when present
        from channels.senders import register_senders  # type: ignore[import-not-found]
    except ImportError:
        logger.info("no channel senders module; delivering in-app (web) only")
    else:
        register_senders(registry, settings=settings, db=db)
    if registry.get("web") is None:
        registry.register("web", InboxSender(db.sessions))
    return registry


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
