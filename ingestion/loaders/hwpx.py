"""HWPX (.hwpx): a zip of OWPML XML parts. Text runs (hp:t) of Contents/section*.xml in
order, tables (hp:tbl) as rows, "개요 N" / "Outline N" paragraph styles as headings, the title
from Contents/content.hpf. Elements are matched by local name, so the 2011 Hancom namespaces
and the later OWPML ones both work."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any, cast

from ingestion.documents import LoadError
from ingestion.loaders.base import (
    BlockBuilder,
    Extracted,
    collapse_spaces,
    iter_member,
    open_zip,
    read_member,
    table_row,
)
from ingestion.loaders.budget import Budget, BudgetExceeded

log = logging.getLogger(__name__)

_SECTION = re.compile(r"^Contents/section(\d+)\.xml$", re.IGNORECASE)
_HEADING_STYLE = re.compile(r"^(?:개요|outline|heading|제목)\s*(\d+)$", re.IGNORECASE)
_MAX_HEADING_CHARS = 80
_SENTENCE_END = ("다.", "요.", "다", "요", ".")  # an outline-styled sentence is body text, not a heading
_MAX_DEPTH = 200  # XML nesting; deeper documents are refused (the walk below recurses)
_SKIP = {"header", "footer", "linesegarray", "secPr", "pageNum", "pageHiding"}  # page furniture


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def extract(data: bytes, name: str, budget: Budget) -> Extracted:
    with open_zip(data, name, "HWPX", budget) as archive:
        names = archive.namelist()
        if "META-INF/manifest.xml" in names and b"encryption-data" in read_member(
                archive, "META-INF/manifest.xml", name, "HWPX", budget):
            raise LoadError(
                f"{name}: 암호가 걸린 HWPX 문서는 읽을 수 없습니다. 암호를 해제한 뒤 다시 올려 주세요.",
                "encrypted HWPX (manifest has encryption-data)",
            )
        sections = sorted((n for n in names if _SECTION.match(n)), key=lambda n: int(m.group(1)) if (m := _SECTION.match(n)) else 0)
        if not sections:
            raise LoadError(f"{name}: HWPX 문서의 본문(section)을 찾을 수 없습니다.", "no Contents/section*.xml")
        metadata = _package_metadata(archive, name, budget) if "Contents/content.hpf" in names else {}
        styles = _heading_styles(archive, name, budget) if "Contents/header.xml" in names else {}
        builder = BlockBuilder(budget)
        for section in sections:
            for child in _top_elements(archive, section, name, budget):
                if _local(child.tag) == "p":
                    _top_paragraph(child, builder, styles)
        builder.flush()
    return Extracted(builder.blocks, metadata, builder.headings.first)


def _refuse_dtd(window: bytes, at_start: bool, name: str, part: str) -> None:
    if b"<!ENTITY" in window or (at_start and b"<!DOCTYPE" in window[:2048]):
        raise LoadError(f"{name}: 허용되지 않는 XML 구성이 있어 읽지 않습니다.", f"{part}: DTD/entities refused")


def _top_elements(archive: zipfile.ZipFile, part: str, name: str, budget: Budget) -> Iterator[ET.Element]:
    """The children of a part's root element, each complete, as the part inflates: only one
    top-level paragraph is held in memory at a time, and every element is charged."""
    parser = ET.XMLPullParser(events=("start", "end"))  # type: ignore[var-annotated]
    root: ET.Element | None = None
    depth, tail, at_start = 0, b"", True
    try:
        for piece in chain(iter_member(archive, part, name, "HWPX", budget), [b""]):
            _refuse_dtd(tail + piece, at_start, name, part)
            at_start, tail = False, piece[-16:]
            if piece:
                parser.feed(piece)
            else:
                parser.close()
            for item in parser.read_events():
                event, el = cast(tuple[str, ET.Element], item)  # start/end events carry elements
                if event == "start":
                    depth += 1
                    root = el if root is None else root
                    budget.items()
                    if depth > _MAX_DEPTH:
                        raise budget.refuse(f"XML이 {_MAX_DEPTH}단계보다 깊게 중첩되어", f"{part}: XML deeper than {_MAX_DEPTH}")
                    continue
                depth -= 1
                if depth == 1 and root is not None:
                    yield el
                    root.remove(el)
    except ET.ParseError as exc:
        raise LoadError(f"{name}: HWPX 파일이 손상되어 읽을 수 없습니다.", f"{part}: XML error: {exc}") from exc


def _parse(data: bytes, name: str, part: str) -> ET.Element:
    _refuse_dtd(data, True, name, part)
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise LoadError(f"{name}: HWPX 파일이 손상되어 읽을 수 없습니다.", f"{part}: XML error: {exc}") from exc


def _package_metadata(archive: zipfile.ZipFile, name: str, budget: Budget) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    try:
        root = _parse(read_member(archive, "Contents/content.hpf", name, "HWPX", budget), name, "content.hpf")
    except BudgetExceeded:
        raise
    except LoadError as exc:
        log.warning("%s: %s", name, exc.detail)
        return meta
    for el in root.iter():
        local = _local(el.tag)
        value = collapse_spaces(el.text or "")
        if not value:
            continue
        if local == "title":
            meta["title"] = value
        elif local == "meta" and el.get("name") in {"subject", "keyword"}:
            meta["subject" if el.get("name") == "subject" else "tags"] = value
    return meta


def _heading_styles(archive: zipfile.ZipFile, name: str, budget: Budget) -> dict[str, int]:
    """Style id -> heading level, for styles named like "개요 1" or "Outline 1"."""
    try:
        root = _parse(read_member(archive, "Contents/header.xml", name, "HWPX", budget), name, "header.xml")
    except BudgetExceeded:
        raise
    except LoadError as exc:
        log.warning("%s: %s", name, exc.detail)
        return {}
    levels: dict[str, int] = {}
    for el in root.iter():
        if _local(el.tag) != "style":
            continue
        for label in (el.get("name") or "", el.get("engName") or ""):
            match = _HEADING_STYLE.match(label.strip())
            if match and el.get("id") is not None:
                levels[el.get("id", "")] = int(match.group(1))
                break
    return levels


def _top_paragraph(p: ET.Element, builder: BlockBuilder, styles: dict[str, int]) -> None:
    lines: list[str] = []
    has_table = _paragraph(p, lines.append)
    level = styles.get(p.get("styleIDRef", ""))
    text = "\n".join(lines).strip()
    if (level is not None and not has_table and text and "\n" not in text
            and len(text) <= _MAX_HEADING_CHARS and not text.endswith(_SENTENCE_END)):
        builder.heading(level, text)
        return
    for line in lines:
        builder.add(line)
    if not lines:
        builder.add("")  # an empty paragraph separates the ones around it


def _paragraph(p: ET.Element, emit: Callable[[str], None]) -> bool:
    """Emit a paragraph's text line(s), then nested tables and text boxes; True if it held a table."""
    parts: list[str] = []
    held_table = False

    def flush() -> None:
        text = collapse_spaces("".join(parts)) if "\n" not in "".join(parts) else "".join(parts).strip()
        parts.clear()
        if text:
            emit(text)

    def visit(el: ET.Element) -> None:
        nonlocal held_table
        local = _local(el.tag)
        if local == "t":
            parts.append(_run_text(el))
        elif local == "tbl":
            flush()
            _table(el, emit)
            held_table = True
        elif local == "p":
            flush()
            _paragraph(el, emit)
        elif local not in _SKIP:
            for child in el:
                visit(child)

    for child in p:
        visit(child)
    flush()
    return held_table


def _run_text(t: ET.Element) -> str:
    parts = [t.text or ""]
    for child in t:
        local = _local(child.tag)
        if local == "lineBreak":
            parts.append("\n")
        elif local in {"tab", "nbSpace", "fwSpace"}:
            parts.append(" ")
        parts.append(child.tail or "")
    return "".join(parts)


def _table(tbl: ET.Element, emit: Callable[[str], None]) -> None:
    single = tbl.get("colCnt") == "1"
    for tr in (c for c in tbl if _local(c.tag) == "tr"):
        cells: list[str] = []
        for tc in (c for c in tr if _local(c.tag) == "tc"):
            lines: list[str] = []
            for sub in (c for c in tc if _local(c.tag) == "subList"):
                for p in (c for c in sub if _local(c.tag) == "p"):
                    _paragraph(p, lines.append)
            cells.append(("\n" if single else " ").join(lines))
        if single:  # a one-column table is a framed box: keep its lines
            for cell in cells:
                for line in cell.split("\n"):
                    emit(line)
        else:
            row = table_row(cells)
            if row:
                emit(row)
