"""`factory-mentor slack --socket`: the Slack app over Socket Mode (no public URL needed).

HTTP mode needs no command of its own: `factory-mentor serve` answers at /slack/events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Annotated

import typer
from rich.console import Console

from assistant.errors import FMError
from channels.cli import DataDirOpt, app, build_settings
from channels.runtime import Runtime

console = Console(stderr=True)
logger = logging.getLogger(__name__)


async def _run(runtime: Runtime) -> None:
    from channels.slack.socket import socket_handler

    deps = runtime.slack_deps()  # one client and one set of stores for the listeners and the sender
    handler = socket_handler(runtime.settings, runtime.assistant, deps=deps)
    stop = asyncio.Event()
    running = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            running.add_signal_handler(sig, stop.set)
    tasks = []
    if runtime.settings.worker_in_process:
        loop = runtime.background_loop(runtime.senders(slack=deps), runtime.received_handlers(slack=deps))
        tasks.append(asyncio.create_task(loop.run(stop), name="fm-background"))
    await handler.connect_async()
    console.print("Slack Socket Mode 연결됨 (Ctrl-C로 종료)")
    try:
        await stop.wait()
    finally:
        await handler.close_async()
        await asyncio.gather(*tasks, return_exceptions=True)


@app.command()
def slack(
    socket: Annotated[bool, typer.Option("--socket", help="Socket Mode로 연결 (FM_SLACK_APP_TOKEN 필요)")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Run the Slack app in Socket Mode; HTTP mode is served by `serve` at /slack/events."""
    if not socket:
        console.print("HTTP 모드는 `factory-mentor serve`가 /slack/events 로 제공합니다. "
                      "Socket Mode는 `factory-mentor slack --socket` 으로 실행하세요.")
        raise typer.Exit(2)
    from channels.slack.deps import secret

    settings = build_settings(data_dir)
    if not secret(settings.slack_bot_token) or not secret(settings.slack_app_token):
        console.print("[red]FM_SLACK_BOT_TOKEN 과 FM_SLACK_APP_TOKEN 을 설정해 주세요.[/red]")
        raise typer.Exit(1)
    runtime = Runtime(settings)
    try:
        asyncio.run(_run(runtime))
    except FMError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    finally:
        runtime.close()
