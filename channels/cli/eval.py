"""`factory-mentor eval`: golden-suite runs with a regression gate, and adding cases.

- `eval [--suite PATH | --fast] [--baseline RUN] [--report DIR]`: exit 1 when the gate fails.
- `eval add-case FILE`: validate cases and append them to the golden set.
- `eval export --conversation ID | --ticket ID --token T`: a case drafted from real use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.errors import FMError
from channels.cli import DataDirOpt, app, build_settings
from evals.cases import GOLDEN_DIR, load_suite

if TYPE_CHECKING:
    from evals.evaluate import Outcome

eval_app = typer.Typer(help="Answer-quality evaluation and its regression gate", invoke_without_command=True)
app.add_typer(eval_app, name="eval")
console = Console()
err = Console(stderr=True)

HEADLINE = ("hit@1", "hit@5", "mrr@10", "key_facts", "first_sentence_fact", "english_key_fact", "chrf",
            "citation_validity", "artifacts", "decision_accuracy", "escalate_precision", "escalate_recall",
            "correct_not_answered", "uncovered_declined", "ticket_topic", "ece", "faithfulness", "p95_ms")


def _print_outcome(outcome: Outcome) -> None:
    from evals.compare import baseline_metrics
    from evals.metrics import METRICS
    from evals.report import fmt_value

    run, result = outcome.run, outcome.gate
    base = baseline_metrics(run, outcome.baseline) if outcome.baseline else None
    table = Table(title=f"{run.suite} suite · {len(run.records)} cases · {run.run_id}")
    for col in ("metric", "this run", "baseline", "gate"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for name in HEADLINE:
        check = result.check(name)
        table.add_row(METRICS[name].label, fmt_value(name, run.metrics.get(name)),
                      fmt_value(name, base.get(name)) if base is not None else "", check.status if check else "")
    console.print(table)
    for failure in result.failures:
        err.print(f"[red]gate:[/red] {failure}")
    if outcome.worse:
        console.print(f"[yellow]{len(outcome.worse)} case(s) got worse[/yellow]: "
                      + ", ".join(w.case_id for w in outcome.worse[:15]))
    console.print(f"report: {outcome.report}\nrun: {outcome.run_path}")
    console.print("[green]gate passed[/green]" if result.passed else "[red]gate FAILED[/red]")


@eval_app.callback()
def run(
    ctx: typer.Context,
    suite: Annotated[Path | None, typer.Option("--suite", help="Golden file or folder, or a suite file")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="The fast suite (evals/suites/fast.yaml)")] = False,
    baseline: Annotated[str | None, typer.Option(
        "--baseline", help="Run to compare with: a path or run id; 'none' for none (default: the suite's)")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Report folder")] = None,
    runs_dir: Annotated[Path | None, typer.Option("--runs-dir", help="Where runs are saved")] = None,
    gate: Annotated[Path | None, typer.Option("--gate", help="Gate rules (default: evals/gate.yaml)")] = None,
    knowledge: Annotated[Path | None, typer.Option(
        "--knowledge", help="Knowledge folder synced into the data dir first (default: the shipped one)")] = None,
    llm_metrics: Annotated[bool, typer.Option("--llm-metrics/--no-llm-metrics",
                                              help="ragas' LLM metrics when an LLM is configured")] = True,
    save_baseline: Annotated[bool, typer.Option(
        "--save-baseline", help="Also write this run as the suite's committed baseline")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Run a golden suite through the assistant, gate it against the baseline, write a report."""
    if ctx.invoked_subcommand:
        return
    from evals import suites
    from evals.evaluate import evaluate
    from evals.gate import GATE_FILE
    from evals.runner import KNOWLEDGE_DIR
    from evals.runs import save_run

    settings = build_settings(data_dir)
    chosen = suites.load(suites.FAST_SUITE if fast else suite)
    knowledge_dir = knowledge or KNOWLEDGE_DIR
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(f"{chosen.name} suite", total=len(chosen.cases))
        outcome = evaluate(settings, chosen, baseline=baseline, report_dir=report, runs_dir=runs_dir,
                           knowledge_dir=knowledge_dir, llm_metrics=llm_metrics, rules_path=gate or GATE_FILE,
                           progress=lambda done, total: bar.update(task, completed=done, total=total))
    _print_outcome(outcome)
    if save_baseline:
        console.print(f"baseline written: {save_run(outcome.run, chosen.baseline_path)}")
    raise typer.Exit(0 if outcome.gate.passed else 1)


