"""load() and is_ingestible(): dispatch, errors, and how metadata is merged."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.documents import LoadError, UnsupportedFormat
from ingestion.loaders import SUPPORTED_SUFFIXES, is_ingestible, load

NOTE = """---
title: 수준확인 안내
kind: subsidy
region: 경기
industries: [식품, 금속가공]
effective_date: 2020-03-01
---

# 수준확인 제도

수준확인은 공장의 스마트화 수준을 1~5단계로 확인하는 제도입니다.
"""


def test_supported_suffixes_cover_every_format() -> None:
    assert {".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx", ".hwp", ".hwpx",
            ".csv", ".json", ".yaml", ".yml"} <= SUPPORTED_SUFFIXES


@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("policies/level-check.md", True),
        ("policies/report.PDF", True),
        ("policies/scan.xyz", True),  # unknown suffixes reach load(), which reports them
        ("policies/report.pdf.meta.yaml", False),
        ("_sources/policies/roadmap.docx.md", False),
        ("policies/_draft.md", False),
        ("policies/.hidden.md", False),
        (".git/config.md", False),
        ("README.md", False),
    ],
)
def test_is_ingestible(relpath: str, expected: bool) -> None:
    assert is_ingestible(Path(relpath)) is expected


def test_markdown_metadata_is_chroma_friendly(kb: Path) -> None:
    path = kb / "policies" / "level.md"
    path.write_text(NOTE, encoding="utf-8")
    (doc,) = load(path, kb)
    assert doc.source == "policies/level.md"
    assert doc.title == "수준확인 안내"
    assert doc.kind == "subsidy"  # front matter beats the folder's kind
    assert doc.metadata["industries"] == "식품,금속가공"
    assert doc.metadata["effective_date"] == "2020-03-01"
    assert "title" not in doc.metadata
    assert all(isinstance(v, (str, int, float, bool)) for v in doc.metadata.values())


def test_folder_kind_applies_without_front_matter(kb: Path) -> None:
    path = kb / "mentoring" / "visit.txt"
    path.write_text("현장 방문 기록입니다. 금형 교체 시간이 길었습니다.", encoding="utf-8")
    (doc,) = load(path, kb)
    assert doc.kind == "mentoring"
    assert doc.title == "visit"  # no metadata title, no heading: the file stem


def test_title_falls_back_to_first_heading(kb: Path) -> None:
    path = kb / "policies" / "oee.md"
    path.write_text("# 설비종합효율 계산\n\nOEE는 가동률과 성능효율과 양품률의 곱입니다.\n", encoding="utf-8")
    assert load(path, kb)[0].title == "설비종합효율 계산"


def test_sidecar_overrides_format_metadata(kb: Path) -> None:
    path = kb / "policies" / "level.md"
    path.write_text(NOTE, encoding="utf-8")
    (kb / "policies" / "level.md.meta.yaml").write_text(
        "title: 사이드카 제목\nregion: 경남\ntags: [수준확인, 사이드카]\n", encoding="utf-8"
    )
    (doc,) = load(path, kb)
    assert doc.title == "사이드카 제목"
    assert doc.metadata["region"] == "경남"
    assert doc.metadata["tags"] == "수준확인,사이드카"
    assert doc.metadata["industries"] == "식품,금속가공"  # untouched keys survive


def test_unknown_kind_is_ignored(kb: Path) -> None:
    path = kb / "subsidies" / "odd.md"
    path.write_text("---\nkind: brochure\n---\n본문입니다.\n", encoding="utf-8")
    assert load(path, kb)[0].kind == "subsidy"


def test_zero_byte_file_is_refused(kb: Path) -> None:
    path = kb / "policies" / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "빈 파일" in info.value.message
    assert "policies/empty.pdf" in info.value.message
    assert info.value.detail


def test_text_empty_after_extraction_is_refused(kb: Path) -> None:
    path = kb / "policies" / "only-front.md"
    path.write_text("---\ntitle: 제목만 있음\n---\n\n   \n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "글자" in info.value.message


def test_unknown_extension_is_unsupported(kb: Path) -> None:
    path = kb / "policies" / "drawing.dwg"
    path.write_bytes(b"AC1032 not really")
    with pytest.raises(UnsupportedFormat) as info:
        load(path, kb)
    assert "지원하지 않는 파일 형식" in info.value.message
    assert isinstance(info.value, LoadError)


def test_suffix_match_is_case_insensitive(kb: Path) -> None:
    path = kb / "policies" / "LOUD.MD"
    path.write_text("# 제목\n\n내용입니다.\n", encoding="utf-8")
    assert load(path, kb)[0].blocks[0].text == "내용입니다."


def test_broken_sidecar_is_a_load_error(kb: Path) -> None:
    path = kb / "policies" / "level.md"
    path.write_text(NOTE, encoding="utf-8")
    (kb / "policies" / "level.md.meta.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "메타데이터" in info.value.message
