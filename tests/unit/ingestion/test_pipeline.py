"""Incremental sync by content hash, failures isolated, the keyword index in step, crash safety."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answers.retrieval import HybridSearcher
from assistant.stores import Stores
from ingestion.pipeline import Ingestor

DOC_A = """---
kind: policy
title: 수준확인 제도 안내
region: 전국
---

# 수준확인 제도 안내

## 개요
스마트공장 수준확인 제도는 공장의 스마트화 수준을 1단계부터 5단계까지 확인해 주는 제도입니다.
확인서는 발급일부터 3년 동안 유효합니다.
"""

DOC_B = """---
title: 금형 타수 관리
---

# 금형 타수 관리
사출 공장은 금형마다 타수를 기록해 교체 시기를 정합니다. 타수가 30만 회를 넘으면 점검합니다.
"""


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    _write(folder, "policies/level.md", DOC_A)
    _write(folder, "mentoring/mold.md", DOC_B)
    return folder


def _vector_ids(stores: Stores) -> set[str]:
    return set(stores.collection.get(include=[])["ids"])


def test_first_sync_adds_everything_and_searches(stores: Stores, corpus: Path) -> None:
    report = Ingestor(stores).sync(corpus)
    assert sorted(report.added) == ["mentoring/mold.md", "policies/level.md"]
    assert report.chunks_written >= 2 and not report.failed
    hits = HybridSearcher(stores).search("수준확인 확인서 유효기간", 3)
    assert hits[0].chunk.source == "policies/level.md"
    assert hits[0].chunk.title == "수준확인 제도 안내"
    assert hits[0].chunk.kind == "policy"
    assert hits[0].chunk.heading == "수준확인 제도 안내 > 개요"  # headings carried into chunks
    # kind from the folder name when the front matter has none
    mold = HybridSearcher(stores).search("금형 타수", 1)[0]
    assert mold.chunk.kind == "mentoring"


def test_unchanged_rerun_writes_nothing(stores: Stores, corpus: Path) -> None:
    ingestor = Ingestor(stores)
    ingestor.sync(corpus)
    generation = stores.catalog.generation
    ids = _vector_ids(stores)
    again = ingestor.sync(corpus)
    assert again.unchanged == ["mentoring/mold.md", "policies/level.md"]
    assert not again.changed and again.chunks_written == 0
    assert stores.catalog.generation == generation
    assert _vector_ids(stores) == ids


def test_changed_file_replaces_its_chunks(stores: Stores, corpus: Path) -> None:
    ingestor = Ingestor(stores)
    ingestor.sync(corpus)
    searcher = HybridSearcher(stores)
    assert searcher.search("30만 회", 1)[0].chunk.source == "mentoring/mold.md"
    _write(corpus, "mentoring/mold.md", DOC_B.replace("30만 회", "50만 회"))
    report = ingestor.sync(corpus)
    assert report.updated == ["mentoring/mold.md"]
    texts = [c.text for c in stores.catalog.iter_chunks() if c.source == "mentoring/mold.md"]
    assert any("50만 회" in t for t in texts) and not any("30만 회" in t for t in texts)
    # the old vectors are gone too: every vector belongs to a committed chunk
    assert _vector_ids(stores) == stores.catalog.all_chunk_ids()
    # and the keyword index follows without a restart
    assert searcher.search("50만 회 점검", 1)[0].chunk.source == "mentoring/mold.md"


def test_deleted_file_is_removed_from_both_stores(stores: Stores, corpus: Path) -> None:
    ingestor = Ingestor(stores)
    ingestor.sync(corpus)
    searcher = HybridSearcher(stores)
    assert searcher.search("금형 타수", 1)
    (corpus / "mentoring/mold.md").unlink()
    report = ingestor.sync(corpus)
    assert report.removed == ["mentoring/mold.md"]
    assert "mentoring/mold.md" not in stores.catalog.sources()
    assert _vector_ids(stores) == stores.catalog.all_chunk_ids()
    assert all(h.chunk.source != "mentoring/mold.md" for h in searcher.search("금형 타수", 5, mode="keyword"))


def test_bad_files_are_reported_and_the_rest_ingested(stores: Stores, corpus: Path) -> None:
    _write(corpus, "policies/empty.md", "")
    (corpus / "policies/broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog")
    _write(corpus, "policies/notes.xyz", "무엇인지 모르는 형식")
    report = Ingestor(stores).sync(corpus)
    failed = dict(report.failed)
    assert set(failed) == {"policies/empty.md", "policies/broken.pdf", "policies/notes.xyz"}
    assert "빈 파일" in failed["policies/empty.md"]
    assert "지원하지 않는" in failed["policies/notes.xyz"]
    assert sorted(report.added) == ["mentoring/mold.md", "policies/level.md"]


def test_a_file_that_breaks_keeps_its_previous_version(stores: Stores, corpus: Path) -> None:
    ingestor = Ingestor(stores)
    ingestor.sync(corpus)
    (corpus / "policies/level.md").write_bytes(b"")
    report = ingestor.sync(corpus)
    assert [p for p, _ in report.failed] == ["policies/level.md"]
    assert "policies/level.md" in stores.catalog.sources()  # nothing lost
    assert report.removed == []


def test_cp949_text_is_decoded(stores: Stores, tmp_path: Path) -> None:
    folder = tmp_path / "cp949"
    _write(folder, "subsidies/checklist.txt", "신청 서류 목록\n사업자등록증과 재무제표를 준비합니다.", "cp949")
    Ingestor(stores).sync(folder)
    hit = HybridSearcher(stores).search("재무제표 준비", 1)[0]
    assert "사업자등록증과 재무제표" in hit.chunk.text
    assert hit.chunk.kind == "subsidy"


def test_crash_before_commit_leaves_nothing_half_visible(stores: Stores, corpus: Path, monkeypatch) -> None:
    ingestor = Ingestor(stores)
    ingestor.sync(corpus)
    _write(corpus, "mentoring/mold.md", DOC_B + "\n추가 문장: 금형 세척은 주 1회 합니다.")

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(stores.catalog, "replace_file", crash)
    with pytest.raises(KeyboardInterrupt):
        ingestor.sync(corpus)
    monkeypatch.undo()
    searcher = HybridSearcher(stores)
    # the new vectors were written but are not searchable: only committed chunks are returned
    assert all("세척" not in h.chunk.text for h in searcher.search("금형 세척 주기", 5))
    assert len(_vector_ids(stores)) > len(stores.catalog.all_chunk_ids())
    report = ingestor.sync(corpus)  # the next run repairs and applies the change
    assert report.updated == ["mentoring/mold.md"]
    assert _vector_ids(stores) == stores.catalog.all_chunk_ids()
    assert any("세척" in h.chunk.text for h in searcher.search("금형 세척 주기", 5))


def test_stable_chunk_ids(stores: Stores, corpus: Path, tmp_path: Path) -> None:
    Ingestor(stores).sync(corpus)
    first = sorted(stores.catalog.all_chunk_ids())
    from assistant.stores import open_stores
    from tests.conftest import make_settings

    other = open_stores(make_settings(tmp_path / "other"))
    Ingestor(other).sync(corpus)
    assert sorted(other.catalog.all_chunk_ids()) == first
    other.close()


def test_an_answer_from_ingested_chunks_analyses_only_the_question(stores: Stores, corpus: Path, monkeypatch) -> None:
    """Ingest stores each chunk's lines analysed (the sentence split and every line's terms):
    composing an answer from them runs the analyser on the question alone, and picks what the
    same chunks analysed on the spot give. A stored analysis that cannot be read is redone."""
    from sqlalchemy import update

    from assistant import korean
    from assistant.answers.composition import compose, question_terms
    from assistant.db.tables import catalog_chunks

    Ingestor(stores).sync(corpus)
    searcher = HybridSearcher(stores)
    question = "수준확인 확인서 유효기간이 몇 년이에요?"
    hits = searcher.search(question, 3)
    q_terms = question_terms(korean.morphemes(question))
    real, analysed = korean.kiwi(), []

    class Counting:
        def tokenize(self, text, *args, **kwargs):
            analysed.extend([text] if isinstance(text, str) else text)
            return real.tokenize(text, *args, **kwargs)

        def split_into_sents(self, text, *args, **kwargs):
            analysed.extend([text] if isinstance(text, str) else text)
            return real.split_into_sents(text, *args, **kwargs)

    def answer(**kwargs) -> list[str]:
        korean._terms_cache.clear()  # noqa: SLF001 - nothing left from an earlier answer
        korean._sentences_cached.cache_clear()  # noqa: SLF001
        analysed.clear()
        return [p.text for p in compose(question, q_terms, hits, searcher.idf, **kwargs).sentences]

    monkeypatch.setattr(korean, "kiwi", Counting)
    from_store = answer(analysed=stores.catalog.analyses)
    assert set(analysed) == {question}
    assert "3년" in from_store[0]
    assert answer() == from_store
    assert any(line != question for line in analysed)  # without the stored analysis the lines are analysed
    with stores.catalog.engine.begin() as conn:
        conn.execute(update(catalog_chunks).values(analysis="{not json"))
    assert answer(analysed=stores.catalog.analyses) == from_store