@eval_app.command("add-case")
def add_case(
    file: Annotated[Path, typer.Argument(help="YAML or JSON: one case, a list, or {cases: [...]}")],
    to: Annotated[Path | None, typer.Option("--to", help="Golden file to append to (default: by id prefix)")] = None,
    golden_dir: Annotated[Path, typer.Option("--golden-dir", help="Golden folder")] = GOLDEN_DIR,
) -> None:
    """Validate cases against the golden schema and append them to the golden set."""
    from evals.casebook import CaseError, add_cases

    if not file.is_file():
        err.print(f"[red]파일을 찾을 수 없습니다:[/red] {file}")
        raise typer.Exit(2)
    try:
        added = add_cases(file, golden_dir=golden_dir, to=to)
    except CaseError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    for case_id, path in added:
        console.print(f"[green]added[/green] {case_id} → {path}")


@eval_app.command("export")
def export(
    token: Annotated[str, typer.Option("--token", help="An evaluator's (or admin's) staff API token")],
    conversation: Annotated[str | None, typer.Option("--conversation", help="Conversation id")] = None,
    ticket: Annotated[str | None, typer.Option("--ticket", help="Ticket id")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the draft case here (YAML)")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Draft a golden case from a real conversation or ticket (complete it, then `eval add-case`)."""
    from evals.casebook import draft
    from evals.runner import build_eval_assistant

    if bool(conversation) == bool(ticket):
        raise typer.BadParameter("--conversation 또는 --ticket 중 하나만 지정해 주세요.")
    desk = build_eval_assistant(build_settings(data_dir)).desk
    try:
        case = desk.export_case(desk.authenticate(token), conversation_id=conversation, ticket_id=ticket)
    except FMError as exc:
        err.print(f"[red]{exc.message}[/red] ({exc.code})")
        raise typer.Exit(2) from exc
    text, problems = draft(case, {c.id for c in load_suite(GOLDEN_DIR)})
    if out:
        out.write_text(text, encoding="utf-8")
        console.print(f"draft written: {out}")
    else:
        typer.echo(text)
    for problem in problems:
        err.print(f"[yellow]to complete before add-case:[/yellow] {problem}")


@eval_app.command("topics")
def topics(
    suite: Annotated[Path | None, typer.Option("--suite", help="Golden file or folder (default: all)")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Ticket topic accuracy on the golden cases that escalate and name an expected topic."""
    from evals.topics import run_topics, topic_cases

    cases = topic_cases(suite)
    if not cases:
        err.print("[red]expected_topic가 있는 케이스가 없습니다.[/red]")
        raise typer.Exit(2)
    result = run_topics(build_settings(data_dir), cases)
    table = Table(title=f"ticket topics · {len(cases)} cases")
    for col in ("case", "question", "expected", "ticket"):
        table.add_column(col)
    for r in result.records:
        got = r.ticket_topic or f"(no ticket: {r.decision or r.error})"
        mark = "" if r.ticket_topic is None else ("[green]✓[/green] " if got == r.expected_topic else "[red]✗[/red] ")
        table.add_row(r.id, r.question[:40], r.expected_topic or "", mark + got)
    console.print(table)
    accuracy = result.accuracy
    shown = f"{accuracy:.3f}" if accuracy is not None else "n/a"
    console.print(f"ticket topic accuracy: {shown} over {len(result.scored)} tickets "
                  f"({len(result.without_ticket)} case(s) opened no ticket)")
