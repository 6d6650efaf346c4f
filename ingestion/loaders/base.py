"""Shared pieces of the format loaders: what a format returns, heading paths, table rows,
Chroma-friendly metadata and zip members read inside the file's budget."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ingestion.documents import Block, LoadError
from ingestion.loaders.budget import Budget

log = logging.getLogger(__name__)

MAX_ZIP_MEMBERS = 5000
_PIECE = 256 * 1024  # bytes inflated at a time from an archive member

_SURROGATES = re.compile("[\ud800-\udfff]")  # lone surrogates: not text, and the stores refuse them
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass
class Extracted:
    """What one format module returns for one file."""

    blocks: list[Block]
    metadata: dict[str, Any] = field(default_factory=dict)  # the format's own metadata
    first_heading: str | None = None


class HeadingPath:
    """Tracks the current heading path ("H1 > H2") as headings of various levels arrive."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []
        self.first: str | None = None

    def push(self, level: int, text: str) -> str:
        text = collapse_spaces(text)
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, text))
        if self.first is None and text:
            self.first = text
        return self.path or ""

    @property
    def path(self) -> str | None:
        parts = [t for _, t in self._stack if t]
        return " > ".join(parts) if parts else None


class BlockBuilder:
    """Collects lines under the current heading and closes a block when a new heading starts."""

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget
        self.blocks: list[Block] = []
        self.headings = HeadingPath()
        self._lines: list[str] = []
        self._heading: str | None = None
        self._page: int | None = None

    def add(self, line: str) -> None:
        if self.budget is not None:
            self.budget.chars(len(line) + 1)
        self._lines.append(line)

    def heading(self, level: int, text: str, page: int | None = None) -> None:
        self.flush()
        self.headings.push(level, text)
        self._heading = self.headings.path
        if page is not None:
            self._page = page

    def page(self, page: int | None) -> None:
        self.flush()
        self._page = page

    def flush(self) -> None:
        text = tidy_text("\n".join(self._lines))
        self._lines = []
        if text:
            self.blocks.append(Block(text=text, heading=self._heading, page=self._page))


def valid_unicode(text: str) -> str:
    """Text with lone surrogates (from UTF-7 or undecodable file names) replaced by U+FFFD."""
    return _SURROGATES.sub("\ufffd", text)


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def tidy_text(text: str) -> str:
    """Normalise line ends, trim trailing spaces, keep at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def table_row(cells: list[str]) -> str:
    """One table row as readable text: "셀 | 셀 | 셀" (empty when every cell is empty)."""
    cleaned = [collapse_spaces(c.replace("\n", " ")) for c in cells]
    return " | ".join(cleaned) if any(cleaned) else ""


def clean_value(value: Any) -> str | int | float | bool | None:
    """A metadata value Chroma accepts: lists become "a,b", dates ISO strings, None dropped."""
    if value is None:
        return None
    if isinstance(value, (bool, int, float, str)):
        return value.strip() if isinstance(value, str) else value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        items = [clean_value(v) for v in value]
        joined = ",".join(str(v) for v in items if v is not None and str(v) != "")
        return joined or None
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return str(value)


def clean_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in meta.items():
        cleaned = clean_value(value)
        if cleaned is not None:
            out[str(key)] = cleaned
    return out


def open_zip(data: bytes, name: str, label: str, budget: Budget) -> zipfile.ZipFile:
    """Open an archive after checking it is a zip whose declared sizes fit the budget. The
    declared sizes are only a first filter: members are measured again while they inflate
    (`read_member`), since a header can lie."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise LoadError(f"{name}: {label} 파일이 손상되어 읽을 수 없습니다.", f"bad zip archive: {exc}") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        archive.close()
        raise budget.refuse(f"{label} 파일 안의 항목이 너무 많아({len(members):,}개)", f"{len(members)} zip members")
    declared = sum(m.file_size for m in members)
    if declared > budget.limits.max_unzipped_bytes:
        archive.close()
        budget.unzipped(declared)  # raises with the Korean reason
    return archive


def iter_member(archive: zipfile.ZipFile, member: str, name: str, label: str, budget: Budget) -> Iterator[bytes]:
    """A member's bytes in pieces as they inflate, each piece charged to the budget."""
    try:
        with archive.open(member) as stream:
            while piece := stream.read(_PIECE):
                budget.unzipped(len(piece))
                yield piece
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, zlib.error,
            NotImplementedError, RuntimeError) as exc:
        raise LoadError(f"{name}: {label} 파일이 손상되어 읽을 수 없습니다.", f"{member}: {exc}") from exc


def read_member(archive: zipfile.ZipFile, member: str, name: str, label: str, budget: Budget) -> bytes:
    return b"".join(iter_member(archive, member, name, label, budget))
