"""A run saved as JSON: settings, headline metrics, metrics by group, and every case's record.

`load_run` takes a path or a run id (looked up in a runs folder); the committed baselines
in `evals/baselines/` are runs like any other.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from assistant.settings import Settings
from evals.records import CaseRecord, Score

log = logging.getLogger(__name__)

SETTINGS_SNAPSHOT = (
    "embedding_model", "chunk_size", "chunk_overlap", "retrieval_k", "retrieval_candidates", "rerank_hits",
    "rerank_weight", "fusion",
    "rrf_k", "keyword_weight", "dense_weight", "dedup_threshold", "escalate_below", "offer_expert_below",
    "llm_model",
)


class Run(BaseModel):
    run_id: str
    created_at: str
    suite: str
    suite_source: str = ""
    settings: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, Score] = Field(default_factory=dict)
    by_kind: dict[str, dict[str, Score]] = Field(default_factory=dict)
    by_type: dict[str, dict[str, Score]] = Field(default_factory=dict)
    by_label: dict[str, dict[str, Score]] = Field(default_factory=dict)  # runs before labels have none
    notes: dict[str, str] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict)
    records: list[CaseRecord] = Field(default_factory=list)

    def record(self, case_id: str) -> CaseRecord | None:
        return next((r for r in self.records if r.id == case_id), None)

    def to_json(self) -> str:
        data = self.model_dump(exclude={"records"})
        data["metrics"] = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.metrics.items()}
        data["timings"] = {k: round(v, 2) for k, v in self.timings.items()}
        head = json.dumps({**data, "records": []}, ensure_ascii=False, indent=1)
        lines = ",\n".join("  " + json.dumps(r.compact(), ensure_ascii=False) for r in self.records)
        body = f"[\n{lines}\n ]" if lines else "[]"
        return head[: head.rindex('"records": []')] + f'"records": {body}\n}}\n'  # one record a line


def new_run_id(suite: str, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now.strftime('%Y%m%d-%H%M%S')}-{suite}"


def settings_snapshot(settings: Settings) -> dict[str, Any]:
    """The knobs that change answers (never URLs or secrets); thresholds as in force (the
    model's fitted ones unless the settings set them)."""
    from assistant.answers.decision import calibration_for

    snapshot = {name: getattr(settings, name) for name in SETTINGS_SNAPSHOT}
    calibration = calibration_for(settings)
    snapshot.update(escalate_below=calibration.escalate_below, offer_expert_below=calibration.offer_expert_below)
    return snapshot


def save_run(run: Run, path: Path) -> Path:
    """Write to `path` (a .json file, or a folder where <run_id>.json is written)."""
    target = path if path.suffix == ".json" else path / f"{run.run_id}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(run.to_json(), encoding="utf-8")
    log.info("run %s saved to %s", run.run_id, target)
    return target


def load_run(ref: str | Path, runs_dir: Path | None = None) -> Run:
    """A run by path, or by id in `runs_dir`."""
    candidates = [Path(ref)]
    if runs_dir is not None:
        candidates += [runs_dir / f"{ref}.json", runs_dir / str(ref)]
    for path in candidates:
        if path.is_file():
            return Run.model_validate_json(path.read_text(encoding="utf-8"))
    where = f" or in {runs_dir}" if runs_dir else ""
    raise FileNotFoundError(f"no run {ref!s}: not a file{where}")
