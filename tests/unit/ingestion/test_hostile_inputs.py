"""Hostile files beside one good file: each ingest run (in a child process, so time and memory
are its own) stays bounded, reports the bad file with a Korean reason, and the good file is
ingested and searchable. Nothing outside the ingested folder is read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingestion.documents import LoadError
from ingestion.loaders import Limits, load
from tests.unit.ingestion import hostile_files
from tests.unit.ingestion.hostile_run import measure

pytestmark = pytest.mark.slow

HANGUL = re.compile(r"[가-힣]")

# case -> a fragment of the Korean reason the summary must give
EXPECTED = {
    "docx_bomb": "압축을 풀면 너무 커서",
    "hwpx_bomb": "압축을 풀면 너무 커서",
    "yaml_alias_bomb": "YAML 별칭",
    "front_matter_alias_bomb": "YAML 별칭",
    "big_text": "파일이 너무 커서",
    "pdf_page_tree_bomb": "쪽수가 한도",
    "outside_symlink": "수집 폴더 밖을 가리키는 링크",
}
MAX_SYNC_S = 60  # the ingest itself (the child also loads the embedding model first)
MAX_GROWTH_MB = 512  # peak memory during the sync above the child's baseline (models loaded)
MAX_PEAK_MB = 2048  # the child's whole life, loading the embedding model included


@pytest.mark.parametrize("case", list(EXPECTED))
def test_hostile_file_is_refused_and_the_good_file_ingested(case: str, tmp_path: Path) -> None:
    root = tmp_path / "kb"
    bad = hostile_files.build(case, root)
    run = measure(root, tmp_path / "var", timeout_s=240, rss_cap_mb=3000)

    assert run.killed is None, f"{case}: stopped by the {run.killed} cap after {run.seconds:.0f}s, {run.peak_rss_mb:.0f}MB"
    result = run.result
    assert result["sync_s"] < MAX_SYNC_S, result
    assert run.peak_rss_mb < MAX_PEAK_MB, run.peak_rss_mb
    assert result["sync_peak_mb"] - result["baseline_mb"] < MAX_GROWTH_MB, result
    report = result["report"]
    listed = {item["path"]: item["reason"] for item in [*report["failed"], *report["skipped"]]}
    assert bad in listed, report
    assert EXPECTED[case] in listed[bad] and HANGUL.search(listed[bad])
    assert report["added"] == 1 and result["good_found"], report  # the good file, and only it
    assert result["leaked"] == []  # nothing from outside the folder is searchable


def test_members_are_measured_while_they_inflate(kb: Path) -> None:
    """Under the decompressed-size budget, a dense body is still stopped by counting while it
    streams (characters or elements), long before a tree of it is built."""
    for builder, suffix in ((hostile_files.docx_bomb, "docx"), (hostile_files.hwpx_bomb, "hwpx")):
        path = builder(kb / "policies" / f"dense.{suffix}", expanded=40 * hostile_files.MB)
        with pytest.raises(LoadError) as info:
            load(path, kb, Limits(max_unzipped_bytes=64 * hostile_files.MB))
        assert "한도" in info.value.message and "처리하지 않았습니다" in info.value.message


def test_small_budgets_set_by_the_user_are_honoured(kb: Path) -> None:
    doc = kb / "policies" / "a.md"
    doc.write_text("# 제목\n\n" + "스마트공장 " * 400, encoding="utf-8")
    for limits, fragment in (
        (Limits(max_chars=1000), "글자 수"),
        (Limits(max_file_bytes=1024), "파일이 너무 커서"),
        (Limits(max_seconds=1e-9), "초 넘게 걸려"),
    ):
        with pytest.raises(LoadError) as info:
            load(doc, kb, limits)
        assert fragment in info.value.message
    assert load(doc, kb)[0].title == "제목"  # within the default limits it loads


def test_yaml_anchors_in_moderation_still_load(kb: Path) -> None:
    path = kb / "suppliers" / "anchors.yaml"
    path.write_text(
        "defaults: &d {region: 서울, levels: [1, 2]}\n"
        "suppliers:\n  - {company: 가나정밀, <<: *d}\n  - {company: 다라시스템, <<: *d}\n",
        encoding="utf-8",
    )
    docs = load(path, kb)
    assert [d.title for d in docs] == ["가나정밀", "다라시스템"]
    assert all(d.metadata["region"] == "서울" for d in docs)
    too_many = Limits(max_yaml_aliases=1)
    with pytest.raises(LoadError) as info:
        load(path, kb, too_many)
    assert "YAML 별칭" in info.value.message


def test_recursive_yaml_alias_is_refused(kb: Path) -> None:
    path = kb / "suppliers" / "loop.yaml"
    path.write_text("a: &a [*a]\nsuppliers:\n  - company: 순환\n    tags: *a\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "자기 자신" in info.value.message


def test_pdf_page_tree_within_budget_loads_every_page(kb: Path) -> None:
    path = hostile_files.pdf_page_tree_bomb(kb / "policies" / "small.pdf", fanout=(2, 3))
    (doc,) = load(path, kb)
    assert [b.page for b in doc.blocks] == [1, 2, 3, 4, 5, 6]
    with pytest.raises(LoadError) as info:
        load(path, kb, Limits(max_pages=5))
    assert "쪽수가 한도(5쪽)" in info.value.message


def test_pdf_page_that_inflates_past_the_page_limit_is_refused(kb: Path) -> None:
    """pypdf cannot be interrupted inside a page: a page whose content stream inflates to
    20 MB of operators (minutes of parsing) is measured and refused before it is parsed."""
    path = hostile_files.pdf_content_bomb(kb / "policies" / "content.pdf", pages=2, size=20 * hostile_files.MB)
    assert path.stat().st_size < 100_000
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "1쪽의 내용이 너무 커서" in info.value.message


def test_budgets_are_set_through_fm_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from assistant.settings import Settings
    from assistant.stores import open_stores
    from ingestion.pipeline import Ingestor

    monkeypatch.setenv("FM_INGEST_MAX_PAGES", "7")
    monkeypatch.setenv("FM_INGEST_MAX_FILE_MB", "0.5")
    settings = Settings(_env_file=None, data_dir=tmp_path / "var")  # type: ignore[call-arg]
    stores = open_stores(settings)
    try:
        limits = Ingestor(stores).limits
    finally:
        stores.close()
    assert limits.max_pages == 7 and limits.max_file_bytes == 512 * 1024
    assert limits.max_chars == Limits().max_chars  # the others keep their defaults
