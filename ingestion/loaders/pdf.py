"""PDF (.pdf) with pypdf: text per page (Block.page, 1-based), split at outline headings."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections import defaultdict
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from ingestion.documents import LoadError
from ingestion.loaders.base import BlockBuilder, Extracted
from ingestion.loaders.budget import Budget

log = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"""[.!?:;)\]」』”"'。]$|[다요죠]$""")
_SPACE_RUN = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")  # justified text comes out with wide gaps
_MAX_PAGE_CONTENT = 4 * 2**20  # decoded content stream of one page (pypdf parses it in Python)
_LINE_START_MARK = re.compile(r"^\s*([-•·▪◦□■※○●▶►◆◇|]|\d+[.)]\s|[①-⑳]|Q\.|A\.)")


def extract(data: bytes, name: str, budget: Budget) -> Extracted:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _decrypt(reader, name)
        _count_pages(reader, budget)  # before pypdf flattens the page tree into a list
        pages = list(reader.pages)
        metadata = _metadata(reader)
        outline = _outline(reader)
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged input
        raise LoadError(f"{name}: PDF 파일이 손상되어 읽을 수 없습니다.", f"pypdf: {type(exc).__name__}: {exc}") from exc

    texts = [_page_text(page, index, name, budget) for index, page in enumerate(pages)]
    widest = max((_width(line) for text in texts for line in text.split("\n")), default=0)
    builder = BlockBuilder()  # the page texts were charged to the budget as they were read
    carried: list[tuple[int, str]] = []
    for index, text in enumerate(texts):
        builder.page(index + 1)
        cursor = 0
        entries, carried = carried + outline.get(index, []), []
        for at, (level, title) in enumerate(entries):
            found = _find(text, title, cursor)
            if found is None and index + 1 < len(texts) and _find(texts[index + 1], title, 0):
                carried = entries[at:]  # the heading was pushed to the top of the next page
                break
            if found:
                builder.add(_reflow(text[cursor:found[0]], widest))
                cursor = found[1]
            builder.heading(level, title, index + 1)
        builder.add(_reflow(text[cursor:], widest))
    builder.flush()
    if not builder.blocks and pages:
        raise LoadError(
            f"{name}: PDF에서 글자를 찾을 수 없습니다. 스캔한 이미지 PDF라면 글자 인식(OCR) 후 다시 올려 주세요.",
            "no extractable text (scanned PDF?)",
        )
    return Extracted(builder.blocks, metadata, builder.headings.first)


def _count_pages(reader: PdfReader, budget: Budget) -> int:
    """Leaves of the page tree, walked without building pages and stopped at the page budget:
    a tree that reuses its nodes (or loops) is refused once it counts past the limit."""
    stack: list[Any] = [reader.root_object["/Pages"]]
    pages = nodes = 0
    while stack:
        node = stack.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        nodes += 1
        budget.items()
        if nodes > 4 * budget.limits.max_pages + 64:
            raise budget.refuse("PDF 쪽 구조(page tree)가 비정상적으로 커서", f"over {nodes} page tree nodes")
        kids = node.get("/Kids") if hasattr(node, "get") else None
        if kids is None:
            pages += 1
            budget.pages(pages)
        elif hasattr(kids, "get_object"):
            stack.extend(kids.get_object() or [])
        else:
            stack.extend(kids)
    return pages


def _page_text(page: Any, index: int, name: str, budget: Budget) -> str:
    """One page's text. Its content stream is inflated and measured first: pypdf cannot be
    stopped inside one page, so a page too large to read in reasonable time is refused."""
    budget.tick()
    try:
        contents = page.get_contents()
        size = len(contents.get_data()) if contents is not None else 0
    except Exception as exc:  # one bad page should not lose the others
        log.warning("%s: page %d unreadable: %s", name, index + 1, exc)
        return ""
    if size > _MAX_PAGE_CONTENT:
        raise budget.refuse(f"{index + 1}쪽의 내용이 너무 커서(한도 {_MAX_PAGE_CONTENT // 2**20}MB)",
                            f"page {index + 1} content stream of {size} bytes")
    budget.unzipped(size)
    try:
        text = page.extract_text() or ""
        text = "\n".join(_SPACE_RUN.sub(" ", line) for line in text.split("\n"))
    except Exception as exc:  # one bad page should not lose the others
        log.warning("%s: page %d unreadable: %s", name, index + 1, exc)
        return ""
    budget.chars(len(text))
    return text


def _decrypt(reader: PdfReader, name: str) -> None:
    message = f"{name}: 암호가 걸린 PDF 문서는 읽을 수 없습니다. 암호를 해제한 뒤 다시 올려 주세요."
    try:
        if reader.decrypt(""):  # many PDFs only carry an owner password for permissions
            return
    except (DependencyError, FileNotDecryptedError, NotImplementedError) as exc:
        raise LoadError(message, f"encrypted PDF: {exc}") from exc
    raise LoadError(message, "encrypted PDF, user password required")


def _metadata(reader: PdfReader) -> dict[str, Any]:
    info = reader.metadata
    if not info:
        return {}
    meta: dict[str, Any] = {}
    for key, target in (("/Title", "title"), ("/Subject", "subject"), ("/Keywords", "tags"), ("/Author", "author")):
        value = info.get(key)
        if value and str(value).strip():
            meta[target] = str(value).strip()
    return meta


def _outline(reader: PdfReader) -> dict[int, list[tuple[int, str]]]:
    """Outline (bookmark) titles by 0-based page index, with their depth (1 = top)."""
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)

    def walk(items: list, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            page = reader.get_destination_page_number(item)
            title = str(getattr(item, "title", "") or "").strip()
            if page is not None and title:
                found[page].append((level, title))

    try:
        walk(reader.outline, 1)
    except Exception as exc:  # a broken outline only costs us the headings
        log.warning("unreadable PDF outline: %s", exc)
        return {}
    return found


def _find(text: str, title: str, start: int) -> tuple[int, int] | None:
    words = [re.escape(w) for w in title.split()]
    if not words:
        return None
    match = re.compile(r"\s*".join(words)).search(text, start)
    return (match.start(), match.end()) if match else None


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _reflow(text: str, widest: int) -> str:
    """Join lines the PDF wrapped mid-sentence: a line that fills (nearly) the full width and
    does not end a sentence continues on the next line, unless that one starts an item."""
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    last = ""  # the previous physical line
    for line in lines:
        wrapped = bool(out) and _width(last) >= 0.8 * widest and not _SENTENCE_END.search(last)
        if wrapped and last.strip() and line.strip() and not _LINE_START_MARK.match(line):
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line)
        last = line
    return "\n".join(out)
