"""Markdown (.md, .markdown) with YAML front matter: one block per heading section.

`iter_elements` is also used by knowledge/_sources/build.py to render the demo sources."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ingestion.loaders.base import BlockBuilder, Extracted, table_row
from ingestion.loaders.budget import Budget
from ingestion.loaders.encoding import decode_text
from ingestion.loaders.frontmatter import split_front_matter

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE_SEPARATOR = re.compile(r"^\|?[\s:|-]*-[\s:|-]*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_CODE = re.compile(r"`([^`]+)`")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_QUOTE = re.compile(r"^ {0,3}>[ \t]?")


@dataclass
class MdElement:
    kind: str  # heading | line | code | table | blank
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


def strip_inline(text: str) -> str:
    """Inline Markdown to plain text: links and images to their text, emphasis and code marks off."""
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _CODE.sub(r"\1", text)
    return _BREAK.sub("\n", text)


def split_table_row(line: str) -> list[str]:
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    cells = re.split(r"(?<!\\)\|", inner)
    return [strip_inline(c.replace("\\|", "|").strip()) for c in cells]


def iter_elements(body: str) -> Iterator[MdElement]:
    """Headings (ATX and setext), tables, code, blank and other lines, in order."""
    lines = body.split("\n")
    i = 0
    fence: str | None = None
    while i < len(lines):
        line = lines[i]
        if fence:
            if line.strip().startswith(fence):
                fence = None
            else:
                yield MdElement("code", line)
            i += 1
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            i += 1
            continue
        atx = _ATX.match(line)
        if atx:
            yield MdElement("heading", strip_inline((atx.group(2) or "").strip()), level=len(atx.group(1)))
            i += 1
            continue
        if line.strip().startswith("|"):
            rows: list[list[str]] = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                if not _TABLE_SEPARATOR.match(lines[i].strip()):
                    rows.append(split_table_row(lines[i]))
                i += 1
            yield MdElement("table", rows=rows)
            continue
        if not line.strip():
            yield MdElement("blank")
            i += 1
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        setext = _SETEXT.match(nxt)
        if setext and not _RULE.match(line) and not re.match(r"^\s*([-*+]|\d+[.)])\s", line):
            level = 1 if setext.group(1).startswith("=") else 2
            yield MdElement("heading", strip_inline(line.strip()), level=level)
            i += 2
            continue
        if _RULE.match(line):
            i += 1
            continue
        yield MdElement("line", strip_inline(_QUOTE.sub("", line)))
        i += 1


def extract(data: bytes, name: str, budget: Budget) -> Extracted:
    decoded = decode_text(data, name)
    budget.expect_chars(len(decoded))
    front, body = split_front_matter(decoded, name, budget=budget)
    builder = BlockBuilder(budget)
    for el in iter_elements(body):
        if el.kind == "heading":
            builder.heading(el.level, el.text)
        elif el.kind == "table":
            for row in el.rows:
                text = table_row(row)
                if text:
                    builder.add(text)
            builder.add("")
        elif el.kind == "blank":
            builder.add("")
        else:
            builder.add(el.text)
    builder.flush()
    return Extracted(builder.blocks, front, builder.headings.first)
