"""YAML front matter (a `---` fenced block at the top of a Markdown or text file)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ingestion.documents import LoadError
from ingestion.loaders.budget import Budget, default_budget
from ingestion.loaders.safe_yaml import safe_load

_FENCE = re.compile(r"\A\ufeff?---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(
    text: str, name: str, *, strict: bool = True, budget: Budget | None = None
) -> tuple[dict[str, Any], str]:
    """(front matter mapping, body); a file without front matter gives ({}, text).

    With `strict=False` (plain text, where a leading `---` may just be a rule), a block that is
    not a YAML mapping is left in the body instead of raising LoadError."""
    match = _FENCE.match(text)
    if not match:
        return {}, text
    raw = match.group(1) or ""
    try:
        data = safe_load(raw, budget or default_budget(name)) if raw.strip() else {}
    except yaml.YAMLError as exc:
        if not strict:
            return {}, text
        raise LoadError(
            f"{name}: 문서 머리말(front matter)의 YAML 형식이 잘못되었습니다.", f"front matter YAML error: {exc}"
        ) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        if not strict:
            return {}, text
        raise LoadError(
            f"{name}: 문서 머리말(front matter)은 '이름: 값' 형태여야 합니다.",
            f"front matter is a {type(data).__name__}, not a mapping",
        )
    return data, text[match.end():]


def read_yaml_mapping(text: str, name: str, budget: Budget | None = None) -> dict[str, Any]:
    """A sidecar `.meta.yaml`: one mapping of metadata."""
    try:
        data = safe_load(text, budget or default_budget(name))
    except yaml.YAMLError as exc:
        raise LoadError(f"{name}: 메타데이터 파일의 YAML 형식이 잘못되었습니다.", f"sidecar YAML error: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LoadError(
            f"{name}: 메타데이터 파일은 '이름: 값' 형태여야 합니다.", f"sidecar is a {type(data).__name__}"
        )
    return data
