"""`factory-mentor`: the one command-line entry point (Typer + Rich)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.logs import configure_logging
from assistant.settings import Settings, settings_with

app = typer.Typer(
    name="factory-mentor",
    help="Factory Mentor: 스마트공장 전문가 Q&A 도우미",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)

DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (default: FM_DATA_DIR or ./var)", show_default=False),
]


def build_settings(data_dir: Path | None = None, **overrides: object) -> Settings:
    """Settings from the environment, with command-line flags on top."""
    settings = settings_with(data_dir=data_dir, **overrides)
    configure_logging(settings.log_level)
    return settings


def _register() -> None:
    from channels.cli import (  # noqa: F401  (commands register themselves)
        ask,
        bench,
        bench_load,
        conversation,
        eval,
        ingest,
        serve,
        slack,
        users,
        worker,
    )


def main() -> None:
    _register()
    app()
