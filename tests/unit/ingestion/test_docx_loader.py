"""DOCX loader on real Word files written here with python-docx."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest

from ingestion.documents import LoadError
from ingestion.loaders import load


def _write_docx(path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "MES 도입 체크리스트"
    document.core_properties.keywords = "MES, 체크리스트"
    document.core_properties.created = dt.datetime(2021, 1, 1)
    document.add_heading("MES 도입 체크리스트", level=1)
    document.add_paragraph("도입 전에 아래 표를 채워 보세요.")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([("항목", "현재", "목표"), ("불량률", "2.5%", "1.5%"), ("납기 준수율", "90%", "98%")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("표를 채운 뒤 공급기업과 상의합니다.")
    document.add_heading("준비 사항", level=2)
    document.add_paragraph("품목 코드를 정리합니다.", style="List Number")
    document.add_paragraph("전담자를 정합니다.", style="List Number")
    document.add_paragraph("바코드 프린터를 준비합니다.", style="List Bullet")
    merged = document.add_table(rows=2, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "합친 칸"
    merged.cell(0, 2).text = "오른쪽"
    merged.cell(1, 0).text = "가"
    merged.cell(1, 1).text = "나"
    merged.cell(1, 2).text = "다"
    document.save(str(path))


def test_docx_keeps_body_order_and_headings(kb: Path) -> None:
    path = kb / "policies" / "mes-checklist.docx"
    _write_docx(path)
    (doc,) = load(path, kb)
    assert doc.title == "MES 도입 체크리스트"
    assert doc.metadata["tags"] == "MES, 체크리스트"
    first, second = doc.blocks
    assert first.heading == "MES 도입 체크리스트"
    # the table sits between the two paragraphs, as in the document
    assert first.text.split("\n\n") == [
        "도입 전에 아래 표를 채워 보세요.",
        "항목 | 현재 | 목표\n불량률 | 2.5% | 1.5%\n납기 준수율 | 90% | 98%",
        "표를 채운 뒤 공급기업과 상의합니다.",
    ]
    assert second.heading == "MES 도입 체크리스트 > 준비 사항"
    assert "1. 품목 코드를 정리합니다.\n2. 전담자를 정합니다.\n- 바코드 프린터를 준비합니다." in second.text
    assert "합친 칸 | 오른쪽\n가 | 나 | 다" in second.text  # a merged cell appears once


def test_korean_heading_style_names(kb: Path) -> None:
    document = docx.Document()
    style = document.styles["Heading 1"]
    style.name = "제목 1"  # as in a Korean Word install
    document.add_paragraph("설비 보전", style=style)
    document.add_paragraph("예방 보전 계획을 세웁니다.")
    path = kb / "policies" / "korean-styles.docx"
    document.save(str(path))
    (doc,) = load(path, kb)
    assert doc.blocks[0].heading == "설비 보전"
    assert doc.title == "설비 보전"  # no core title: the first heading


def test_broken_docx_is_a_load_error(kb: Path) -> None:
    path = kb / "policies" / "broken.docx"
    path.write_bytes(b"PK\x03\x04 truncated archive")
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "손상" in info.value.message


def test_encrypted_or_legacy_word_file_is_refused(kb: Path) -> None:
    path = kb / "policies" / "locked.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "암호" in info.value.message
