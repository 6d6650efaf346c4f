"""The report's plots as PNG bytes (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from evals.answer_metrics import CalibrationBin  # noqa: E402
from evals.metrics import GROUP_METRICS, METRICS  # noqa: E402
from evals.records import Score  # noqa: E402

DELTA_METRICS = ("hit@1", "hit@5", "mrr@10", "id_context_precision", "id_context_recall", "key_facts",
                 "first_sentence_fact", "english_key_fact", "chrf",
                 "levenshtein", "citation_validity", "supplier@1", "decision_accuracy", "escalate_precision",
                 "escalate_recall", "faithfulness", "response_relevancy", "llm_context_precision")


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def by_tag(groups: dict[str, dict[str, Score]], title: str) -> bytes:
    """Grouped bars: a few metrics for each group of cases (tag kind or case type)."""
    names = list(groups)
    metrics = [m for m in GROUP_METRICS if any(groups[g].get(m) is not None for g in names)]
    fig, ax = plt.subplots(figsize=(max(6.0, 1.4 * len(names) + 2), 4.2))
    width = 0.8 / max(1, len(metrics))
    for i, metric in enumerate(metrics):
        xs = [j + i * width for j in range(len(names))]
        ys = [groups[g].get(metric) or 0.0 for g in names]
        ax.bar(xs, ys, width, label=METRICS[metric].label if metric in METRICS else metric)
    ax.set_xticks([j + width * (len(metrics) - 1) / 2 for j in range(len(names))])
    ax.set_xticklabels([f"{g}\n(n={int(groups[g].get('cases') or 0)})" for g in names], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=len(metrics), loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def latency(current: list[float], baseline: list[float] | None = None) -> bytes:
    """Histogram of per-case latency (ms), the baseline's outline behind it."""
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    ms = [s * 1000 for s in current]
    top = max(ms + [s * 1000 for s in baseline or []] + [1.0])
    bins = [top * i / 30 for i in range(31)]
    if baseline:
        ax.hist([s * 1000 for s in baseline], bins=bins, histtype="step", color="grey", label="baseline")
    ax.hist(ms, bins=bins, alpha=0.75, label="this run")
    ax.set_xlabel("latency per case (ms)")
    ax.set_ylabel("cases")
    ax.set_title("Latency distribution")
    ax.legend(fontsize=8)
    return _png(fig)


def deltas(current: dict[str, Score], baseline: dict[str, Score]) -> bytes:
    """Change of each quality metric against the baseline (green better, red worse)."""
    names = [m for m in DELTA_METRICS if current.get(m) is not None and baseline.get(m) is not None]
    values = [float(current[m]) - float(baseline[m]) for m in names]  # type: ignore[arg-type]
    fig, ax = plt.subplots(figsize=(6.5, max(2.0, 0.3 * len(names) + 1)))
    ax.barh(names, values, color=["#2e7d32" if v >= 0 else "#c62828" for v in values])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("change against the baseline (absolute)")
    ax.set_title("Change against the baseline")
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def reliability(bins: list[CalibrationBin], ece: float | None, thresholds: dict[str, float] | None = None) -> bytes:
    """Reliability diagram: per confidence bin, the share of correct answers against the mean
    confidence (the diagonal is perfect calibration), bar width the bin, the case count
    above each bar; the decision thresholds as dashed lines."""
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
    for b in bins:
        ax.bar(b.low, b.accuracy, width=b.high - b.low, align="edge", color="#1565c0", alpha=0.7,
               edgecolor="white")
        ax.text((b.low + b.high) / 2, min(1.0, b.accuracy) + 0.02, str(b.count), ha="center", fontsize=7)
    ax.plot([b.confidence for b in bins], [b.accuracy for b in bins], "o-", color="#c62828",
            markersize=4, label="correct share at mean confidence")
    for name, value in (thresholds or {}).items():
        ax.axvline(value, color="black", linestyle="--", linewidth=0.8)
        ax.text(value - 0.01, 0.62, f"{name} {value:g}", fontsize=7, rotation=90, ha="right", va="bottom")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.1)
    ax.set_xlabel("confidence")
    ax.set_ylabel("share correct (every key fact stated)")
    ax.set_title("Reliability" + (f" (ECE {ece:.3f})" if ece is not None else " (no cases)"))
    ax.legend(fontsize=7, loc="upper left")
    return _png(fig)
