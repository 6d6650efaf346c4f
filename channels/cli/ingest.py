"""`factory-mentor ingest PATH...` and `factory-mentor search "질의"`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal, cast

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from assistant.errors import FMError
from channels.cli import DataDirOpt, app, build_settings
from channels.runtime import Ingestor, SyncReport, count_files, ingestion, searcher

console = Console()
err = Console(stderr=True)


def _summary(path: Path, report: SyncReport) -> None:
    table = Table(title=f"수집 결과: {path}", show_header=True)
    for col in ("추가", "변경", "그대로", "삭제", "실패", "청크", "시간"):
        table.add_column(col, justify="right")
    table.add_row(
        str(len(report.added)), str(len(report.updated)), str(len(report.unchanged)),
        str(len(report.removed)), str(len(report.failed)), str(report.chunks_written),
        f"{report.seconds:.1f}s",
    )
    console.print(table)
    if report.restored:
        console.print(f"[yellow]검색 저장소에 없던 벡터 {report.restored}개를 다시 채웠습니다.[/yellow]")
    if not report.changed and not report.failed:
        console.print("[green]변경된 파일이 없습니다. 저장소에 쓴 내용이 없습니다 (nothing to do).[/green]")
    for rel, reason in report.failed:
        err.print(f"[red]실패[/red] {rel}: {reason}")
    for rel, reason in report.skipped:
        err.print(f"[yellow]건너뜀[/yellow] {rel}: {reason}")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Folders or files to ingest", exists=False)],
    data_dir: DataDirOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 if any file fails")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Sync folders of documents into the vector store and keyword index (by content hash)."""
    settings = build_settings(data_dir)
    bars: list[tuple[Progress, TaskID, list[int]]] = []  # the current path's bar, task, [queued]

    def embedded(queued: int, done: int) -> None:
        """Texts queued for embedding (not in the vector cache) and embedded: the slow part."""
        if not bars:
            return
        bar, task, queued_total = bars[-1]
        queued_total[0] += queued
        bar.update(task, total=queued_total[0], advance=done, visible=queued_total[0] > 0)

    try:
        with ingestion(settings, on_embed=embedded) as ingestor:
            failed, summaries = _ingest_all(ingestor, paths, as_json, bars)
    except FMError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(summaries, ensure_ascii=False, indent=2))
    if strict and failed:
        raise typer.Exit(1)


def _ingest_all(
    ingestor: Ingestor, paths: list[Path], as_json: bool, bars: list[tuple[Progress, TaskID, list[int]]]
) -> tuple[int, list[dict[str, Any]]]:
    """Sync each path with progress bars (files, and new texts to embed with an estimate);
    (files failed, one summary per path)."""
    failed = 0
    summaries: list[dict[str, Any]] = []
    for path in paths:
        if not path.exists():
            err.print(f"[red]경로를 찾을 수 없습니다:[/red] {path}")
            failed += 1
            continue
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("남은 시간"), TimeRemainingColumn(),
            TextColumn("{task.fields[current]}"),
            console=err, transient=True, disable=as_json,
        ) as bar:
            vectors = bar.add_task("임베딩(새 문장)", total=0, current="", visible=False)
            task = bar.add_task(f"수집 {path}", total=count_files(path), current="")
            bars.append((bar, vectors, [0]))

            def advance(n: int, rel: str, task: TaskID = task, bar: Progress = bar) -> None:
                bar.update(task, advance=n, current=rel)

            report = ingestor.sync(path, progress=advance)
        failed += len(report.failed)
        summaries.append({"path": str(path), **report.as_dict()})
        if not as_json:
            _summary(path, report)
    return failed, summaries


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="질의 (Korean query)")],
    kind: Annotated[str | None, typer.Option("--kind", help="policy|subsidy|supplier|mentoring")] = None,
    region: Annotated[str | None, typer.Option("--region")] = None,
    industry: Annotated[str | None, typer.Option("--industry")] = None,
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=50)] = 5,
    mode: Annotated[str, typer.Option("--mode", help="hybrid|dense|keyword")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Print the best-matching chunks with scores and sources."""
    if mode not in ("hybrid", "dense", "keyword"):
        raise typer.BadParameter("--mode must be hybrid, dense or keyword")
    with searcher(build_settings(data_dir)) as retriever:
        hits = retriever.search(
            query, k, filters={"kind": kind or "", "region": region or "", "industry": industry or ""},
            mode=cast(Literal["hybrid", "dense", "keyword"], mode),
        )
    if as_json:
        typer.echo(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        console.print("검색 결과가 없습니다. 먼저 `factory-mentor ingest`로 문서를 넣었는지 확인해 주세요.")
        return
    for i, h in enumerate(hits, start=1):
        page = f" p.{h.chunk.page}" if h.chunk.page else ""
        console.print(f"[bold]{i}. {h.chunk.title}[/bold] [dim]({h.chunk.kind}) {h.chunk.source}{page} "
                      f"score={h.score:.3f}[/dim]")
        console.print(h.chunk.text[:300], markup=False)
        console.print()
