"""`factory-mentor conversation show ID`: a terminal conversation, with the expert's answer.

The terminal channel tells the owner "답변이 오면 이 대화로 알려 드리겠습니다"; `ask` and `chat`
print this command when a question goes to an expert, and it prints the conversation as
stored: the questions, the bot's answers, and the expert's answer once it has come.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel

from assistant.errors import FMError
from assistant.types import Channel, Decision, Turn
from channels.cli import DataDirOpt, app, build_settings
from channels.runtime import conversations

conversation_app = typer.Typer(help="터미널 대화 보기 (전문가 답변 포함)", no_args_is_help=True)
app.add_typer(conversation_app, name="conversation")
console = Console()
err = Console(stderr=True)

LABELS = {"user": "[bold cyan]나[/bold cyan]", "assistant": "[green]Factory Mentor (자동 답변)[/green]",
          "expert": "[magenta]전문가 답변 · 사람이 직접 작성[/magenta]"}
WAITING = "전문가 답변을 기다리는 중입니다. 답변이 오면 이 명령으로 다시 확인해 주세요."


def show_command(conversation_id: str, data_dir: Path | None = None) -> str:
    """The exact command that prints this conversation later."""
    extra = f" --data-dir {data_dir}" if data_dir else ""
    return f"factory-mentor conversation show {conversation_id}{extra}"


def waiting_for_expert(turns: list[Turn]) -> bool:
    """A question went to an expert and no expert answer came after it."""
    last_escalated = max((i for i, t in enumerate(turns) if t.decision == Decision.escalate), default=-1)
    return last_escalated >= 0 and not any(t.role == "expert" for t in turns[last_escalated:])


def _print_turn(turn: Turn) -> None:
    when = turn.created_at.strftime("%Y-%m-%d %H:%M") if turn.created_at else ""
    console.print(Panel(turn.text, title=LABELS.get(turn.role, turn.role), subtitle=when, title_align="left"))
    for c in turn.citations:
        page = f" p.{c.page}" if c.page else ""
        console.print(f"  [bold][{c.n}][/bold] {c.title} [dim]{c.source}{page}[/dim]")


@conversation_app.command("show")
def show(
    conversation_id: Annotated[str, typer.Argument(help="대화 ID (ask/chat이 알려 준 값)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the turns as JSON")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Print a terminal conversation: questions, answers, and the expert's answer when it came."""
    with conversations(build_settings(data_dir)) as store:
        try:
            owner = store.owner_of(conversation_id)
            if owner.channel != Channel.cli.value:  # other channels' owners read theirs there
                raise FMError("not_a_terminal_conversation", "터미널(ask/chat)에서 시작한 대화가 아닙니다.",
                              f"{conversation_id} is a {owner.channel} conversation")
            turns = store.history(conversation_id, limit=500)
        except FMError as exc:
            err.print(f"[red]{exc.message}[/red] ({exc.code})")
            raise typer.Exit(2) from exc
    waiting = waiting_for_expert(turns)
    if as_json:
        typer.echo(json.dumps({"conversation_id": conversation_id, "waiting_for_expert": waiting,
                               "turns": [t.model_dump(mode="json", exclude_none=True) for t in turns]},
                              ensure_ascii=False))
        return
    for turn in turns:
        _print_turn(turn)
    if waiting:
        console.print(f"[yellow]{WAITING}[/yellow]")
