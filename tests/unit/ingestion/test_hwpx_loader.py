"""HWPX loader: the real sample, and damaged or hostile packages."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from ingestion.documents import LoadError
from ingestion.loaders import Limits, load

SECTION = (
    '<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
    'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph">{}</hs:sec>'
)


def _package(path: Path, parts: dict[str, str | bytes]) -> Path:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/hwp+zip")
        for name, data in parts.items():
            archive.writestr(name, data)
    path.write_bytes(out.getvalue())
    return path


def test_sample_hwpx_text_table_and_title(hwp_samples: Path, kb: Path) -> None:
    path = kb / "policies" / "sample.hwpx"
    shutil.copy(hwp_samples / "sample_document.hwpx", path)
    (doc,) = load(path, kb)
    assert doc.title == "동해 물과 백두산이 마르고 닳도록"  # from Contents/content.hpf
    text = doc.text
    assert text.startswith("동해 물과 백두산이 마르고 닳도록\n하느님이 보우하사 우리나라 만세\n\n남산 위의")
    assert "이 기상과 이 맘으로 충성을 다하여" in text
    lines = text.split("\n")
    for cell_line in ("무궁화 삼천리", "화려 강산", "대한 사람 대한으로", "길이 보전하세"):
        assert cell_line in lines


def test_line_breaks_tabs_and_multi_column_tables(kb: Path) -> None:
    body = SECTION.format(
        '<hp:p styleIDRef="0"><hp:run><hp:t>첫 줄<hp:lineBreak/>둘째 줄<hp:tab/>탭 뒤</hp:t></hp:run></hp:p>'
        '<hp:p><hp:run><hp:tbl rowCnt="2" colCnt="2">'
        "<hp:tr><hp:tc><hp:subList><hp:p><hp:run><hp:t>설비</hp:t></hp:run></hp:p></hp:subList></hp:tc>"
        "<hp:tc><hp:subList><hp:p><hp:run><hp:t>가동률</hp:t></hp:run></hp:p></hp:subList></hp:tc></hp:tr>"
        "<hp:tr><hp:tc><hp:subList><hp:p><hp:run><hp:t>프레스 1호기</hp:t></hp:run></hp:p></hp:subList></hp:tc>"
        "<hp:tc><hp:subList><hp:p><hp:run><hp:t>85%</hp:t></hp:run></hp:p></hp:subList></hp:tc></hp:tr>"
        "</hp:tbl><hp:t/></hp:run></hp:p>"
    )
    path = _package(kb / "policies" / "table.hwpx", {"Contents/section0.xml": body})
    (doc,) = load(path, kb)
    assert doc.text == "첫 줄\n둘째 줄 탭 뒤\n설비 | 가동률\n프레스 1호기 | 85%"
    assert doc.title == "table"


def test_sections_are_read_in_numeric_order(kb: Path) -> None:
    parts = {f"Contents/section{i}.xml": SECTION.format(f"<hp:p><hp:run><hp:t>구역 {i}</hp:t></hp:run></hp:p>")
             for i in (10, 2, 0)}
    (doc,) = load(_package(kb / "policies" / "order.hwpx", parts), kb)
    assert doc.text.split("\n") == ["구역 0", "구역 2", "구역 10"]


def test_zip_bomb_is_refused(kb: Path) -> None:
    path = _package(kb / "policies" / "bomb.hwpx", {"Contents/section0.xml": b"<a>" + b" " * 50_000 + b"</a>"})
    with pytest.raises(LoadError) as info:
        load(path, kb, Limits(max_unzipped_bytes=10_000))
    assert "너무 커서" in info.value.message


@pytest.mark.parametrize(
    ("parts", "fragment"),
    [
        ({"Contents/section0.xml": "<hs:sec><hp:p>닫히지 않음"}, "손상"),
        ({"Contents/header.xml": "<hh:head/>"}, "본문(section)"),
        ({"Contents/section0.xml": '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'}, "XML"),
        ({"META-INF/manifest.xml": "<manifest><encryption-data/></manifest>", "Contents/section0.xml": "<x/>"}, "암호"),
    ],
)
def test_damaged_hwpx_packages(kb: Path, parts: dict[str, str], fragment: str) -> None:
    path = _package(kb / "policies" / "bad.hwpx", parts)
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert fragment in info.value.message


def test_not_a_zip(kb: Path) -> None:
    path = kb / "policies" / "plain.hwpx"
    path.write_bytes(b"just some bytes")
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "HWPX 파일이 손상" in info.value.message
