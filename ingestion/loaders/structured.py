"""Supplier profiles in .csv, .json and .yaml/.yml: one document per row or object."""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass
from typing import Any

import yaml

from ingestion.documents import Block, LoadError
from ingestion.loaders.budget import Budget, default_budget
from ingestion.loaders.encoding import decode_text
from ingestion.loaders.safe_yaml import safe_load
from ingestion.loaders.supplier_text import LIST_FIELDS, normalise_keys, render, split_list

log = logging.getLogger(__name__)

STRUCTURED_SUFFIXES = frozenset({".csv", ".json", ".yaml", ".yml"})
_MAX_DEPTH = 32
_METADATA_FIELDS = ("company", "industries", "solutions", "region", "sizes_served", "levels",
                    "certifications", "contact", "founded", "employees")


@dataclass
class Profile:
    id: str
    title: str
    blocks: list[Block]
    metadata: dict[str, Any]


def extract_profiles(data: bytes, name: str, suffix: str, budget: Budget | None = None) -> list[Profile]:
    budget = budget or default_budget(name)
    records = _records(data, name, suffix, budget)
    profiles: list[Profile] = []
    ids: set[str] = set()
    for number, raw in enumerate(records, start=1):
        if not isinstance(raw, dict):
            log.warning("%s: item %d is not a mapping, skipped", name, number)
            continue
        record = normalise_keys(raw)
        company = str(record.get("company") or "").strip()
        if not company:
            log.warning("%s: item %d has no company name, skipped", name, number)
            continue
        pid = str(record.get("id") or "").strip() or str(number)
        if pid in ids:
            log.warning("%s: duplicate id %r, item %d renamed", name, pid, number)
            pid = f"{pid}-{number}"
        ids.add(pid)
        text = render(record)
        budget.chars(len(text))
        profiles.append(Profile(pid, company, [Block(text=text)], _metadata(record, pid)))
    if not profiles:
        raise LoadError(
            f"{name}: 공급기업 프로필을 하나도 찾지 못했습니다. 회사명(company) 항목이 있는지 확인해 주세요.",
            "no valid profile (every item lacks a company name)",
        )
    return profiles


def _records(data: bytes, name: str, suffix: str, budget: Budget) -> list[Any]:
    text = decode_text(data, name)
    budget.expect_chars(len(text))
    if suffix == ".csv":
        return _csv_rows(text, name)
    label = "JSON" if suffix == ".json" else "YAML"
    try:
        loaded = json.loads(text) if suffix == ".json" else safe_load(text, budget)
    except (json.JSONDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise LoadError(f"{name}: {label} 형식이 잘못되어 읽을 수 없습니다.", f"{label} error: {exc!r}"[:500]) from exc
    _check_depth(loaded, name, label)
    if isinstance(loaded, list):
        return loaded
    if isinstance(loaded, dict):
        for key in ("profiles", "suppliers", "items", "data"):
            if isinstance(loaded.get(key), list):
                return loaded[key]
        for value in loaded.values():  # a mapping with one list of profiles under any key
            if isinstance(value, list) and value and isinstance(value[0], dict):
                return value
        if "company" in loaded or "회사" in loaded or "회사명" in loaded:
            return [loaded]
    raise LoadError(
        f"{name}: 공급기업 프로필 목록을 찾을 수 없습니다. 항목들의 목록(list)이어야 합니다.",
        f"top level is {type(loaded).__name__}, expected a list of profiles",
    )


def _check_depth(value: Any, name: str, label: str) -> None:
    """Refuse data nested deeper than the renderer walks (it would recurse past the stack)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise LoadError(f"{name}: {label}가 {_MAX_DEPTH}단계보다 깊게 중첩되어 읽지 않습니다.", f"nested deeper than {_MAX_DEPTH}")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _csv_rows(text: str, name: str) -> list[dict[str, Any]]:
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows: list[dict[str, Any]] = []
    try:
        for row in reader:
            cleaned = {str(k).strip(): (v or "").strip() for k, v in row.items() if k is not None}
            if any(cleaned.values()):
                rows.append(cleaned)
    except csv.Error as exc:  # a field past csv's size limit, a NUL byte...
        raise LoadError(f"{name}: CSV 형식이 잘못되어 읽을 수 없습니다.", f"CSV error: {exc}") from exc
    return rows


def _metadata(record: dict[str, Any], pid: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"kind": "supplier", "profile_id": pid}
    for key in _METADATA_FIELDS:
        value = record.get(key)
        if value is None or value == "" or value == []:
            continue
        if key in LIST_FIELDS:
            meta[key] = ",".join(split_list(value))
        elif key == "contact":
            meta[key] = ", ".join(split_list(value)) if not isinstance(value, dict) else ", ".join(
                str(v) for v in value.values() if v not in (None, ""))
        elif key in {"founded", "employees"}:
            meta[key] = _as_int(value)
        else:
            meta[key] = str(value).strip()
    return meta


def _as_int(value: Any) -> int | str:
    try:
        return int(str(value).replace(",", "").strip().rstrip("명년"))
    except ValueError:
        return str(value)
