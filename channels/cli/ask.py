"""`factory-mentor ask` and `factory-mentor chat`: the terminal channel."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel

from assistant.errors import FMError
from assistant.types import Answer, Channel, Decision, Question
from channels.cli import DataDirOpt, app, build_settings
from channels.cli.conversation import show_command
from channels.runtime import Runtime

console = Console()
err = Console(stderr=True)

_DECISION_LABEL = {
    Decision.answered: "[green]답변[/green]",
    Decision.offer_expert: "[yellow]답변 (근거 약함: 전문가 연결 가능)[/yellow]",
    Decision.escalate: "[magenta]전문가 연결[/magenta]",
    Decision.declined: "[dim]범위 밖[/dim]",
}


def _print(answer: Answer, data_dir: Path | None = None) -> None:
    console.print(Panel(answer.answer, title=_DECISION_LABEL[answer.decision],
                        subtitle=f"신뢰도 {answer.confidence:.2f} · {answer.mode.value}"))
    for c in answer.citations:
        page = f" p.{c.page}" if c.page else ""
        console.print(f"  [bold][{c.n}][/bold] {c.title} [dim]{c.source}{page}[/dim]")
    if answer.ticket_id:
        console.print(f"  [dim]티켓 {answer.ticket_id}[/dim]")
    console.print(f"[dim]대화 ID: {answer.conversation_id}[/dim]")
    if answer.decision == Decision.escalate and answer.conversation_id:
        console.print("전문가 답변이 오면 이 명령으로 볼 수 있습니다:")
        console.print(show_command(answer.conversation_id, data_dir), markup=False, highlight=False, soft_wrap=True)


def _lines(batch: str) -> list[str]:
    stream = sys.stdin if batch == "-" else Path(batch).open(encoding="utf-8")
    with stream:
        return [line.strip() for line in stream if line.strip()]


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="질문")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer object as JSON")] = False,
    conversation: Annotated[str | None, typer.Option("--conversation", help="Continue this conversation")] = None,
    batch: Annotated[str | None, typer.Option("--batch", help="File with one question per line, - for stdin")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Ask one question (or a batch), get a cited answer."""
    if not question and not batch:
        raise typer.BadParameter("질문을 주거나 --batch FILE 을 지정해 주세요.")
    settings = build_settings(data_dir)
    assistant = Runtime(settings).assistant
    questions = _lines(batch) if batch else [question or ""]
    failed = 0
    for text in questions:
        try:
            answer = assistant.ask(Question(text=text, conversation_id=conversation, channel=Channel.cli))
        except FMError as exc:
            failed += 1
            if as_json:
                typer.echo(json.dumps({"error": exc.to_dict(), "question": text}, ensure_ascii=False))
            else:
                err.print(f"[red]{exc.message}[/red]")
            continue
        if as_json:
            typer.echo(json.dumps({**answer.public(), "conversation_id": answer.conversation_id},
                                  ensure_ascii=False))
        else:
            _print(answer, data_dir)
    if failed and not batch:
        raise typer.Exit(2)


@app.command()
def chat(data_dir: DataDirOpt = None) -> None:
    """A conversation in the terminal (빈 줄 또는 Ctrl-D로 끝내기)."""
    settings = build_settings(data_dir)
    assistant = Runtime(settings).assistant
    conversation: str | None = None
    console.print("[bold]Factory Mentor[/bold] · 스마트공장 질문을 입력하세요. 빈 줄이면 끝납니다.")
    while True:
        try:
            text = console.input("[bold cyan]질문> [/bold cyan]").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not text:
            break
        try:
            answer = assistant.ask(Question(text=text, conversation_id=conversation, channel=Channel.cli))
        except FMError as exc:
            err.print(f"[red]{exc.message}[/red]")
            continue
        conversation = answer.conversation_id
        _print(answer, data_dir)
