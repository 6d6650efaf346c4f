"""`factory-mentor bench load`: concurrent chat clients against a real local server."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from channels.cli import DataDirOpt, build_settings
from channels.cli.bench import OutOpt, _write, bench_app, console


@bench_app.command("load")
def bench_load(
    clients: Annotated[int, typer.Option("--clients", min=1, help="Concurrent chat clients")] = 20,
    seconds: Annotated[float, typer.Option("--seconds", min=1, help="How long to keep asking")] = 60.0,
    stream: Annotated[bool, typer.Option("--stream", help="Ask with Accept: text/event-stream")] = False,
    processes: Annotated[str | None, typer.Option("--processes", help="Comma-separated `serve` process counts "
                                                  "measured one after another on one data dir, e.g. 1,2")] = None,
    out: OutOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Requests served, errors and p50/p95 latency of N concurrent chat clients (server on a data-dir copy)."""
    from evals.bench import load

    settings = build_settings(data_dir)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the summary
    console.print(f"[dim]서버를 띄우고 {clients}개 클라이언트로 {seconds:.0f}초 동안 질문합니다...[/dim]")
    name = "load" + ("-sse" if stream else "")
    if processes:
        counts = tuple(int(n) for n in processes.split(",") if n.strip())
        if not counts or min(counts) < 1:
            raise typer.BadParameter("--processes: 1 이상의 정수를 쉼표로 구분해 주세요 (예: 1,2)")
        result = load.run_processes(settings, processes=counts, clients=clients, seconds=seconds, stream=stream)
        _write(out or settings.data_dir / "bench", name + "-processes", result, load.processes_markdown(result))
        errors = sum(r["errors"] for r in result["runs"])
    else:
        result = load.run(settings, clients=clients, seconds=seconds, stream=stream)
        _write(out or settings.data_dir / "bench", name, result, load.to_markdown(result))
        errors = result["errors"]
    if errors:
        raise typer.Exit(1)
