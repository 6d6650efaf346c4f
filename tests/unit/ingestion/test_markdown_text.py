"""Markdown and plain text loaders, and the shared decoding of Korean text files."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from ingestion.documents import LoadError
from ingestion.loaders import load
from ingestion.loaders.encoding import decode_text

KOREAN = "스마트공장 구축 지원사업은 중소기업의 제조 현장을 디지털로 바꾸는 사업입니다.\n기업 부담금은 50%입니다."

GUIDE = """---
title: MES 도입 안내
tags: [MES, 도입]
---

도입 전에 꼭 읽어 주세요.

# MES 도입

## 준비

- 기준정보(품목 코드, BOM)를 정리합니다.
- **전담자**를 정합니다. [자세히](https://example.com/guide)

| 단계 | 기간 | 비용 |
|---|:---:|---|
| 기초 | 6개월 | 5,000만 원 |
| 고도화 | 9개월 | 1억 5,000만 원 |

## 운영 ##

```
# 코드 안의 샵은 제목이 아닙니다
```

현장 입력은 태블릿으로 합니다.

정리
---

마지막 문단입니다.
"""


def test_markdown_blocks_follow_headings(kb: Path) -> None:
    path = kb / "policies" / "mes.md"
    path.write_text(GUIDE, encoding="utf-8")
    (doc,) = load(path, kb)
    assert doc.title == "MES 도입 안내"
    headings = [b.heading for b in doc.blocks]
    assert headings == [None, "MES 도입 > 준비", "MES 도입 > 운영", "MES 도입 > 정리"]
    prep = doc.blocks[1].text
    assert "- 전담자를 정합니다. 자세히" in prep  # emphasis and link syntax gone, text kept
    assert "기초 | 6개월 | 5,000만 원" in prep
    assert "---" not in prep and "|---" not in prep
    assert "# 코드 안의 샵은 제목이 아닙니다" in doc.blocks[2].text  # fenced code is not a heading
    assert all("##" not in b.text for b in doc.blocks)
    assert doc.blocks[3].text == "마지막 문단입니다."


def test_markdown_in_cp949(kb: Path) -> None:
    path = kb / "policies" / "legacy.md"
    path.write_bytes("# 옛 문서\n\n".encode("cp949") + KOREAN.encode("cp949"))
    (doc,) = load(path, kb)
    assert doc.title == "옛 문서"
    assert KOREAN in doc.text


@pytest.mark.parametrize("encoding", ["cp949", "euc-kr"])
def test_text_in_korean_legacy_encodings(kb: Path, encoding: str) -> None:
    path = kb / "subsidies" / f"notice-{encoding}.txt"
    path.write_bytes(KOREAN.replace("\n", "\r\n").encode(encoding))
    (doc,) = load(path, kb)
    assert doc.text == KOREAN


def test_cp949_only_characters_survive(kb: Path) -> None:
    # 똠, 햏 are outside EUC-KR (KS X 1001) but inside CP949's extension
    text = "똠양꿍 공장과 햏 공장의 기록입니다."
    path = kb / "mentoring" / "ext.txt"
    path.write_bytes(text.encode("cp949"))
    assert load(path, kb)[0].text == text


def test_short_korean_text_is_not_mojibake(kb: Path) -> None:
    path = kb / "mentoring" / "short.txt"
    path.write_bytes("불량률".encode("cp949"))
    assert load(path, kb)[0].text == "불량률"


def test_utf8_with_bom_and_front_matter(kb: Path) -> None:
    path = kb / "subsidies" / "bom.txt"
    body = "---\ntitle: 제출 서류\nregion: 서울\n---\n" + KOREAN
    path.write_bytes(codecs.BOM_UTF8 + body.encode("utf-8"))
    (doc,) = load(path, kb)
    assert doc.title == "제출 서류"
    assert doc.metadata["region"] == "서울"
    assert doc.text == KOREAN
    assert "\ufeff" not in doc.text


def test_utf16_with_bom() -> None:
    assert decode_text(codecs.BOM_UTF16_LE + KOREAN.encode("utf-16-le"), "x.txt") == KOREAN


def test_bad_front_matter_is_a_clear_error(kb: Path) -> None:
    path = kb / "policies" / "broken.md"
    path.write_text("---\ntitle: [닫히지 않음\n---\n본문\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "front matter" in info.value.message
    assert "policies/broken.md" in info.value.message


def test_text_starting_with_a_rule_is_not_front_matter(kb: Path) -> None:
    path = kb / "subsidies" / "notice.txt"
    path.write_text("---\n공지사항\n---\n신청은 3월 말까지입니다.\n", encoding="utf-8")
    (doc,) = load(path, kb)
    assert doc.text == "---\n공지사항\n---\n신청은 3월 말까지입니다."
