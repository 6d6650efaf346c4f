"""`factory-mentor worker`: deliver the outbox to every configured channel and run the SLA sweep."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Annotated

import typer
from rich.console import Console

from assistant.delivery.loop import BackgroundLoop, last_round_age
from channels.cli import DataDirOpt, app, build_settings
from channels.runtime import Runtime

console = Console()
logger = logging.getLogger(__name__)


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
    check: Annotated[
        bool, typer.Option("--check", help="이 호스트의 worker가 최근에 일했는지 확인 (health check: exit 0 or 1)")
    ] = False,
    max_age_s: Annotated[float, typer.Option("--max-age-s", help="--check: 마지막 라운드 이후 허용 시간(초)")] = 60.0,
    data_dir: DataDirOpt = None,
) -> None:
    """Deliver pending outbox rows (with retries) and run the SLA sweep, until stopped."""
    runtime = Runtime(build_settings(data_dir))
    try:
        if check:
            age = last_round_age(runtime.db)
            if age is None or age > max_age_s:
                console.print(f"worker 응답 없음: 이 호스트에서 {max_age_s:.0f}초 안에 끝난 라운드가 없습니다"
                              + (f" (마지막 {age:.0f}초 전)" if age is not None else ""))
                raise typer.Exit(1)
            console.print(f"worker 정상: 마지막 라운드 {age:.0f}초 전")
            return
        slack = runtime.slack_deps()
        senders = runtime.senders(slack=slack)
        loop = runtime.background_loop(senders, runtime.received_handlers(slack=slack))
        if once:
            result = asyncio.run(loop.run_once(force_sweep=True))
            sweep = result.sweep
            console.print(
                f"전달 {result.delivered}건, 받은 이벤트 처리 {result.handled}건, 재알림 {len(sweep.renotified) if sweep else 0}건, "
                f"재배정 {len(sweep.reassigned) if sweep else 0}건, "
                f"자동 종료 {len(sweep.auto_closed) if sweep else 0}건"
            )
            return
        console.print(f"worker 시작: 채널 {', '.join(senders.channels())} (Ctrl-C로 종료)")
        asyncio.run(_run(loop))
    finally:
        runtime.close()
