"""HTML loader: the article's text, without page chrome, comments or scripts."""

from __future__ import annotations

from pathlib import Path

from ingestion.loaders import load

PAGE = """<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>지방비 매칭 안내</title>
<meta name="kind" content="subsidy">
<meta name="region" content="경남">
<meta name="industries" content="기계부품, 금속가공">
<meta name="effective_date" content="2020-03-01">
<style>.x { color: red }</style>
</head>
<body>
<header><a href="/">Factory Mentor</a></header>
<nav><ul><li>홈</li><li>지원사업</li></ul></nav>
<div class="breadcrumb">홈 &gt; 지원사업</div>
<div id="main-menu">메뉴 항목</div>
<main>
<article>
<h1>지방비 매칭</h1>
<p>지자체가 기업 부담분의 일부를 <strong>추가로</strong> 지원합니다.</p>
<h2>신청 방법</h2>
<ul><li>선정 직후 시·군에 신청합니다.</li><li>예산이 소진되면 마감됩니다.</li></ul>
<table>
<tr><th>지역</th><th>매칭 비율</th></tr>
<tr><td>경남</td><td>10%p</td></tr>
</table>
<!-- 편집자 메모: 내년 수치로 고칠 것 -->
<div class="share-buttons">공유하기</div>
</article>
<section id="comments"><h2>댓글</h2><div class="comment">좋은 글 감사합니다</div></section>
<div class="ad-banner">광고: 최신 MES 할인</div>
</main>
<aside>인기 글 목록</aside>
<footer>회사 주소와 전화번호</footer>
<script>alert('스크립트 문구');</script>
<form><input name="q" value="검색 폼"></form>
</body>
</html>
"""


def test_html_keeps_article_and_drops_chrome(kb: Path) -> None:
    path = kb / "subsidies" / "matching.html"
    path.write_text(PAGE, encoding="utf-8")
    (doc,) = load(path, kb)
    assert doc.title == "지방비 매칭 안내"  # <title> wins over the first heading
    assert doc.metadata == {
        "kind": "subsidy", "region": "경남", "industries": "기계부품,금속가공", "effective_date": "2020-03-01"
    }
    text = doc.text
    assert "지자체가 기업 부담분의 일부를 추가로 지원합니다." in text
    assert "- 선정 직후 시·군에 신청합니다." in text
    assert "경남 | 10%p" in text
    for noise in ("Factory Mentor", "홈", "메뉴 항목", "댓글", "좋은 글", "광고", "인기 글", "회사 주소",
                  "스크립트", "검색 폼", "편집자 메모", "공유하기", "color"):
        assert noise not in text, noise
    assert [b.heading for b in doc.blocks] == ["지방비 매칭", "지방비 매칭 > 신청 방법"]


def test_html_in_euc_kr_with_declared_charset(kb: Path) -> None:
    page = '<html><head><meta charset="euc-kr"><title>옛 페이지</title></head><body><p>한글 본문입니다.</p></body></html>'
    path = kb / "policies" / "old.htm"
    path.write_bytes(page.encode("euc-kr"))
    (doc,) = load(path, kb)
    assert doc.title == "옛 페이지"
    assert doc.text == "한글 본문입니다."


def test_utf7_lone_surrogates_become_replacement_characters(kb: Path) -> None:
    """UTF-7 can spell a lone surrogate; the stores cannot encode one, so it is replaced."""
    path = kb / "policies" / "utf7.html"
    path.write_bytes(b'<html><head><meta charset="utf-7"><title>t+2AA-</title></head><body><p>abc +2AA- def</p></body></html>')
    (doc,) = load(path, kb)
    assert doc.text == "abc \ufffd def" and doc.title == "t\ufffd"
