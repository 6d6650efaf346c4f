"""Evaluators add golden cases: from a file, or drafted from a real conversation or ticket.

Every new case is checked against the schema in `evals.cases` and against the ids already
in the golden set before anything is written; the golden file is re-read after the
append and restored if it no longer loads.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from evals.cases import GOLDEN_DIR, Case, load_file, load_suite

log = logging.getLogger(__name__)


class CaseError(ValueError):
    """A case (or a file of cases) that cannot be added, with every reason."""


def parse_cases(text: str) -> list[dict[str, Any]]:
    """Cases from YAML or JSON text: `{cases: [...]}`, a list of cases, or one case."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CaseError(f"not valid YAML or JSON: {exc}") from exc
    if isinstance(data, dict) and "cases" in data:
        data = data["cases"]
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise CaseError("expected a case (a mapping), a list of cases, or {cases: [...]}")
    return items


def _explain(error: ValidationError) -> list[str]:
    out = []
    for e in error.errors():
        where = ".".join(str(p) for p in e["loc"])
        msg = str(e["msg"]).removeprefix("Value error, ")
        out.append(f"{where}: {msg}" if where else msg)
    return out


def validate_cases(raw: list[dict[str, Any]], existing_ids: set[str]) -> list[Case]:
    """Schema-checked cases; raises `CaseError` listing every problem of every case."""
    cases: list[Case] = []
    problems: list[str] = []
    seen = set(existing_ids)
    for i, item in enumerate(raw, start=1):
        label = f"case {i} ({item.get('id', 'no id')})"
        try:
            case = Case.model_validate(item)
        except ValidationError as exc:
            problems += [f"{label}: {p}" for p in _explain(exc)]
            continue
        if case.id in seen:
            problems.append(f"{label}: the id {case.id} is already in the golden set")
        seen.add(case.id)
        cases.append(case)
    if problems:
        raise CaseError("refused:\n" + "\n".join(f"- {p}" for p in problems))
    return cases


def target_for(case: Case, golden_dir: Path = GOLDEN_DIR) -> Path:
    """The golden file whose cases share this case's id prefix (pol-, sub-, ...)."""
    prefix = case.id.split("-")[0]
    for path in sorted(golden_dir.glob("*.yaml")):
        if any(c.id.split("-")[0] == prefix for c in load_file(path)):
            return path
    raise CaseError(f"no golden file holds {prefix}- cases yet; name one with --to")


def _yaml_items(cases: list[Case]) -> str:
    dumped = yaml.safe_dump([c.model_dump(mode="json") for c in cases], allow_unicode=True,
                            sort_keys=False, width=1000)
    return "".join(f"  {line}\n" if line else "\n" for line in dumped.splitlines())


def append_cases(cases: list[Case], target: Path) -> None:
    """Append under the file's `cases:` list; restore the file if it no longer loads."""
    before = target.read_text(encoding="utf-8") if target.exists() else "cases:\n"
    text = before if before.endswith("\n") else before + "\n"
    target.write_text(text + _yaml_items(cases), encoding="utf-8")
    try:
        load_file(target)
    except (ValidationError, ValueError, yaml.YAMLError) as exc:
        target.write_text(before, encoding="utf-8")
        raise CaseError(f"{target} would no longer load ({exc}); left unchanged") from exc
    log.info("added %s to %s", ", ".join(c.id for c in cases), target)


def add_cases(source: Path, *, golden_dir: Path = GOLDEN_DIR, to: Path | None = None) -> list[tuple[str, Path]]:
    """Validate the cases in `source` and append each to its golden file; (id, file) pairs."""
    cases = validate_cases(parse_cases(source.read_text(encoding="utf-8")),
                           {c.id for c in load_suite(golden_dir)})
    by_file: dict[Path, list[Case]] = {}
    for case in cases:
        by_file.setdefault(to or target_for(case, golden_dir), []).append(case)
    for path, group in by_file.items():
        append_cases(group, path)
    return [(c.id, path) for path, group in by_file.items() for c in group]


def draft(case: dict[str, Any], existing_ids: set[str]) -> tuple[str, list[str]]:
    """An exported case as YAML for an evaluator to complete, and what still keeps it out."""
    try:
        validate_cases([case], existing_ids)
        problems: list[str] = []
    except CaseError as exc:
        problems = [line.removeprefix("- ") for line in str(exc).splitlines()[1:]]
    text = yaml.safe_dump({"cases": [case]}, allow_unicode=True, sort_keys=False, width=1000)
    return text, problems

