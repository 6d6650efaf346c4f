"""HTML (.html, .htm): the page's own text without navigation, comments, sidebars or ads."""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, Tag

from ingestion.loaders.base import BlockBuilder, Extracted, collapse_spaces, table_row
from ingestion.loaders.budget import Budget
from ingestion.loaders.encoding import decode_text

_DROP_TAGS = ("nav", "header", "footer", "aside", "script", "style", "form", "noscript",
              "template", "iframe", "svg", "canvas", "button", "select", "dialog")
_NOISE_PREFIXES = ("comment", "nav", "menu", "sidebar", "breadcrumb", "footer", "share", "banner",
                   "advert", "sponsor", "gnb", "lnb", "snb", "popup", "cookie", "related")
_NOISE_WORDS = {"ad", "ads", "adsense", "sns", "reply", "replies"}
_KEEP = {"html", "body", "main", "article"}  # never dropped for their class or id
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "blockquote", "dl", "dt", "dd", "ul", "ol",
               "figure", "figcaption", "address", "caption", "details", "summary", "center", "hr"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_META_KEYS = {"kind": "kind", "region": "region", "industries": "industries", "effective_date": "effective_date",
              "tags": "tags", "keywords": "tags", "title": "title"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.IGNORECASE)
_TOKEN = re.compile(r"[^a-z0-9]+")
_MAX_DEPTH = 100  # tag nesting the walk follows (it recurses once per level)


def extract(data: bytes, name: str, budget: Budget) -> Extracted:
    soup = BeautifulSoup(_decode(data, name), "html.parser")
    budget.tick()
    metadata = _metadata(soup)
    _strip_noise(soup)
    root = soup.body or soup
    walker = _Walker(budget)
    walker.walk(root)
    walker.out.flush()
    return Extracted(walker.out.blocks, metadata, walker.out.headings.first)


def _decode(data: bytes, name: str) -> str:
    declared = _CHARSET.search(data[:4096])
    if declared and not data.startswith(b"\xef\xbb\xbf"):
        encoding = declared.group(1).decode("ascii").lower()
        encoding = "cp949" if encoding in {"euc-kr", "euc_kr", "ks_c_5601-1987", "ksc5601", "ms949"} else encoding
        try:
            return data.decode(encoding).replace("\r\n", "\n")
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data, name)


def _metadata(soup: BeautifulSoup) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if soup.title and soup.title.get_text(strip=True):
        meta["title"] = collapse_spaces(soup.title.get_text())
    for tag in soup.find_all("meta"):
        key = _META_KEYS.get(str(tag.get("name") or "").strip().lower())
        content = str(tag.get("content") or "").strip()
        if key and content:
            meta[key] = ",".join(p.strip() for p in content.split(",") if p.strip()) if key in {
                "industries", "tags"} else content
    return meta


def _is_noise(tag: Tag) -> bool:
    if tag.name in _KEEP:
        return False
    given = tag.get("class")
    classes = [given] if isinstance(given, str) else list(given or [])
    words = " ".join([*classes, str(tag.get("id") or ""), str(tag.get("role") or "")]).lower()
    tokens = [t for t in _TOKEN.split(words) if t]
    return any(t in _NOISE_WORDS or t.startswith(_NOISE_PREFIXES) for t in tokens) or (
        str(tag.get("role") or "").lower() in {"navigation", "banner", "complementary", "contentinfo"})


def _strip_noise(soup: BeautifulSoup) -> None:
    for node in soup.find_all(string=lambda s: isinstance(s, (Comment, Doctype))):
        node.extract()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if not tag.decomposed and _is_noise(tag):
            tag.decompose()


class _Walker:
    def __init__(self, budget: Budget) -> None:
        self.out = BlockBuilder(budget)
        self._line: list[str] = []
        self._depth = 0

    def _flush_line(self) -> None:
        text = collapse_spaces("".join(self._line))
        self._line = []
        if text and text != "-":
            self.out.add(text)

    def walk(self, node: Tag) -> None:
        if self._depth > _MAX_DEPTH:  # past this nesting, keep the text without its structure
            self._line.append(collapse_spaces(node.get_text(" ")))
            return
        self._depth += 1
        for child in node.children:
            if isinstance(child, NavigableString):
                self._line.append(re.sub(r"\s+", " ", str(child)))
            elif isinstance(child, Tag):
                self._tag(child)
        self._depth -= 1

    def _tag(self, tag: Tag) -> None:
        name = tag.name
        if name in _HEADINGS:
            self._flush_line()
            self.out.heading(_HEADINGS[name], tag.get_text(" ", strip=True))
        elif name == "table":
            self._flush_line()
            for tr in tag.find_all("tr"):
                row = table_row([c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"], recursive=False)])
                if row:
                    self.out.add(row)
            self.out.add("")
        elif name == "br":
            self._flush_line()
        elif name == "pre":
            self._flush_line()
            for line in tag.get_text().split("\n"):
                self.out.add(line.rstrip())
        elif name == "li":
            self._flush_line()
            self._line.append("- ")
            self.walk(tag)
            self._flush_line()
        elif name in _BLOCK_TAGS:
            self._flush_line()
            self.walk(tag)
            self._flush_line()
            if name in {"p", "ul", "ol", "blockquote", "dl"}:
                self.out.add("")
        else:
            self.walk(tag)
