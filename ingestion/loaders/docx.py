"""Word (.docx) with python-docx: paragraphs and tables in body order, heading styles as headings."""

from __future__ import annotations

import io
import logging
import re
from typing import Any
from xml.parsers import expat

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingestion.documents import LoadError
from ingestion.loaders.base import BlockBuilder, Extracted, collapse_spaces, iter_member, open_zip, table_row
from ingestion.loaders.budget import Budget

log = logging.getLogger(__name__)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADING_STYLE = re.compile(r"^(?:heading|제목)\s*(\d)$", re.IGNORECASE)
_BODY = "word/document.xml"
_MAX_DEPTH = 200


def _measure(data: bytes, name: str, budget: Budget) -> None:
    """Inflate every member once, counting bytes as they come (a zip header can lie), and count
    the body's elements, nesting and characters with a streaming parser that keeps no tree."""
    with open_zip(data, name, "DOCX", budget) as archive:
        for member in archive.namelist():
            if member != _BODY:
                for _ in iter_member(archive, member, name, "DOCX", budget):
                    pass
                continue
            counter = _XmlCounter(budget)
            for piece in iter_member(archive, member, name, "DOCX", budget):
                counter.feed(piece, name)


class _XmlCounter:
    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.depth = 0
        self.chars = 0
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text

    def _start(self, tag: str, attrs: dict) -> None:
        self.depth += 1
        self.budget.items()
        if self.depth > _MAX_DEPTH:
            raise self.budget.refuse(f"문서가 {_MAX_DEPTH}단계보다 깊게 중첩되어", f"XML deeper than {_MAX_DEPTH}")

    def _end(self, tag: str) -> None:
        self.depth -= 1

    def _text(self, text: str) -> None:
        self.chars += len(text)
        if self.chars > self.budget.limits.max_chars:
            self.budget.expect_chars(self.chars)

    def feed(self, piece: bytes, name: str) -> None:
        try:
            self.parser.Parse(piece, False)
        except expat.ExpatError as exc:
            raise LoadError(f"{name}: DOCX 파일이 손상되어 읽을 수 없습니다.", f"{_BODY}: {exc}") from exc


def extract(data: bytes, name: str, budget: Budget) -> Extracted:
    if data.startswith(_OLE_MAGIC):
        raise LoadError(
            f"{name}: 암호가 걸렸거나 예전 Word(.doc) 형식인 문서입니다. 암호를 해제하고 .docx로 저장해 다시 올려 주세요.",
            "OLE compound file with a .docx name (encrypted OOXML or legacy .doc)",
        )
    _measure(data, name, budget)  # python-docx unpacks and parses everything: measure it first
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise LoadError(f"{name}: DOCX 파일이 손상되어 읽을 수 없습니다.", f"python-docx: {exc}") from exc
    except Exception as exc:  # lxml and zip errors on damaged parts
        raise LoadError(f"{name}: DOCX 파일이 손상되어 읽을 수 없습니다.", f"python-docx: {type(exc).__name__}: {exc}") from exc

    builder = BlockBuilder(budget)
    styles: dict[str | None, str] = {}  # style id -> name: python-docx looks a style up slowly
    numbered = 0  # position in the current "List Number" run: Word renders those numbers itself
    for item in document.iter_inner_content():  # body XML order: paragraphs interleaved with tables
        if isinstance(item, Table):
            _add_table(builder, item)
            numbered = 0
        elif isinstance(item, Paragraph):
            style_id = item._p.style
            if style_id not in styles:
                styles[style_id] = _style_name(item)
            numbered = _add_paragraph(builder, item, numbered, styles[style_id])
    builder.flush()
    return Extracted(builder.blocks, _metadata(document), builder.headings.first)


def _style_name(paragraph: Paragraph) -> str:
    try:
        return ((paragraph.style.name if paragraph.style is not None else "") or "").strip()
    except (KeyError, ValueError, AttributeError):  # a style id the styles part does not define
        return ""


def _heading_level(style: str) -> int | None:
    if style.lower() == "title" or style == "제목":
        return 0
    match = _HEADING_STYLE.match(style)
    return int(match.group(1)) if match else None


def _add_paragraph(builder: BlockBuilder, paragraph: Paragraph, numbered: int, style_name: str) -> int:
    """Add one paragraph; returns the position in the current numbered list (0 outside one)."""
    text = paragraph.text.replace("\t", " ")
    level = _heading_level(style_name)
    if level is not None and text.strip():
        builder.heading(level, text)
        return 0
    style = style_name.lower()
    if text.strip() and style.startswith("list bullet"):
        text = f"- {text.strip()}"
    elif text.strip() and style.startswith("list number"):
        numbered += 1
        text = f"{numbered}. {text.strip()}"
    builder.add(collapse_spaces(text) if "\n" not in text else text)
    if not style.startswith("list"):
        builder.add("")  # a blank line between ordinary paragraphs, none inside a list
    return numbered if style.startswith("list number") else 0


def _add_table(builder: BlockBuilder, table: Table) -> None:
    for row in table.rows:
        kept: list[Any] = []
        for cell in row.cells:  # a horizontally merged cell repeats: keep it once
            if not kept or kept[-1]._tc is not cell._tc:
                kept.append(cell)
        text = table_row([cell.text for cell in kept])
        if text:
            builder.add(text)
    builder.add("")


def _metadata(document: Any) -> dict[str, Any]:
    props = document.core_properties
    meta: dict[str, Any] = {}
    for attr, key in (("title", "title"), ("subject", "subject"), ("keywords", "tags"), ("category", "category")):
        value = getattr(props, attr, None)
        if value and str(value).strip():
            meta[key] = str(value).strip()
    return meta
