"""`factory-mentor bench ...`: speed and quality figures, written to files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from channels.cli import DataDirOpt, app, build_settings

bench_app = typer.Typer(help="Benchmarks; results go to <out>/<name>.json and .md", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
console = Console()

OutOpt = Annotated[Path | None, typer.Option("--out", help="Results folder (default: <data dir>/bench)")]


def _write(out: Path, name: str, result: dict[str, Any], markdown: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / f"{name}.md").write_text(markdown, encoding="utf-8")
    console.print(Markdown(markdown))
    console.print(f"[dim]결과 저장: {out / (name + '.json')}[/dim]")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


@bench_app.command("retrieval")
def bench_retrieval(
    korquad: Annotated[bool, typer.Option("--korquad", help="Run on the KorQuAD 1.0 dev set")] = True,
    korquad_path: Annotated[Path | None, typer.Option("--korquad-path")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Only the first N questions")] = None,
    paragraphs: Annotated[int | None, typer.Option("--paragraphs", help="Only the first N paragraphs "
                                                   "(and their questions)")] = None,
    model: Annotated[str | None, typer.Option("--model", help="Embedding model to measure")] = None,
    baseline: Annotated[bool, typer.Option("--baseline/--no-baseline", help="Also build LangChain's baseline")] = True,
    candidates: Annotated[Path | None, typer.Option("--candidates", help="Write each question's candidates "
                                                     "(for tuning the fusion) to this JSON file")] = None,
    out: OutOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Dense, keyword and hybrid retrieval beside a plain LangChain baseline on KorQuAD."""
    from evals.bench import retrieval

    settings = build_settings(data_dir, embedding_model=model)
    bench_settings = settings.model_copy(update={"data_dir": settings.data_dir / "bench-korquad", "chroma_url": None})
    with _progress() as bar:
        task = bar.add_task("KorQuAD 질문", total=None)
        result = retrieval.run(bench_settings, path=korquad_path, limit=limit, with_baseline=baseline,
                               candidates_to=candidates, paragraphs_limit=paragraphs,
                               progress=lambda _n, done, total: bar.update(task, completed=done, total=total))
    name = f"retrieval-korquad-{result['embedding_model'].lower().replace('/', '-')}"
    _write(out or settings.data_dir / "bench", name, result, retrieval.to_markdown(result))


@bench_app.command("ingest")
def bench_ingest(
    documents: Annotated[int, typer.Option("--documents", min=1)] = 1000,
    model: Annotated[str | None, typer.Option("--model", help="Embedding model to measure")] = None,
    knowledge: Annotated[Path | None, typer.Option("--knowledge", help="Also time this folder from empty")] = None,
    out: OutOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Chunks per second, peak memory and the no-change re-run time on synthetic documents."""
    from evals.bench import ingest as bench

    settings = build_settings(data_dir, embedding_model=model)
    result = bench.run(settings, documents=documents, knowledge=knowledge)
    name = f"ingest-{result['embedding_model'].lower().replace('/', '-')}"
    _write(out or settings.data_dir / "bench", name, result, bench.to_markdown(result))


@bench_app.command("ask")
def bench_ask(
    scales: Annotated[str, typer.Option("--scales", help="Comma-separated chunk counts")] = "1000,10000,100000",
    queries: Annotated[int, typer.Option("--queries", min=1)] = 200,
    knowledge: Annotated[Path, typer.Option("--knowledge")] = Path("knowledge"),
    databases: Annotated[str | None, typer.Option("--databases", help="Catalog databases measured in the same "
                                                  "run, comma-separated: `sqlite` and/or PostgreSQL URLs")] = None,
    out: OutOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """p50/p95 latency of `ask` (extractive) at growing corpus sizes, beside LangChain's baseline."""
    from evals.bench import ask as bench

    settings = build_settings(data_dir)
    bench_settings = settings.model_copy(update={"data_dir": settings.data_dir / "bench-ask", "chroma_url": None})
    sizes = tuple(int(s) for s in scales.split(",") if s.strip())
    progress = lambda msg: console.print(f"[dim]{msg}[/dim]")  # noqa: E731
    if databases:
        by_name = _ask_databases(bench_settings, databases)
        result = bench.run_databases(by_name, knowledge, scales=sizes, queries=queries, progress=progress)
        _write(out or settings.data_dir / "bench", "ask-databases", result, bench.databases_markdown(result))
        return
    result = bench.run(bench_settings, knowledge, scales=sizes, queries=queries, progress=progress)
    _write(out or settings.data_dir / "bench", "ask", result, bench.to_markdown(result))


def _ask_databases(settings: Any, databases: str) -> dict[str, Any]:
    """`sqlite,postgresql://...` -> {"SQLite": settings, "PostgreSQL": settings}: one data dir (the vectors),
    each its own catalog database."""
    by_name: dict[str, Any] = {}
    for item in (d.strip() for d in databases.split(",") if d.strip()):
        if item.lower() == "sqlite":
            name, url = "SQLite", None
        elif item.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            name, url = "PostgreSQL", item
        else:
            raise typer.BadParameter(f"--databases: `sqlite` 또는 PostgreSQL URL만 쓸 수 있습니다 ({item})")
        if name in by_name:
            raise typer.BadParameter(f"--databases: {name}이(가) 두 번 있습니다")
        by_name[name] = settings.model_copy(update={"database_url": url})
    return by_name


@bench_app.command("keyword")
def bench_keyword(
    scales: Annotated[str, typer.Option("--scales", help="Comma-separated chunk counts")] = "10000,100000",
    queries: Annotated[int, typer.Option("--queries", min=1)] = 200,
    database_url: Annotated[str | None, typer.Option("--database-url", help="Also measure on this PostgreSQL "
                                                     "database (its bench_kw_* tables are created and dropped)")] = None,
    knowledge: Annotated[Path, typer.Option("--knowledge")] = Path("knowledge"),
    out: OutOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Shared keyword search: BM25 in SQL over postings vs the in-memory index rebuilt from the database."""
    from evals.bench import keyword as bench

    settings = build_settings(data_dir)
    sizes = tuple(int(s) for s in scales.split(",") if s.strip())
    result = bench.run(settings, knowledge, scales=sizes, queries=queries, database_url_pg=database_url,
                       progress=lambda msg: console.print(f"[dim]{msg}[/dim]"))
    name = "keyword-" + "-".join(f"{n // 1000}k" if n >= 1000 else str(n) for n in sizes)
    _write(out or settings.data_dir / "bench", name, result, bench.to_markdown(result))
