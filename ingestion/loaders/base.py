"""Shared pieces of the format loaders: what a format returns, heading paths, table rows,
Chroma-friendly metadata and zip safety checks."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from ingestion.documents import Block, LoadError

log = logging.getLogger(__name__)

# Archives (DOCX, HWPX) larger than this once unpacked are refused: a zip bomb guard.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000

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

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.headings = HeadingPath()
        self._lines: list[str] = []
        self._heading: str | None = None
        self._page: int | None = None

    def add(self, line: str) -> None:
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


def open_zip(data: bytes, name: str, label: str) -> zipfile.ZipFile:
    """Open an archive after checking it is a zip and not a zip bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise LoadError(f"{name}: {label} 파일이 손상되어 읽을 수 없습니다.", f"bad zip archive: {exc}") from exc
    total = sum(m.file_size for m in members)
    if len(members) > MAX_ZIP_MEMBERS or total > MAX_UNZIPPED_BYTES:
        archive.close()
        raise LoadError(
            f"{name}: {label} 파일의 압축을 풀면 너무 커서 처리하지 않습니다.",
            f"zip too large: {len(members)} members, {total} bytes uncompressed",
        )
    return archive
