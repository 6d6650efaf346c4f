"""Which supplier profiles an answer may quote when the owner did not ask for a supplier."""

from __future__ import annotations

from assistant.answers.retrieval import Hit
from assistant.answers.suppliers import without_unasked_profiles
from assistant.stores.catalog import Chunk


def _hit(cid: str, kind: str, company: str | None = None) -> Hit:
    meta = {"company": company} if company else {}
    return Hit(Chunk(cid, f"{cid}.md", company or cid, kind, "본문", metadata=meta), 1.0)


HITS = [_hit("p1", "supplier", "(주)한빛엠이에스"), _hit("c1", "mentoring"), _hit("p2", "supplier", "(주)비전온")]


def test_profiles_the_question_does_not_name_are_left_out() -> None:
    kept = without_unasked_profiles(HITS, "HACCP 일지 자동으로 되나요?")
    assert [h.chunk.chunk_id for h in kept] == ["c1"]


def test_a_named_company_is_kept_however_the_owner_writes_it() -> None:
    for query in ("한빛엠이에스 연락처", "㈜한빛엠이에스는 어디예요", "한빛 엠이에스 사후관리"):
        assert [h.chunk.chunk_id for h in without_unasked_profiles(HITS, query)] == ["p1"], query


def test_only_profiles_left_are_all_kept() -> None:
    only = [HITS[0], HITS[2]]
    assert without_unasked_profiles(only, "사출 데이터 모으기") == only
