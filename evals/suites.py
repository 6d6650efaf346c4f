"""Which cases a run asks: the full golden set, a golden file, or a named selection.

A selection file (`evals/suites/fast.yaml`) holds `name`, an optional `golden` folder
(relative to the file) and `case_ids`; a golden file holds `cases`. Each suite has its
committed baseline run in `evals/baselines/<name>.json`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from evals.cases import GOLDEN_DIR, Case, load_suite

EVALS_DIR = Path(__file__).resolve().parent
SUITES_DIR = EVALS_DIR / "suites"
BASELINES_DIR = EVALS_DIR / "baselines"
FAST_SUITE = SUITES_DIR / "fast.yaml"
FULL = "full"
# the fast suite's sample: cases per type, spread evenly over tag kinds (and decisions)
FAST_PER_TYPE = {"answer": 30, "followup": 12, "unanswerable": 12, "supplier": 10, "human_request": 6}


@dataclass
class Suite:
    name: str
    cases: list[Case]
    source: str

    @property
    def baseline_path(self) -> Path:
        return BASELINES_DIR / f"{self.name}.json"


def _shown(path: Path) -> str:
    """A suite's source as recorded in runs and baselines: relative to the project when inside
    it (a baseline must not carry one machine's folders)."""
    try:
        return str(path.relative_to(EVALS_DIR.parent))
    except ValueError:
        return str(path)


def _selection(path: Path, data: dict[str, Any]) -> Suite:
    golden = (path.parent / data["golden"]).resolve() if data.get("golden") else GOLDEN_DIR
    by_id = {c.id: c for c in load_suite(golden)}
    ids = [str(i) for i in data.get("case_ids") or []]
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise ValueError(f"{path}: unknown case ids {', '.join(unknown)}")
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: a case id is listed twice")
    return Suite(str(data.get("name") or path.stem), [by_id[i] for i in ids], _shown(path))


def load(path: Path | None = None) -> Suite:
    """A suite from a selection file, a golden file or a folder (default: every golden case)."""
    path = (path or GOLDEN_DIR).resolve()
    if path.is_dir():
        return Suite(FULL if path == GOLDEN_DIR else path.name, load_suite(path), _shown(path))
    if not path.exists():
        raise FileNotFoundError(f"no suite at {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if isinstance(data, dict) and "case_ids" in data:
        return _selection(path, data)
    return Suite(path.stem, load_suite(path), _shown(path))


def sample_ids(cases: list[Case], per_type: dict[str, int] | None = None) -> list[str]:
    """A deterministic stratified sample: within each type, cases ordered by (decision,
    kind, id) and taken at evenly spaced positions, so every kind and decision shows up."""
    per_type = per_type or FAST_PER_TYPE
    chosen: list[str] = []
    for type_name, n in per_type.items():
        group = sorted((c for c in cases if c.type.value == type_name),
                       key=lambda c: (c.expected_decision.value, c.tags.kind, c.id))
        if not group:
            continue
        n = min(n, len(group))
        chosen += [group[(i * len(group)) // n].id for i in range(n)]
    return chosen
