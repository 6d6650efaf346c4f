"""Fit the decision's confidence on the golden set and report its calibration.

    python scripts/fit_confidence.py collect --data-dir DIR --out features.jsonl
    python scripts/fit_confidence.py fit features.jsonl

`collect` asks every golden case through the service (as `factory-mentor eval` does) and
writes, per case, the evidence the decision weighs, the decision, the expected decision and
whether the answer states all its key facts. `fit` fits a logistic mapping from the evidence
to "the answer states its key facts" (cases expected to be answered) or "no answer is right"
(cases expected to be escalated with a drafted answer), prints the weights, the expected
calibration error before/after, and the decision figures for candidate thresholds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from pathlib import Path

FEATURES = ("coverage", "support", "dense", "agreement", "unknown")


async def _collect(data_dir: Path, out: Path) -> None:
    from assistant.settings import settings_with
    from assistant.types import Channel, Question
    from evals.cases import load_suite
    from evals.metrics import key_facts
    from evals.runner import build_eval_assistant, ensure_ingested

    settings = settings_with(data_dir=data_dir, database_url=None)
    ensure_ingested(settings)
    assistant = build_eval_assistant(settings)
    with out.open("w", encoding="utf-8") as fh:
        for case in load_suite():
            conversation = None
            for turn in case.turns:
                conversation = (await assistant.aask(Question(text=turn, conversation_id=conversation,
                                                              channel=Channel.api))).conversation_id
            question = Question(text=case.question, conversation_id=conversation, channel=Channel.api)
            prepared = await assistant._prepare(question)
            answer = assistant._extractive_answer(prepared)
            share, _ = key_facts(answer.answer, case.fact_options())
            ev = prepared.evidence
            row = {"id": case.id, "expected": case.expected_decision.value, "decision": answer.decision.value,
                   "reason": answer.reason, "confidence": prepared.confidence, "facts": share,
                   "drafted": bool(prepared.drafted.text), "exact": ev.exact,
                   **{f: getattr(ev, f) for f in FEATURES}}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            print(case.id, row["decision"], row["confidence"], share, file=sys.stderr)


def _label(row: dict) -> int | None:
    """1: the drafted answer is right; 0: it is not; None: not a content decision."""
    if not row["drafted"] or row["exact"] or row["reason"] not in ("supported", "weak_support", "no_supporting_evidence"):
        return None
    if row["expected"] == "answered":
        return 1 if row["facts"] is not None and row["facts"] >= 0.999 else 0
    return 0 if row["expected"] == "escalate" else None


def ece(probs: list[float], labels: list[int], bins: int = 10) -> float:
    total, err = len(probs), 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, p in enumerate(probs) if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        if idx:
            err += len(idx) / total * abs(sum(probs[i] for i in idx) / len(idx) - sum(labels[i] for i in idx) / len(idx))
    return err


def _fit(xs: list[list[float]], ys: list[int], steps: int = 20000, lr: float = 0.5, l2: float = 1e-3):
    w, b = [0.0] * len(xs[0]), 0.0
    n = len(xs)
    for _ in range(steps):
        gw, gb = [0.0] * len(w), 0.0
        for x, y in zip(xs, ys, strict=True):
            p = 1 / (1 + math.exp(-(b + sum(wi * xi for wi, xi in zip(w, x, strict=True)))))
            for j, xj in enumerate(x):
                gw[j] += (p - y) * xj
            gb += p - y
        w = [wi - lr * (g / n + l2 * wi) for wi, g in zip(w, gw, strict=True)]
        b -= lr * gb / n
    return w, b


def _fit_command(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    data = [(r, y) for r in rows if (y := _label(r)) is not None]
    xs = [[r[f] for f in FEATURES] for r, _ in data]
    ys = [y for _, y in data]
    before = [0.5 * r["coverage"] + 0.5 * r["support"] for r, _ in data]  # the formula before the fit
    w, b = _fit(xs, ys)
    after = [1 / (1 + math.exp(-(b + sum(wi * xi for wi, xi in zip(w, x, strict=True))))) for x in xs]
    print(f"cases {len(data)} (right {sum(ys)}), weights {dict(zip(FEATURES, [round(v, 2) for v in w], strict=True))}"
          f" bias {b:.2f}")
    print(f"ECE (10 bins) of the unfitted 0.5·coverage + 0.5·support: {ece(before, ys):.3f}; refitted: {ece(after, ys):.3f}")
    _thresholds(rows, w, b)


_CONTENT = ("supported", "weak_support", "no_supporting_evidence", "out_of_scope_no_evidence")


def _simulate(rows: list[dict], w: list[float], b: float, escalate_below: float, offer_below: float) -> dict:
    """The decisions the thresholds would give (other decisions as recorded)."""
    pairs, correct_held = [], 0
    for r in rows:
        decision = r["decision"]
        if r["reason"] in _CONTENT and r["drafted"] and not r["exact"]:
            p = 1 / (1 + math.exp(-(b + sum(wi * r[f] for wi, f in zip(w, FEATURES, strict=True)))))
            low = "declined" if r["reason"] == "out_of_scope_no_evidence" else "escalate"
            decision = low if p < escalate_below else "offer_expert" if p < offer_below else "answered"
        pairs.append((r["expected"], decision))
        right = r["expected"] == "answered" and r["facts"] is not None and r["facts"] >= 0.999
        correct_held += right and decision in ("offer_expert", "escalate")
    tp = sum(e == a == "escalate" for e, a in pairs)
    predicted, actual = sum(a == "escalate" for _, a in pairs), sum(e == "escalate" for e, _ in pairs)
    right_total = sum(r["expected"] == "answered" and (r["facts"] or 0) >= 0.999 for r in rows)
    return {"accuracy": sum(e == a for e, a in pairs) / len(pairs), "esc_p": tp / max(predicted, 1),
            "esc_r": tp / max(actual, 1), "right_held": correct_held / max(right_total, 1)}


def _thresholds(rows: list[dict], w: list[float], b: float) -> None:
    grid = [round(0.02 * i, 2) for i in range(1, 30)]
    results = []
    for e in grid:
        for o in grid:
            if o >= e:
                results.append((e, o, _simulate(rows, w, b, e, o)))
    ok = [x for x in results if x[2]["right_held"] <= 0.1]
    ok.sort(key=lambda x: (-(x[2]["esc_p"] >= 0.9 and x[2]["esc_r"] >= 0.9), -x[2]["accuracy"]))
    for e, o, m in ok[:8]:
        print(f"escalate_below {e:.2f} offer_expert_below {o:.2f}: " + ", ".join(f"{k} {v:.3f}" for k, v in m.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--data-dir", type=Path, required=True)
    c.add_argument("--out", type=Path, required=True)
    f = sub.add_parser("fit")
    f.add_argument("features", type=Path)
    args = parser.parse_args()
    if args.command == "collect":
        asyncio.run(_collect(args.data_dir, args.out))
    else:
        _fit_command(args.features)


if __name__ == "__main__":
    main()
