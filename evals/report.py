"""The report a person reads: an HTML page (plots inlined) and a Markdown summary.

`write_report(run, baseline, gate, out_dir)` writes report.html, report.md, the plots as
PNG files (the Markdown links them) and the run's JSON, and returns the HTML path.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from evals import plots
from evals.answer_metrics import calibration_bins, calibration_pairs
from evals.compare import CaseChange, baseline_metrics, better_count, worse_cases
from evals.gate import GateResult
from evals.metrics import METRICS
from evals.records import Score
from evals.runs import Run, save_run

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
CARDS = ("hit@5", "mrr@10", "key_facts", "first_sentence_fact", "citation_validity", "decision_accuracy", "ece",
         "p95_ms")
THRESHOLDS = ("escalate_below", "offer_expert_below")
MD_WORSE_LIMIT = 30


@dataclass
class Plot:
    name: str
    title: str
    png: bytes

    @property
    def b64(self) -> str:
        return base64.b64encode(self.png).decode()


def fmt_value(metric: str, value: Score) -> str:
    info = METRICS.get(metric)
    if value is None:
        return "not run" if info and info.group == "llm" else "n/a"
    return (info.fmt if info else "{:.3f}").format(value)


def _delta(metric: str, value: Score, base: Score) -> tuple[str, str]:
    if value is None or base is None:
        return "", "same"
    diff = value - base
    if abs(diff) < 5e-4:  # saved runs keep 4 decimals
        return "±0", "same"
    better = (diff > 0) == (METRICS[metric].higher_is_better if metric in METRICS else True)
    text = f"{diff:+.0f}" if metric.endswith("_ms") or metric == "errors" else f"{diff:+.3f}"
    return text, "up" if better else "down"


def metric_rows(run: Run, base: dict[str, Score] | None, gate: GateResult) -> list[dict[str, Any]]:
    rows = []
    for name, info in METRICS.items():
        value, before = run.metrics.get(name), (base or {}).get(name)
        check = gate.check(name)
        delta, cls = _delta(name, value, before)
        rows.append({
            "key": name, "group": info.group, "label": info.label, "value": fmt_value(name, value),
            "baseline": fmt_value(name, before) if base is not None else "", "delta": delta, "cls": cls,
            "rule": check.rule.describe() if check else "", "status": check.status if check else "",
        })
    return rows


def make_plots(run: Run, baseline: Run | None, base: dict[str, Score] | None) -> list[Plot]:
    out = [
        Plot("by_kind", "Metrics by tag kind", plots.by_tag(run.by_kind, "Metrics by tag kind")),
        Plot("by_type", "Metrics by case type", plots.by_tag(run.by_type, "Metrics by case type")),
        Plot("reliability", "Reliability of the confidence", plots.reliability(
            calibration_bins(calibration_pairs(run.records)), run.metrics.get("ece"),
            {k: float(v) for k in THRESHOLDS if isinstance(v := run.settings.get(k), int | float)})),
        Plot("latency", "Latency distribution", plots.latency(
            [r.latency_s for r in run.records if not r.error],
            [r.latency_s for r in baseline.records if not r.error] if baseline else None)),
    ]
    if run.by_label:
        out.insert(2, Plot("by_label", "Metrics by case label", plots.by_tag(run.by_label, "Metrics by case label")))
    if base is not None:
        out.append(Plot("delta", "Change against the baseline", plots.deltas(run.metrics, base)))
    return out


def markdown(run: Run, rows: list[dict[str, Any]], gate: GateResult, worse: list[CaseChange],
             baseline_id: str | None, plot_files: list[tuple[str, str]]) -> str:
    lines = [f"# Answer-quality report: {run.suite} suite", "",
             f"Run `{run.run_id}`, {len(run.records)} cases, "
             + (f"compared with `{baseline_id}`." if baseline_id else "no baseline."), ""]
    lines += ["**Gate: passed**" if gate.passed else "**Gate: FAILED**", ""]
    lines += [f"- {f}" for f in gate.failures] + ([""] if gate.failures else [])
    lines += ["| metric | this run | baseline | change | gate |", "|---|---:|---:|---:|---|"]
    lines += [f"| {r['label']} | {r['value']} | {r['baseline']} | {r['delta']} | {r['status']} |" for r in rows]
    lines += [""] + [f"- {k}: {v}" for k, v in run.notes.items()] + [""]
    if baseline_id:
        lines += [f"## Cases that got worse ({len(worse)})", ""]
        for w in worse[:MD_WORSE_LIMIT]:
            lines.append(f"- **{w.case_id}** {w.question}: {'; '.join(w.reasons)}")
        if len(worse) > MD_WORSE_LIMIT:
            lines.append(f"- … and {len(worse) - MD_WORSE_LIMIT} more (see report.html)")
        lines.append("")
    lines += ["## Plots", ""] + [f"![{title}]({file})" for file, title in plot_files] + [""]
    timings = ", ".join(f"{k} {v:.1f}" for k, v in run.timings.items())
    lines += [f"Timings (s): {timings}", ""]
    return "\n".join(lines)


def write_report(run: Run, baseline: Run | None, gate: GateResult, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    base = baseline_metrics(run, baseline) if baseline else None
    worse = worse_cases(run, baseline) if baseline else []
    rows = metric_rows(run, base, gate)
    figures = make_plots(run, baseline, base)
    plot_files = []
    for fig in figures:
        (out_dir / f"{fig.name}.png").write_bytes(fig.png)
        plot_files.append((f"{fig.name}.png", fig.title))
    baseline_id = baseline.run_id if baseline else None
    cards = [{"label": METRICS[k].label, "value": fmt_value(k, run.metrics.get(k)),
              **dict(zip(("delta", "cls"), _delta(k, run.metrics.get(k), (base or {}).get(k)), strict=True))}
             for k in CARDS]
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    html = env.get_template("report.html").render(
        run=run, gate=gate, rows=rows, cards=cards, worse=worse, better=better_count(run, baseline) if baseline else 0,
        baseline_id=baseline_id, plots=figures, notes=run.notes,
    )
    (out_dir / "report.html").write_text(html, encoding="utf-8")
    (out_dir / "report.md").write_text(markdown(run, rows, gate, worse, baseline_id, plot_files), encoding="utf-8")
    save_run(run, out_dir / "run.json")
    log.info("report written to %s", out_dir)
    return out_dir / "report.html"
