"""HWP 5.0 loader: real sample files, plus the record parser on hand-built records."""

from __future__ import annotations

import re
import shutil
import struct
from pathlib import Path

import pytest

from ingestion.documents import LoadError
from ingestion.loaders import load
from ingestion.loaders.hwp_records import (
    TAG_CTRL_HEADER,
    TAG_LIST_HEADER,
    TAG_PARA_HEADER,
    TAG_PARA_TEXT,
    TAG_TABLE,
    build_tree,
    decode_para_text,
    iter_records,
    paragraph_lines,
)

_CJK_IDEOGRAPHS = re.compile(r"[\u4e00-\u9fff]")  # control parameters misread as text look like these


def _copy(samples: Path, name: str, kb: Path, as_name: str | None = None) -> Path:
    target = kb / "policies" / (as_name or name)
    shutil.copy(samples / name, target)
    return target


def test_sample_hwp_text_table_and_title(hwp_samples: Path, kb: Path) -> None:
    (doc,) = load(_copy(hwp_samples, "sample_document.hwp", kb), kb)
    assert doc.source == "policies/sample_document.hwp"
    assert doc.title == "동해 물과 백두산이 마르고 닳도록"  # from \x05HwpSummaryInformation
    text = doc.text
    assert text.startswith("동해 물과 백두산이 마르고 닳도록\n하느님이 보우하사 우리나라 만세\n\n남산 위의")
    assert "괴로우나 즐거우나 나라 사랑하세" in text
    for cell_line in ("무궁화 삼천리", "화려 강산", "대한 사람 대한으로", "길이 보전하세"):  # the table's cell
        assert cell_line in text.split("\n")
    assert not _CJK_IDEOGRAPHS.search(text)
    assert not any(ord(ch) < 32 and ch != "\n" for ch in text)


def test_protected_hwp_is_refused_with_the_password_message(hwp_samples: Path, kb: Path) -> None:
    with pytest.raises(LoadError) as info:
        load(_copy(hwp_samples, "protected_document.hwp", kb), kb)
    assert info.value.message == (
        "policies/protected_document.hwp: 암호가 걸린 HWP 문서는 읽을 수 없습니다. 암호를 해제한 뒤 다시 올려 주세요."
    )
    assert "password" in info.value.detail


def test_hwpx_package_with_a_hwp_name_still_loads(hwp_samples: Path, kb: Path) -> None:
    (doc,) = load(_copy(hwp_samples, "sample_document.hwpx", kb, as_name="renamed.hwp"), kb)
    assert "무궁화 삼천리" in doc.text


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + b"\x00" * 100, "HWP 3.0"),
        (b"not an hwp file at all" * 10, "HWP 형식이 아닙니다"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "손상"),
    ],
)
def test_broken_or_old_hwp_files(kb: Path, data: bytes, fragment: str) -> None:
    path = kb / "policies" / "bad.hwp"
    path.write_bytes(data)
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert fragment in info.value.message


# -- the record parser on hand-built records ----------------------------------------------------
def _record(tag: int, level: int, payload: bytes) -> bytes:
    if len(payload) >= 0xFFF:
        return struct.pack("<II", tag | level << 10 | 0xFFF << 20, len(payload)) + payload
    return struct.pack("<I", tag | level << 10 | len(payload) << 20) + payload


def _units(*codes: int) -> bytes:
    return struct.pack(f"<{len(codes)}H", *codes)


def _extended(code: int, ctrl: bytes = b" lbt") -> bytes:
    """An 8-unit extended control: code, a 4-character control id (2 units), 4 more units, code again."""
    return _units(code) + ctrl + b"\x00" * 8 + _units(code)


def _para(level: int, text: str, *extra: bytes) -> bytes:
    return _record(TAG_PARA_HEADER, level, b"\x00" * 22) + _record(
        TAG_PARA_TEXT, level + 1, text.encode("utf-16-le") + _units(13)
    ) + b"".join(extra)


def test_para_text_skips_controls_by_their_width() -> None:
    data = (
        _extended(2, b"dces") + _extended(2, b"dloc")  # section and column definitions: 8 units each
        + "가".encode("utf-16-le") + _units(9) + b"\x00" * 12 + _units(9)  # tab: an 8-unit inline control
        + "나".encode("utf-16-le") + _units(10)  # line break: one unit
        + "다".encode("utf-16-le") + _units(30) + "라".encode("utf-16-le")  # non-breaking space: one unit
        + _extended(11) + "𠀀 끝".encode("utf-16-le") + _units(13)  # a table anchor, then a surrogate pair
    )
    assert decode_para_text(data) == "가 나\n다 라𠀀 끝"


def test_records_with_the_extended_size_field() -> None:
    big = "긴 문단 ".encode("utf-16-le") * 700  # more than 0xFFF bytes
    records = list(iter_records(_record(TAG_PARA_TEXT, 1, big) + _record(TAG_PARA_HEADER, 0, b"x"), "t.hwp"))
    assert [(r.tag, r.level, len(r.data)) for r in records] == [(TAG_PARA_TEXT, 1, len(big)), (TAG_PARA_HEADER, 0, 1)]


def test_truncated_record_stream_keeps_what_came_before() -> None:
    data = _para(0, "첫 문단") + _record(TAG_PARA_TEXT, 1, b"\x00" * 40)[:20]
    roots = build_tree(iter_records(data, "t.hwp"))
    lines: list[str] = []
    paragraph_lines(roots[0], lines.append)
    assert lines == ["첫 문단"]


def _cell(col: int, row: int, text: str) -> bytes:
    header = struct.pack("<HHI", 1, 0, 0) + struct.pack("<HHHH", col, row, 1, 1) + b"\x00" * 18
    return _record(TAG_LIST_HEADER, 2, header) + _para(2, text)


def test_table_cells_become_rows() -> None:
    table = struct.pack("<IHH", 0, 2, 2) + b"\x00" * 14
    ctrl = _record(TAG_CTRL_HEADER, 1, b" lbt" + b"\x00" * 40) + _record(TAG_TABLE, 2, table) + b"".join(
        [_cell(0, 0, "항목"), _cell(1, 0, "목표"), _cell(0, 1, "불량률"), _cell(1, 1, "1.5%")]
    )
    section = _para(0, "표 앞 문단") + _record(TAG_PARA_HEADER, 0, b"\x00" * 22) + _record(
        TAG_PARA_TEXT, 1, _extended(11) + _units(13)
    ) + ctrl + _para(0, "표 뒤 문단")
    lines: list[str] = []
    for para in build_tree(iter_records(section, "t.hwp")):
        paragraph_lines(para, lines.append)
    assert [line for line in lines if line] == ["표 앞 문단", "항목 | 목표", "불량률 | 1.5%", "표 뒤 문단"]
