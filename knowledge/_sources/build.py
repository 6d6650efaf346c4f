"""Build the demo corpus's non-Markdown files from their Markdown sources.

Every `knowledge/_sources/<folder>/<name>.<ext>.md` (Markdown with YAML front matter) becomes
`knowledge/<folder>/<name>.<ext>` in that format, plus the sidecar
`knowledge/<folder>/<name>.<ext>.meta.yaml` holding the front matter. Formats: .pdf (fpdf2,
needs a TTF font with Hangul, e.g. `apt-get install fonts-nanum`), .docx, .hwpx (our own OWPML
writer), .html (a full page with navigation and a comment section) and .txt (CP949).
The output is deterministic: the same sources give the same bytes.

    .venv/bin/python knowledge/_sources/build.py            # build everything
    .venv/bin/python knowledge/_sources/build.py --check    # exit 1 if an output is stale
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repo root, for `ingestion`

from ingestion.loaders.frontmatter import split_front_matter  # noqa: E402
from ingestion.loaders.markdown import MdElement, iter_elements  # noqa: E402

FORMATS = (".pdf", ".docx", ".hwpx", ".html", ".txt")
FIXED_TIME = dt.datetime(2021, 1, 1, 0, 0, 0, tzinfo=dt.UTC)
ZIP_TIME = (2021, 1, 1, 0, 0, 0)
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/truetype/nanum/NanumBarunGothic.ttf",
    "/Library/Fonts/NanumGothic.ttf",
    "C:/Windows/Fonts/malgun.ttf",
)
_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s+(.*)$")


@dataclass
class Source:
    path: Path
    front: dict[str, Any]
    body: str

    @property
    def title(self) -> str:
        return str(self.front.get("title") or self.path.name.split(".")[0])

    @property
    def elements(self) -> list[MdElement]:
        return list(iter_elements(self.body))


def read_source(path: Path) -> Source:
    front, body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    return Source(path, front, body.strip("\n") + "\n")


# -- helpers ----------------------------------------------------------------------------------
def _stable_zip(members: list[tuple[str, bytes]]) -> bytes:
    """A zip with fixed timestamps and order; a first `mimetype` member is stored uncompressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def _rezip(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return _stable_zip([(i.filename, src.read(i.filename)) for i in src.infolist()])


def _tags(source: Source) -> str:
    tags = source.front.get("tags") or []
    return ", ".join(str(t) for t in tags) if isinstance(tags, list) else str(tags)


def find_font() -> Path | None:
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    try:
        found = subprocess.run(["fc-list", ":lang=ko", "file"], capture_output=True, text=True, check=False)
    except OSError:
        return None
    files = sorted(line.split(":")[0].strip() for line in found.stdout.splitlines() if line.strip().endswith(":"))
    ttf = [f for f in files if f.lower().endswith(".ttf")]
    return Path(ttf[0]) if ttf else None


# -- PDF -----------------------------------------------------------------------------------------
def to_pdf(source: Source, font: Path | None) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    if font is None:
        raise SystemExit("PDF needs a TTF font with Hangul: install fonts-nanum or pass --font")
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_title(source.title)
    pdf.set_author("Factory Mentor")
    pdf.set_keywords(_tags(source))
    pdf.set_creator("knowledge/_sources/build.py")
    pdf.set_producer("fpdf2")
    bold = font.with_name(font.stem + "Bold" + font.suffix)
    pdf.add_font("Body", "", str(font))
    pdf.add_font("Body", "B", str(bold if bold.is_file() else font))
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    level_now = -1
    for el in source.elements:
        if el.kind == "heading":
            level = min(el.level - 1, level_now + 1)
            level_now = level
            size = {0: 17, 1: 14}.get(level, 12)
            if pdf.will_page_break(30):  # never leave a heading alone at the foot of a page
                pdf.add_page()
            pdf.ln(3)
            pdf.set_font("Body", "B", size)
            pdf.start_section(el.text, level)
            pdf.multi_cell(0, size * 0.55, el.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1.5)
        elif el.kind == "table":
            pdf.set_font("Body", "", 9.5)
            for row in el.rows:
                pdf.multi_cell(0, 5.2, " | ".join(row), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
        elif el.kind == "blank":
            pdf.ln(2)
        else:
            pdf.set_font("Body", "", 10.5)
            pdf.multi_cell(0, 6, el.text or " ", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


# -- DOCX ----------------------------------------------------------------------------------------
def to_docx(source: Source) -> bytes:
    import docx
    from docx.oxml.ns import qn

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Malgun Gothic"
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "맑은 고딕")
    props = document.core_properties
    props.title, props.author, props.last_modified_by = source.title, "Factory Mentor", "Factory Mentor"
    props.keywords, props.language, props.revision = _tags(source), "ko-KR", 1
    props.created = props.modified = props.last_printed = FIXED_TIME.replace(tzinfo=None)
    for el in source.elements:
        if el.kind == "heading":
            document.add_heading(el.text, level=min(el.level, 9))
        elif el.kind == "table" and el.rows:
            width = max(len(r) for r in el.rows)
            table = document.add_table(rows=len(el.rows), cols=width)
            table.style = "Table Grid"
            for r, row in enumerate(el.rows):
                for c in range(width):
                    table.cell(r, c).text = row[c] if c < len(row) else ""
        elif el.kind in {"line", "code"} and el.text.strip():
            item = _ITEM.match(el.text)
            if item:
                style = "List Bullet" if item.group(1) in "-*+" else "List Number"
                document.add_paragraph(item.group(2), style=style)
            else:
                document.add_paragraph(el.text.strip())
    out = io.BytesIO()
    document.save(out)
    return _rezip(out.getvalue())


# -- HTML ----------------------------------------------------------------------------------------
def _html_body(elements: list[MdElement]) -> str:
    out: list[str] = []
    open_list: str | None = None
    for el in elements:
        item = _ITEM.match(el.text) if el.kind == "line" else None
        kind = ("ul" if item.group(1) in "-*+" else "ol") if item else None
        if open_list and kind != open_list:
            out.append(f"</{open_list}>")
            open_list = None
        if el.kind == "heading":
            out.append(f"<h{el.level}>{html.escape(el.text)}</h{el.level}>")
        elif el.kind == "table" and el.rows:
            head, *rows = el.rows
            out.append("<table>\n<thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in head) + "</tr></thead>")
            out.append("<tbody>")
            out.extend("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
            out.append("</tbody>\n</table>")
        elif item and kind:
            if not open_list:
                out.append(f"<{kind}>")
                open_list = kind
            out.append(f"<li>{html.escape(item.group(2))}</li>")
        elif el.kind in {"line", "code"} and el.text.strip():
            out.append(f"<p>{html.escape(el.text.strip())}</p>")
    if open_list:
        out.append(f"</{open_list}>")
    return "\n".join(out)


def to_html(source: Source) -> bytes:
    front = source.front
    metas = "".join(
        f'<meta name="{key}" content="{html.escape(str(value))}">\n'
        for key, value in (("kind", front.get("kind")), ("region", front.get("region")),
                           ("industries", ",".join(map(str, front.get("industries") or []))),
                           ("effective_date", front.get("effective_date")), ("keywords", _tags(source)))
        if value
    )
    title = html.escape(source.title)
    page = f"""<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>{title}</title>
{metas}<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<header class="site-header"><a class="logo" href="/">Factory Mentor 지식마당</a>
<form class="search" action="/search"><input name="q" placeholder="검색어를 입력하세요"></form></header>
<nav class="gnb"><ul><li><a href="/policies/">정책 안내</a></li><li><a href="/subsidies/">지원사업</a></li>
<li><a href="/suppliers/">공급기업 찾기</a></li><li><a href="/mentoring/">멘토링 사례</a></li></ul></nav>
<div class="breadcrumb">홈 &gt; 지원사업 &gt; {title}</div>
<main>
<article class="post">
{_html_body(source.elements)}
</article>
<section id="comments" class="comment-area">
<h2>댓글 2개</h2>
<div class="comment"><p class="comment-author">방문자 김OO</p>
<p>좋은 정보 감사합니다. 저희 공장도 내년에 꼭 신청해 보겠습니다.</p></div>
<div class="comment"><p class="comment-author">익명</p><p>담당자 연락처는 어디서 볼 수 있나요?</p></div>
</section>
</main>
<aside class="sidebar"><h3>많이 본 글</h3><ul><li>스마트공장 수준확인 안내</li></ul></aside>
<footer class="site-footer"><p>Factory Mentor 데모 사이트. 모든 사례는 가상입니다.</p></footer>
<script>document.querySelectorAll('.comment').forEach(function (c) {{ c.dataset.ready = '1'; }});</script>
</body>
</html>
"""
    return page.encode("utf-8")


# -- TXT (CP949) --------------------------------------------------------------------------------
def to_txt(source: Source) -> bytes:
    lines: list[str] = []
    for line in source.body.split("\n"):
        heading = re.match(r"^\s{0,3}#{1,6}\s+(.*)$", line)
        if heading:
            lines.append(heading.group(1).strip())
        elif line.strip().startswith("|"):
            if not re.match(r"^\|?[\s:|-]*-[\s:|-]*$", line.strip()):
                lines.append(" | ".join(c.strip() for c in line.strip().strip("|").split("|")))
        else:
            lines.append(line.rstrip())
    text = "\r\n".join(lines).strip() + "\r\n"
    try:
        return text.encode("cp949")
    except UnicodeEncodeError as exc:
        bad = text[exc.start:exc.end]
        raise SystemExit(f"{source.path.name}: {bad!r} cannot be written in CP949; replace it in the source") from exc


# -- HWPX (our own minimal OWPML writer) --------------------------------------------------------
_NS = {
    "ha": "http://www.hancom.co.kr/hwpml/2011/app", "hp": "http://www.hancom.co.kr/hwpml/2011/paragraph",
    "hs": "http://www.hancom.co.kr/hwpml/2011/section", "hc": "http://www.hancom.co.kr/hwpml/2011/core",
    "hh": "http://www.hancom.co.kr/hwpml/2011/head", "hpf": "http://www.hancom.co.kr/schema/2011/hpf",
    "dc": "http://purl.org/dc/elements/1.1/", "opf": "http://www.idpf.org/2007/opf/",
}
_XMLNS = " ".join(f'xmlns:{k}="{v}"' for k, v in _NS.items())
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'
_LANGS = ("HANGUL", "LATIN", "HANJA", "JAPANESE", "OTHER", "SYMBOL", "USER")
_PAGE_WIDTH = 42520  # text width of an A4 page with the margins below, in HWPUNIT (1/7200 inch)
# (style id, Korean name, English name, char shape id, height in 1/100 pt, bold)
_STYLES = ((0, "바탕글", "Normal", 0, 1000, False), (1, "개요 1", "Outline 1", 1, 1600, True),
           (2, "개요 2", "Outline 2", 2, 1300, True), (3, "개요 3", "Outline 3", 3, 1100, True))


def _x(text: str) -> str:
    return html.escape(text, quote=True)


def _hwpx_header() -> str:
    per_lang = "".join(
        f'<hh:fontface lang="{lang}" fontCnt="1"><hh:font id="0" face="함초롬바탕" type="TTF" isEmbedded="0"/>'
        "</hh:fontface>" for lang in _LANGS)
    langs = lambda v: " ".join(f'{lang.lower()}="{v}"' for lang in _LANGS)  # noqa: E731
    borders = "".join(
        f'<hh:borderFill id="{i}" threeD="0" shadow="0" centerLine="NONE" breakCellSeparateLine="0">'
        + "".join(f'<hh:{side}Border type="{kind}" width="0.12 mm" color="#000000"/>'
                  for side in ("left", "right", "top", "bottom"))
        + "</hh:borderFill>" for i, kind in ((1, "NONE"), (2, "SOLID")))
    chars = "".join(
        f'<hh:charPr id="{cid}" height="{height}" textColor="#000000" shadeColor="none" useFontSpace="0" '
        f'useKerning="0" symMark="NONE" borderFillIDRef="1"><hh:fontRef {langs(0)}/><hh:ratio {langs(100)}/>'
        f'<hh:spacing {langs(0)}/><hh:relSz {langs(100)}/><hh:offset {langs(0)}/>{"<hh:bold/>" if bold else ""}'
        '<hh:underline type="NONE" shape="SOLID" color="#000000"/><hh:strikeout shape="NONE" color="#000000"/>'
        '<hh:outline type="NONE"/><hh:shadow type="NONE" color="#B2B2B2" offsetX="10" offsetY="10"/></hh:charPr>'
        for _, _, _, cid, height, bold in _STYLES)
    paras = "".join(
        f'<hh:paraPr id="{pid}" tabPrIDRef="0" condense="0" fontLineHeight="0" snapToGrid="1" '
        'suppressLineNumbers="0" checked="0"><hh:align horizontal="JUSTIFY" vertical="BASELINE"/>'
        '<hh:heading type="NONE" idRef="0" level="0"/><hh:breakSetting breakLatinWord="KEEP_WORD" '
        f'breakNonLatinWord="KEEP_WORD" widowOrphan="0" keepWithNext="{pid}" keepLines="0" pageBreakBefore="0" '
        'lineWrap="BREAK"/><hh:margin><hc:intent value="0" unit="HWPUNIT"/><hc:left value="0" unit="HWPUNIT"/>'
        f'<hc:right value="0" unit="HWPUNIT"/><hc:prev value="{600 * pid}" unit="HWPUNIT"/>'
        '<hc:next value="0" unit="HWPUNIT"/></hh:margin><hh:lineSpacing type="PERCENT" value="160" '
        'unit="HWPUNIT"/><hh:border borderFillIDRef="1" offsetLeft="0" offsetRight="0" offsetTop="0" '
        'offsetBottom="0" connect="0" ignoreMargin="0"/></hh:paraPr>' for pid in (0, 1))
    styles = "".join(
        f'<hh:style id="{sid}" type="PARA" name="{name}" engName="{eng}" paraPrIDRef="{1 if sid else 0}" '
        f'charPrIDRef="{cid}" nextStyleIDRef="0" langID="1042" lockForm="0"/>'
        for sid, name, eng, cid, _, _ in _STYLES)
    return (
        f'{_XML_DECL}<hh:head {_XMLNS} version="1.4" secCnt="1"><hh:beginNum page="1" footnote="1" '
        'endnote="1" pic="1" tbl="1" equation="1"/><hh:refList>'
        f'<hh:fontfaces itemCnt="{len(_LANGS)}">{per_lang}</hh:fontfaces><hh:borderFills itemCnt="2">{borders}'
        f'</hh:borderFills><hh:charProperties itemCnt="{len(_STYLES)}">{chars}</hh:charProperties>'
        '<hh:tabProperties itemCnt="1"><hh:tabPr id="0" autoTabLeft="0" autoTabRight="0"/></hh:tabProperties>'
        f'<hh:paraProperties itemCnt="2">{paras}</hh:paraProperties><hh:styles itemCnt="{len(_STYLES)}">'
        f'{styles}</hh:styles></hh:refList><hh:compatibleDocument targetProgram="HWP201X">'
        '<hh:layoutCompatibility/></hh:compatibleDocument><hh:docOption><hh:linkinfo path="" pageInherit="0" '
        'footnoteInherit="0"/></hh:docOption></hh:head>')


class _HwpxSection:
    """Paragraphs and tables of one OWPML section, with sequential ids."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self._ids = 0

    def _id(self) -> int:
        self._ids += 1
        return self._ids

    def paragraph(self, text: str, style: int = 0, inner: str = "") -> str:
        cid = _STYLES[style][3]
        run = f"<hp:t>{_x(text)}</hp:t>" if text else ""
        return (f'<hp:p id="{self._id()}" paraPrIDRef="{1 if style else 0}" styleIDRef="{style}" pageBreak="0" '
                f'columnBreak="0" merged="0"><hp:run charPrIDRef="{cid}">{inner}{run}</hp:run></hp:p>')

    def table(self, rows: list[list[str]]) -> str:
        cols = max(len(r) for r in rows)
        width, height = _PAGE_WIDTH // cols, 1800
        cells = "".join(
            "<hp:tr>" + "".join(
                f'<hp:tc name="" header="{int(r == 0)}" hasMargin="0" protect="0" editable="0" dirty="0" '
                'borderFillIDRef="2"><hp:subList id="" textDirection="HORIZONTAL" lineWrap="BREAK" '
                'vertAlign="CENTER" linkListIDRef="0" linkListNextIDRef="0" textWidth="0" textHeight="0" '
                f'hasTextRef="0" hasNumRef="0">{self.paragraph(row[c] if c < len(row) else "")}</hp:subList>'
                f'<hp:cellAddr colAddr="{c}" rowAddr="{r}"/><hp:cellSpan colSpan="1" rowSpan="1"/>'
                f'<hp:cellSz width="{width}" height="{height}"/><hp:cellMargin left="510" right="510" '
                'top="141" bottom="141"/></hp:tc>' for c in range(cols)) + "</hp:tr>"
            for r, row in enumerate(rows))
        tbl = (f'<hp:tbl id="{self._id()}" zOrder="0" numberingType="TABLE" textWrap="TOP_AND_BOTTOM" '
               'textFlow="BOTH_SIDES" lock="0" dropcapstyle="None" pageBreak="CELL" repeatHeader="1" '
               f'rowCnt="{len(rows)}" colCnt="{cols}" cellSpacing="0" borderFillIDRef="2" noAdjust="0">'
               f'<hp:sz width="{width * cols}" widthRelTo="ABSOLUTE" height="{height * len(rows)}" '
               'heightRelTo="ABSOLUTE" protect="0"/><hp:pos treatAsChar="0" affectLSpacing="0" flowWithText="1" '
               'allowOverlap="0" holdAnchorAndSO="0" vertRelTo="PARA" horzRelTo="COLUMN" vertAlign="TOP" '
               'horzAlign="LEFT" vertOffset="0" horzOffset="0"/><hp:outMargin left="283" right="283" top="283" '
               'bottom="283"/><hp:inMargin left="510" right="510" top="141" bottom="141"/>'
               f"{cells}</hp:tbl>")
        return self.paragraph("", inner=tbl)


_SEC_PR = (
    '<hp:secPr id="" textDirection="HORIZONTAL" spaceColumns="1134" tabStop="8000" tabStopVal="4000" '
    'tabStopUnit="HWPUNIT" outlineShapeIDRef="0" memoShapeIDRef="0" textVerticalWidthHead="0" masterPageCnt="0">'
    '<hp:grid lineGrid="0" charGrid="0" wonggojiFormat="0"/><hp:startNum pageStartsOn="BOTH" page="0" pic="0" '
    'tbl="0" equation="0"/><hp:pagePr landscape="WIDELY" width="59528" height="84188" gutterType="LEFT_ONLY">'
    '<hp:margin header="4252" footer="4252" gutter="0" left="8504" right="8504" top="5668" bottom="4252"/>'
    '</hp:pagePr></hp:secPr><hp:ctrl><hp:colPr id="" type="NEWSPAPER" layout="LEFT" colCount="1" sameSz="1" '
    'sameGap="0"/></hp:ctrl>')


def to_hwpx(source: Source) -> bytes:
    section = _HwpxSection()
    paragraphs = [section.paragraph("", inner=_SEC_PR)]  # section properties ride on the first paragraph
    for el in source.elements:
        if el.kind == "heading":
            paragraphs.append(section.paragraph(el.text, style=min(el.level, 3)))
        elif el.kind == "table" and el.rows:
            paragraphs.append(section.table(el.rows))
        elif el.kind in {"line", "code"} and el.text.strip():
            paragraphs.append(section.paragraph(el.text.strip()))
    body = f'{_XML_DECL}<hs:sec {_XMLNS}>{"".join(paragraphs)}</hs:sec>'
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    content = (
        f'{_XML_DECL}<opf:package {_XMLNS} version="" unique-identifier="" id=""><opf:metadata>'
        f"<opf:title>{_x(source.title)}</opf:title><opf:language>ko</opf:language>"
        '<opf:meta name="creator" content="text">Factory Mentor</opf:meta>'
        f'<opf:meta name="keyword" content="text">{_x(_tags(source))}</opf:meta>'
        f'<opf:meta name="CreatedDate" content="text">{stamp}</opf:meta>'
        f'<opf:meta name="ModifiedDate" content="text">{stamp}</opf:meta></opf:metadata><opf:manifest>'
        '<opf:item id="header" href="Contents/header.xml" media-type="application/xml"/>'
        '<opf:item id="section0" href="Contents/section0.xml" media-type="application/xml"/>'
        '<opf:item id="settings" href="settings.xml" media-type="application/xml"/></opf:manifest>'
        '<opf:spine><opf:itemref idref="header"/><opf:itemref idref="section0"/></opf:spine></opf:package>')
    container = (
        f'{_XML_DECL}<ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument:xmlns:container" '
        f'xmlns:hpf="{_NS["hpf"]}"><ocf:rootfiles><ocf:rootfile full-path="Contents/content.hpf" '
        'media-type="application/hwpml-package+xml"/></ocf:rootfiles></ocf:container>')
    version = (
        f'{_XML_DECL}<hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" '
        'tagetApplication="WORDPROCESSOR" major="5" minor="1" micro="0" buildNumber="0" os="1" xmlVersion="1.4" '
        'application="Factory Mentor build.py" appVersion="1, 0, 0, 0"/>')
    settings = (f'{_XML_DECL}<ha:HWPApplicationSetting xmlns:ha="{_NS["ha"]}" '
                'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"/>')
    manifest = f'{_XML_DECL}<odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'
    return _stable_zip([
        ("mimetype", b"application/hwp+zip"), ("version.xml", version.encode()),
        ("Contents/header.xml", _hwpx_header().encode()), ("Contents/section0.xml", body.encode()),
        ("settings.xml", settings.encode()), ("META-INF/container.xml", container.encode()),
        ("Contents/content.hpf", content.encode()), ("META-INF/manifest.xml", manifest.encode()),
    ])


# -- driver --------------------------------------------------------------------------------------
def build_one(path: Path, sources: Path, out: Path, font: Path | None) -> list[Path]:
    source = read_source(path)
    target_name = path.name[: -len(".md")]
    suffix = Path(target_name).suffix.lower()
    if suffix not in FORMATS:
        raise SystemExit(f"{path}: unknown target format {suffix!r} (expected one of {', '.join(FORMATS)})")
    folder = out / path.parent.relative_to(sources)
    folder.mkdir(parents=True, exist_ok=True)
    writers = {".pdf": lambda s: to_pdf(s, font), ".docx": to_docx, ".hwpx": to_hwpx, ".html": to_html, ".txt": to_txt}
    target = folder / target_name
    target.write_bytes(writers[suffix](source))
    sidecar = folder / (target_name + ".meta.yaml")
    header = "# generated by knowledge/_sources/build.py from the source's front matter; do not edit\n"
    sidecar.write_text(header + yaml.safe_dump(source.front, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return [target, sidecar]


def source_files(sources: Path) -> list[Path]:
    return sorted(p for p in sources.glob("*/*.md") if Path(p.name[: -len(".md")]).suffix.lower() in FORMATS)


def build_all(sources: Path, out: Path, font: Path | None) -> list[Path]:
    written: list[Path] = []
    for path in source_files(sources):
        written.extend(build_one(path, sources, out, font))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=HERE)
    parser.add_argument("--out", type=Path, default=HERE.parent)
    parser.add_argument("--font", type=Path, default=None, help="a TTF font with Hangul, for PDF")
    parser.add_argument("--check", action="store_true", help="only check that the outputs are up to date")
    args = parser.parse_args(argv)
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # font subsetting chatter
    font = args.font or find_font()
    if not args.check:
        for path in build_all(args.sources, args.out, font):
            print(f"wrote {path}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        stale = []
        for path in build_all(args.sources, Path(tmp), font):
            rel = path.relative_to(tmp)
            current = args.out / rel
            if not current.is_file() or current.read_bytes() != path.read_bytes():
                stale.append(str(rel))
        shutil.rmtree(tmp, ignore_errors=True)
    for rel in stale:
        print(f"stale: {rel}")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
