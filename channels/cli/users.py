"""`factory-mentor users add|list|token|revoke`: staff accounts and their API tokens."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.db.enums import Role
from assistant.errors import FMError
from channels.cli import DataDirOpt, app, build_settings
from channels.runtime import staff_accounts

users_app = typer.Typer(help="직원 계정과 API 토큰 (staff users and API tokens)", no_args_is_help=True)
app.add_typer(users_app, name="users")

console = Console()
err = Console(stderr=True)


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _fail(exc: FMError) -> typer.Exit:
    err.print(f"[red]{exc.message}[/red]" + (f" ({exc.detail})" if exc.detail else ""))
    return typer.Exit(1)


def _show_token(token: str, as_json: bool, extra: dict[str, object]) -> None:
    if as_json:
        console.print_json(json.dumps({**extra, "token": token}, ensure_ascii=False))
        return
    console.print(f"API 토큰: [bold]{token}[/bold]", soft_wrap=True, highlight=False)
    console.print("[yellow]이 토큰은 지금 한 번만 표시됩니다. 안전한 곳에 보관하세요.[/yellow]")


@users_app.command("add")
def add(
    name: Annotated[str, typer.Option("--name", help="이름")],
    role: Annotated[Role, typer.Option("--role", help="owner | mentor | expert | admin | evaluator")],
    expertise: Annotated[str | None, typer.Option(help="전문 분야, 쉼표로 구분 (MES,ERP,정책자금)")] = None,
    region: Annotated[str | None, typer.Option(help="지역 (경기, 서울 ...)")] = None,
    regions: Annotated[str | None, typer.Option(help="담당 지역들, 쉼표로 구분 (기본: --region)")] = None,
    capacity: Annotated[int, typer.Option(help="동시에 맡을 수 있는 문의 수")] = 5,
    email: Annotated[str | None, typer.Option(help="이메일")] = None,
    slack_id: Annotated[str | None, typer.Option("--slack-id", help="Slack user id (U123...)")] = None,
    kakao_id: Annotated[str | None, typer.Option("--kakao-id", help="KakaoTalk botUserKey")] = None,
    label: Annotated[str | None, typer.Option(help="토큰 이름")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON으로 출력")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Add a user and print their API token (shown once)."""
    handles = {k: v for k, v in {"slack": slack_id, "kakao": kakao_id, "email": email}.items() if v}
    try:
        with staff_accounts(build_settings(data_dir)) as accounts:
            user, issued = accounts.add_user(
                name=name, role=role.value, email=email, region=region, handles=handles,
                expertise=_split(expertise), regions=_split(regions) if regions else None, capacity=capacity,
                token_label=label,
            )
    except FMError as exc:
        raise _fail(exc) from exc
    if not as_json:
        console.print(f"[green]사용자를 추가했습니다:[/green] {user.name} ({user.role}) id={user.id}")
    _show_token(issued.token, as_json, {"user_id": user.id, "role": user.role, "token_id": issued.token_id})


@users_app.command("list")
def list_(
    role: Annotated[Role | None, typer.Option("--role", help="이 역할만")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="비활성 사용자도 표시")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON으로 출력")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """List users (tokens are never shown, only how many are active)."""
    with staff_accounts(build_settings(data_dir)) as accounts:
        users = accounts.list_users(role=role.value if role else None, include_inactive=show_all)
    rows = [asdict(u) for u in users]
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title="사용자", show_header=True)
    for col in ("id", "이름", "역할", "지역", "전문 분야", "용량", "활성 토큰", "상태"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["id"],
            r["name"],
            r["role"],
            r["region"] or "",
            ", ".join(r["expertise"]),
            "" if r["capacity"] is None else str(r["capacity"]),
            str(r["tokens"]),
            "활성" if r["active"] else "비활성",
        )
    console.print(table)


@users_app.command("token")
def token(
    user_id: Annotated[str, typer.Argument(help="사용자 id")],
    label: Annotated[str | None, typer.Option(help="토큰 이름")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON으로 출력")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Issue another API token for a user (shown once)."""
    try:
        with staff_accounts(build_settings(data_dir)) as accounts:
            issued = accounts.issue_token(user_id, label=label)
    except FMError as exc:
        raise _fail(exc) from exc
    _show_token(issued.token, as_json, {"user_id": issued.user_id, "token_id": issued.token_id})


@users_app.command("revoke")
def revoke(
    target_id: Annotated[str, typer.Argument(help="사용자 id (모든 토큰) 또는 토큰 id")],
    deactivate: Annotated[bool, typer.Option("--deactivate", help="사용자도 비활성화")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Revoke a token, or every token of a user (and optionally deactivate them)."""
    try:
        with staff_accounts(build_settings(data_dir)) as accounts:
            done = accounts.revoke(target_id, deactivate=deactivate)
    except FMError as exc:
        raise _fail(exc) from exc
    messages = {
        "token": f"토큰을 폐기했습니다: {target_id}",
        "user_deactivated": f"사용자를 비활성화하고 모든 토큰을 폐기했습니다: {target_id}",
        "user_tokens": f"사용자 {target_id}의 토큰 {done.count}개를 폐기했습니다.",
    }
    console.print(f"[green]{messages[done.what]}[/green]")
