"""`factory-mentor serve`: the web chat, the staff console and the HTTP API (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from channels.cli import DataDirOpt, app, build_settings

console = Console(stderr=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on (default: FM_WEB_HOST or "
                                                            "127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default: FM_WEB_PORT or 8000)")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Serve the web chat (/), the staff console (/console) and the API (/docs)."""
    import uvicorn

    from channels.web.app import create_app
    from channels.web.startup import startup_summary

    settings = build_settings(data_dir, web_host=host, web_port=port)
    console.print(f"Factory Mentor: http://{settings.web_host}:{settings.web_port}/ "
                  f"(직원 콘솔 /console, API 문서 /docs)")
    summary = startup_summary(settings)
    for line in summary.lines:
        console.print(f"  {line}")
    for warning in summary.warnings:
        console.print(f"  [yellow]warning:[/yellow] {warning}")
    # open event streams end on their own within a minute; don't let them hold a restart longer than 10 s
    uvicorn.run(create_app(settings), host=settings.web_host, port=settings.web_port,
                log_level=settings.log_level.lower(), proxy_headers=False, timeout_graceful_shutdown=10)
