"""HWP 5.0 body records: the record stream of a BodyText/Section* stream, as a tree, to text.

Record header (32 bits, little-endian): tag id (bits 0-9), level (bits 10-19), size (bits
20-31); a size of 0xFFF means the real size follows as another 32-bit value. A paragraph is a
PARA_HEADER whose children (one level deeper) are its PARA_TEXT and its controls
(CTRL_HEADER); a table control holds a TABLE record, then per cell a LIST_HEADER followed by
the cell's own PARA_HEADERs.

PARA_TEXT is UTF-16LE. Code units 0-31 are controls: "char" controls take one unit (0, 10 line
break, 13 paragraph end, 24-31: hyphen, reserved, non-breaking and fixed-width spaces); "inline"
(4-9, 19-20) and "extended" (1-3, 11-12, 14-18, 21-23) controls take eight units: the code, six
units of parameters (for extended ones, a pointer to the control's CTRL_HEADER), the code again.
"""

from __future__ import annotations

import logging
import struct
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ingestion.documents import LoadError
from ingestion.loaders.base import collapse_spaces, table_row
from ingestion.loaders.budget import Budget

log = logging.getLogger(__name__)

HWPTAG_BEGIN = 0x10
TAG_PARA_HEADER = HWPTAG_BEGIN + 50  # 66
TAG_PARA_TEXT = HWPTAG_BEGIN + 51  # 67
TAG_CTRL_HEADER = HWPTAG_BEGIN + 55  # 71
TAG_LIST_HEADER = HWPTAG_BEGIN + 56  # 72
TAG_TABLE = HWPTAG_BEGIN + 61  # 77
MAX_LEVEL = 100  # real documents nest a few levels; the walk below recurses once per level

_ONE_UNIT_CONTROLS = frozenset({0, 10, 13, *range(24, 32)})
_CONTROL_TEXT = {9: " ", 10: "\n", 24: "-", 30: " ", 31: " "}  # tab, line break, hyphen, spaces
_SKIPPED_CONTROLS = {"head", "foot"}  # page headers and footers repeat on every page


@dataclass
class Record:
    tag: int
    level: int
    data: bytes
    children: list[Record] = field(default_factory=list)


def iter_records(data: bytes, name: str, budget: Budget | None = None) -> Iterator[Record]:
    """Records in stream order; each is charged to the budget, and nesting past MAX_LEVEL is refused."""
    pos, end = 0, len(data)
    while pos + 4 <= end:
        (header,) = struct.unpack_from("<I", data, pos)
        pos += 4
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, header >> 20
        if size == 0xFFF:
            if pos + 4 > end:
                break
            (size,) = struct.unpack_from("<I", data, pos)
            pos += 4
        if pos + size > end:
            log.warning("%s: truncated HWP record (tag %d), rest of the section ignored", name, tag)
            break
        if level > MAX_LEVEL:
            raise LoadError(f"{name}: HWP 파일이 손상되었거나 구조가 너무 깊게 중첩되어 읽을 수 없습니다.",
                            f"record level {level} over {MAX_LEVEL}")
        if budget is not None:
            budget.items()
        yield Record(tag, level, data[pos:pos + size])
        pos += size


def build_tree(records: Iterator[Record]) -> list[Record]:
    """Nest records by level: each record is a child of the last one with a lower level."""
    roots: list[Record] = []
    stack: list[Record] = []
    for record in records:
        while stack and stack[-1].level >= record.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(record)
        stack.append(record)
    return roots


def decode_para_text(data: bytes) -> str:
    count = len(data) // 2
    units = struct.unpack(f"<{count}H", data[: count * 2])
    out = bytearray()
    i = 0
    while i < count:
        code = units[i]
        if code >= 32:
            out += struct.pack("<H", code)
            i += 1
            continue
        replacement = _CONTROL_TEXT.get(code)
        if replacement:
            out += replacement.encode("utf-16-le")
        i += 1 if code in _ONE_UNIT_CONTROLS else 8
    return out.decode("utf-16-le", errors="replace")


def ctrl_id(record: Record) -> str:
    """A control's four-character id ("tbl ", "gso ", "secd"...), stored as a little-endian DWORD."""
    return record.data[:4][::-1].decode("latin-1") if len(record.data) >= 4 else ""


def paragraph_lines(para: Record, emit: Callable[[str], None]) -> None:
    """A paragraph's text (an empty line for an empty paragraph), then its tables and text boxes."""
    texts = [decode_para_text(c.data) for c in para.children if c.tag == TAG_PARA_TEXT]
    text = "".join(texts)
    lines = [collapse_spaces(line) for line in text.split("\n")]
    emit("\n".join(lines).strip())
    for child in para.children:
        if child.tag != TAG_CTRL_HEADER:
            continue
        kind = ctrl_id(child)
        if kind == "tbl ":
            _table(child, emit)
        elif kind not in _SKIPPED_CONTROLS:
            _nested_paragraphs(child, emit)  # text boxes, footnotes, endnotes, hidden comments


def _nested_paragraphs(record: Record, emit: Callable[[str], None]) -> None:
    for child in record.children:
        if child.tag == TAG_PARA_HEADER:
            paragraph_lines(child, emit)
        else:
            _nested_paragraphs(child, emit)


def _table(ctrl: Record, emit: Callable[[str], None]) -> None:
    rows, cols = 0, 0
    cells: list[tuple[int, int, list[str]]] = []  # (row, column, lines)
    for child in ctrl.children:
        if child.tag == TAG_TABLE and len(child.data) >= 8:
            rows, cols = struct.unpack_from("<HH", child.data, 4)
        elif child.tag == TAG_LIST_HEADER:
            # cell list header: paragraph count, flags, then column and row address
            col, row = struct.unpack_from("<HH", child.data, 8) if len(child.data) >= 12 else (len(cells), 0)
            cells.append((row, col, []))
            for nested in child.children:  # some writers nest the cell's paragraphs
                if nested.tag == TAG_PARA_HEADER:
                    paragraph_lines(nested, cells[-1][2].append)
        elif child.tag == TAG_PARA_HEADER and cells:
            paragraph_lines(child, cells[-1][2].append)
    if not cells:
        return
    if cols == 1 or (cols == 0 and all(c == 0 for _, c, _ in cells)):
        for _, _, lines in cells:  # a one-column table is usually a framed box of text
            for line in lines:
                if line:
                    emit(line)
        return
    by_row: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row, col, lines in cells:
        by_row[row].append((col, " ".join(line for line in lines if line)))
    for row in sorted(by_row):
        text = table_row([cell for _, cell in sorted(by_row[row])])
        if text:
            emit(text)
    log.debug("table %dx%d with %d cells", rows, cols, len(cells))
