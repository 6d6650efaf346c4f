"""Document loaders: one small module per format, dispatched by file suffix.

`load(path, root)` returns LoadedDocuments whose metadata is merged from, lowest priority
first: the kind of the first folder (policies/ -> policy...), the format's own metadata (front
matter, HTML <title>/<meta>, DOCX core properties, PDF info, HWP summary) and a sidecar
`<file>.meta.yaml` beside the file. Structured files (supplier profiles in CSV/JSON/YAML) give
one document per row, with `source` = `<relpath>#<id>`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingestion.documents import FOLDER_KINDS, KINDS, LoadedDocument, LoadError, UnsupportedFormat
from ingestion.loaders import docx, html, hwp, hwpx, markdown, pdf, structured, text
from ingestion.loaders.base import Extracted, clean_metadata, valid_unicode
from ingestion.loaders.budget import Budget, Limits
from ingestion.loaders.encoding import decode_text
from ingestion.loaders.files import read_inside
from ingestion.loaders.frontmatter import read_yaml_mapping

log = logging.getLogger(__name__)

__all__ = ["SUPPORTED_SUFFIXES", "Limits", "is_ingestible", "load"]

_EXTRACTORS: dict[str, Callable[[bytes, str, Budget], Extracted]] = {
    ".md": markdown.extract,
    ".markdown": markdown.extract,
    ".txt": text.extract,
    ".html": html.extract,
    ".htm": html.extract,
    ".pdf": pdf.extract,
    ".docx": docx.extract,
    ".hwpx": hwpx.extract,
    ".hwp": hwp.extract,
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_EXTRACTORS) | structured.STRUCTURED_SUFFIXES
SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml")
_SKIPPED_NAMES = {"readme", "readme.md", "readme.txt", "license", "license.md", "license.txt"}


def is_ingestible(path: Path) -> bool:
    """False for sidecars, hidden or `_`-prefixed files and folders, and folder READMEs.

    Give the path relative to the ingested root. Unknown suffixes are ingestible here, so
    that `load` reports them (UnsupportedFormat) instead of skipping them silently."""
    if any(part.startswith(("_", ".")) for part in Path(path).parts):
        return False
    name = Path(path).name.lower()
    return not name.endswith(SIDECAR_SUFFIXES) and name not in _SKIPPED_NAMES


def load(path: Path, root: Path, limits: Limits | None = None, *, data: bytes | None = None) -> list[LoadedDocument]:
    """Load one file (its bytes given, or read here) within `limits` (the defaults when None);
    raises LoadError (Korean `message`, English `detail`) when it cannot or goes over a budget."""
    path, root = Path(path), Path(root)
    rel = _relpath(path, root)
    budget = Budget(limits or Limits(), rel)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFormat(
            f"{rel}: 지원하지 않는 파일 형식입니다({suffix or '확장자 없음'}). "
            "md, txt, html, pdf, docx, hwp, hwpx, csv, json, yaml 파일을 올려 주세요.",
            f"unsupported suffix {suffix!r}",
        )
    if data is None:
        data = read_inside(path, _seal(path, root), budget)
    else:
        budget.file_size(len(data))
    if not data:
        raise LoadError(f"{rel}: 빈 파일입니다. 내용이 있는 파일을 올려 주세요.", "zero-byte file")

    base: dict[str, Any] = {}
    folders = Path(rel).parts[:-1]
    if folders and folders[0].lower() in FOLDER_KINDS:
        base["kind"] = FOLDER_KINDS[folders[0].lower()]
    sidecar = _sidecar(path, root, budget)

    if suffix in structured.STRUCTURED_SUFFIXES:
        sidecar.pop("title", None)  # a profile's title is its company name
        return [
            _valid(LoadedDocument(f"{rel}#{p.id}", p.title, p.blocks, _merge(rel, base, p.metadata, sidecar)))
            for p in structured.extract_profiles(data, rel, suffix, budget)
        ]

    extracted = _EXTRACTORS[suffix](data, rel, budget)
    blocks = [b for b in extracted.blocks if b.text.strip()]
    if not blocks:
        raise LoadError(f"{rel}: 문서에서 읽을 수 있는 글자를 찾지 못했습니다.", "no text after extraction")
    metadata = _merge(rel, base, extracted.metadata, sidecar)
    title = str(metadata.pop("title", "") or "").strip() or extracted.first_heading or path.stem
    return [_valid(LoadedDocument(rel, title, blocks, metadata))]


def _valid(doc: LoadedDocument) -> LoadedDocument:
    """Every string a document carries, as valid Unicode (what the stores can encode)."""
    doc.title = valid_unicode(doc.title)
    for block in doc.blocks:
        block.text = valid_unicode(block.text)
        block.heading = valid_unicode(block.heading) if block.heading else block.heading
    doc.metadata = {k: valid_unicode(v) if isinstance(v, str) else v for k, v in doc.metadata.items()}
    return doc


def _relpath(path: Path, root: Path) -> str:
    """The path as named under the root (a link keeps its own name), else resolved, else its name."""
    for candidate, base in ((path.absolute(), root.absolute()), (path.resolve(), root.resolve())):
        try:
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.name


def _seal(path: Path, root: Path) -> Path:
    """The folder reads must stay in: the root when the file is named under it, else the
    file's own folder (a file loaded on its own)."""
    try:
        path.absolute().relative_to(root.absolute())
        return root
    except ValueError:
        return path.absolute().parent


def _sidecar(path: Path, root: Path, budget: Budget) -> dict[str, Any]:
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_name(path.name + suffix)
        if candidate.is_file():
            name = budget.name + suffix
            side = Budget(budget.limits, name)
            data = read_inside(candidate, _seal(path, root), side)
            return read_yaml_mapping(decode_text(data, name), name, side)
    return {}


def _merge(rel: str, *layers: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in clean_metadata(layer).items():
            if key == "kind":
                value = str(value).strip().lower()
            if key == "kind" and value not in KINDS:
                log.warning("%s: unknown kind %r ignored (expected one of %s)", rel, value, ", ".join(KINDS))
                continue
            merged[key] = value
    return merged
