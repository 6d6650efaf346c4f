"""Hostile input files, small on disk and built at test time: each makes a naive loader spend
minutes and gigabytes. Used by the hostile-input suite and the fuzzing tests."""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

MB = 1024 * 1024

# One good file to put beside each hostile one: it must still be ingested and found.
GOOD_NAME = "mentoring/good.md"
GOOD_QUERY = "금형 타수 점검 주기"
GOOD_TEXT = """---
title: 금형 타수 관리 요령
---

# 금형 타수 관리 요령

사출 공장은 금형마다 타수를 기록해 교체 시기를 정합니다. 금형 타수가 30만 회를 넘으면 점검합니다.
점검 주기는 금형 제작사가 권하는 타수를 기준으로 정하고, 불량률이 오르면 앞당깁니다.
"""

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOCX_STATIC = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    ),
}


def write_good(root: Path) -> Path:
    path = root / GOOD_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GOOD_TEXT, encoding="utf-8")
    return path


def _stream_member(archive: zipfile.ZipFile, name: str, head: bytes, unit: bytes, tail: bytes,
                   expanded: int) -> None:
    """Write one deflated member of about `expanded` bytes without holding it in memory."""
    block = unit * max(1, (1 * MB) // len(unit))
    with archive.open(name, "w", force_zip64=True) as out:
        out.write(head)
        written = len(head)
        while written < expanded:
            out.write(block)
            written += len(block)
        out.write(tail)


def docx_bomb(path: Path, expanded: int = 190 * MB) -> Path:
    """A valid .docx whose word/document.xml expands to `expanded` bytes of paragraphs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _DOCX_STATIC.items():
            archive.writestr(name, text)
        head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W_NS}"><w:body>'.encode()
        unit = "<w:p><w:r><w:t>스마트공장 폭탄 문단입니다</w:t></w:r></w:p>".encode()
        _stream_member(archive, "word/document.xml", head, unit, b"</w:body></w:document>", expanded)
    return path


def hwpx_bomb(path: Path, expanded: int = 190 * MB) -> Path:
    """A valid .hwpx whose Contents/section0.xml expands to `expanded` bytes of paragraphs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("mimetype", "application/hwp+zip")
        head = (
            b'<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
            b'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph">'
        )
        unit = "<hp:p><hp:run><hp:t>스마트공장 폭탄 문단입니다</hp:t></hp:run></hp:p>".encode()
        _stream_member(archive, "Contents/section0.xml", head, unit, b"</hs:sec>", expanded)
    return path


def yaml_alias_bomb(path: Path) -> Path:
    """A supplier profile (about 370 bytes) whose aliases expand to nearly 400 million items."""
    lines = ['a: &a ["스마트공장 스마트공장 스마트공장", "MES ERP PLM SCM", "x", "x", "x", "x", "x", "x", "x"]']
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    lines.append("suppliers:\n  - company: 폭탄산업\n    solutions: *i")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def front_matter_alias_bomb(path: Path) -> Path:
    """The same alias bomb as a Markdown document's front matter (tags expand on metadata cleaning)."""
    lines = ["---", 'a: &a ["스마트공장", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    lines += ["tags: *i", "---", "", "# 폭탄 문서", "", "본문입니다."]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def big_text(path: Path, size: int = 50 * MB) -> Path:
    """A plain-text file of `size` bytes of Korean sentences, written in 1 MB blocks."""
    sentence = "스마트공장 도입 사례를 정리한 아주 긴 문서의 한 문장입니다. ".encode()
    block = sentence * (MB // len(sentence))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        written = 0
        while written < size:
            out.write(block)
            written += len(block)
    return path


def pdf_page_tree_bomb(path: Path, fanout: tuple[int, ...] = (30, 30, 100)) -> Path:
    """A PDF of a few KB whose page tree reuses its nodes: 30 x 30 x 100 = 90,000 pages."""
    leaves = 1
    for n in fanout:
        leaves *= n
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    count = leaves
    for depth, n in enumerate(fanout):  # objects 2 .. 2+len(fanout)-1 are /Pages nodes
        kid = 3 + depth
        parent = f" /Parent {1 + depth} 0 R" if depth else ""
        objects.append(f"<< /Type /Pages /Kids [{' '.join([f'{kid} 0 R'] * n)}] /Count {count}{parent} >>".encode())
        count //= n
    page = 2 + len(fanout)
    content, font = page + 1, page + 2
    objects.append(
        f"<< /Type /Page /Parent {page - 1} 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R "
        f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
    )
    stream = b"BT /F1 12 Tf 72 720 Td (Page tree bomb) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return _write_pdf(path, objects)


def pdf_content_bomb(path: Path, pages: int = 3, size: int = 20 * MB) -> Path:
    """A PDF of under 100 KB whose pages each inflate to `size` bytes of text operators."""
    content = b"BT /F1 12 Tf 72 720 Td " + b"0 0 Td " * (size // 7) + b"(bomb) Tj ET"
    packed = zlib.compress(content, 9)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i in range(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {5 + 2 * i} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream")
    return _write_pdf(path, objects)


def _write_pdf(path: Path, objects: list[bytes]) -> Path:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return path


def outside_symlink(root: Path, name: str = "policies/passwd.txt") -> Path:
    """A link inside `root` to a file outside it holding a secret line."""
    secret = root.parent / "outside" / "passwd"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n비밀 계정 목록 root nologin\n", encoding="utf-8")
    link = root / name
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(secret, link)
    return link


# name -> (relative path inside the knowledge root, builder taking the full path or the root)
HOSTILE: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "docx_bomb": ("policies/bomb.docx", docx_bomb),
    "hwpx_bomb": ("policies/bomb.hwpx", hwpx_bomb),
    "yaml_alias_bomb": ("suppliers/bomb.yaml", yaml_alias_bomb),
    "front_matter_alias_bomb": ("policies/bomb.md", front_matter_alias_bomb),
    "big_text": ("policies/big.txt", big_text),
    "pdf_page_tree_bomb": ("policies/bomb.pdf", pdf_page_tree_bomb),
}


def build(case: str, root: Path) -> str:
    """Write the hostile file `case` and the good file under `root`; returns the hostile relpath."""
    write_good(root)
    if case == "outside_symlink":
        return outside_symlink(root).relative_to(root).as_posix()
    rel, builder = HOSTILE[case]
    builder(root / rel)
    return rel
