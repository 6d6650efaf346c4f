"""knowledge/_sources/build.py: every format built from a Markdown source loads back intact."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from ingestion.loaders import load

SOURCE = """---
kind: {kind}
title: 예시 문서 {ext}
region: 경기
industries: [식품, 사출]
effective_date: 2020-03-01
tags: [예시, 변환]
---

# 예시 문서 {ext}

이 문서는 변환 시험을 위한 예시입니다.

## 준비 단계

- 기준정보를 먼저 정리합니다.
- 전담자를 한 명 지정합니다.

| 구분 | 기초 | 고도화 |
|---|---|---|
| 정부 지원 | 5,000만 원 | 1억 5,000만 원 |
| 구축 기간 | 6개월 | 9개월 |

## 운영 단계

현장 작업자가 태블릿으로 실적을 입력하면 불량률이 매일 집계됩니다.
"""

KEY_SENTENCES = (
    "이 문서는 변환 시험을 위한 예시입니다.",
    "기준정보를 먼저 정리합니다.",
    "전담자를 한 명 지정합니다.",
    "정부 지원 | 5,000만 원 | 1억 5,000만 원",
    "구축 기간 | 6개월 | 9개월",
    "현장 작업자가 태블릿으로 실적을 입력하면 불량률이 매일 집계됩니다.",
)
FORMATS = ("pdf", "docx", "hwpx", "html", "txt")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _sources(tmp_path: Path, formats: tuple[str, ...]) -> Path:
    sources = tmp_path / "_sources"
    for ext in formats:
        folder = sources / ("subsidies" if ext in {"html", "txt"} else "policies")
        folder.mkdir(parents=True, exist_ok=True)
        kind = "subsidy" if ext in {"html", "txt"} else "policy"
        (folder / f"sample-{ext}.{ext}.md").write_text(SOURCE.format(ext=ext, kind=kind), encoding="utf-8")
    return sources


@pytest.mark.parametrize("ext", FORMATS)
def test_built_file_loads_back(ext: str, tmp_path: Path, build_module: ModuleType, request: pytest.FixtureRequest) -> None:
    font = request.getfixturevalue("hangul_font") if ext == "pdf" else None
    sources = _sources(tmp_path, (ext,))
    out = tmp_path / "knowledge"
    written = build_module.build_all(sources, out, font)
    folder = "subsidies" if ext in {"html", "txt"} else "policies"
    target = out / folder / f"sample-{ext}.{ext}"
    assert written == [target, out / folder / f"sample-{ext}.{ext}.meta.yaml"]

    (doc,) = load(target, out)
    assert doc.title == f"예시 문서 {ext}"
    assert doc.kind == ("subsidy" if folder == "subsidies" else "policy")
    assert doc.metadata["industries"] == "식품,사출"
    assert doc.metadata["region"] == "경기"
    assert doc.metadata["effective_date"] == "2020-03-01"
    text = _squash(doc.text)
    for sentence in KEY_SENTENCES:
        assert sentence in text, (ext, sentence)
    if ext != "txt":  # plain text has no headings to keep
        assert any(b.heading and b.heading.endswith("운영 단계") for b in doc.blocks)
    if ext == "html":
        assert "댓글" not in doc.text and "정책 안내" not in doc.text


def test_txt_is_cp949(tmp_path: Path, build_module: ModuleType) -> None:
    out = tmp_path / "knowledge"
    build_module.build_all(_sources(tmp_path, ("txt",)), out, None)
    data = (out / "subsidies" / "sample-txt.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "기준정보를 먼저 정리합니다." in data.decode("cp949")


def test_build_is_deterministic(tmp_path: Path, build_module: ModuleType, hangul_font: Path) -> None:
    sources = _sources(tmp_path, FORMATS)
    first = build_module.build_all(sources, tmp_path / "one", hangul_font)
    second = build_module.build_all(sources, tmp_path / "two", hangul_font)
    assert len(first) == 2 * len(FORMATS)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_sources_without_a_target_format_are_ignored(tmp_path: Path, build_module: ModuleType) -> None:
    sources = tmp_path / "_sources" / "policies"
    sources.mkdir(parents=True)
    (sources / "notes.md").write_text("# 메모\n", encoding="utf-8")
    assert build_module.source_files(tmp_path / "_sources") == []
