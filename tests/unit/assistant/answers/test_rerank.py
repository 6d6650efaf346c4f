"""Which hits are read, scored by the real embedding model: the section holding the line that
answers is read before a section only about the topic in general, and the hits read keep the
order retrieval gave them."""

from __future__ import annotations

import pytest

from assistant.answers.rerank import read_first, with_rest_of_document
from assistant.answers.retrieval import Hit
from assistant.answers.scoring import EmbeddingScorer
from assistant.stores.catalog import Chunk

QUESTION = "사출기 제조사가 다 다른데 데이터를 한 화면에 모을 수 있나요?"


@pytest.fixture(scope="module")
def scorer() -> EmbeddingScorer:
    from assistant.settings import DEFAULT_EMBEDDING_MODEL
    from assistant.stores.embeddings import make_embeddings

    return EmbeddingScorer(make_embeddings(DEFAULT_EMBEDDING_MODEL))


def _hit(n: int, text: str, score: float, heading: str) -> Hit:
    chunk = Chunk(chunk_id=f"c{n}", source=f"doc{n}.md", title="사출 공장 멘토링", kind="mentoring", text=text,
                  heading=f"사출 공장 멘토링 > {heading}")
    return Hit(chunk=chunk, score=score)


def _hits() -> list[Hit]:
    return [
        _hit(0, "사출 공장은 설비가 많아 MES 도입 효과가 큽니다. 금형 관리와 성형 조건 기록이 핵심입니다.", 0.90, "사출 공장과 MES"),
        _hit(1, "사출 공장의 작업자 교육에는 석 달 정도 걸립니다. 교육은 공급기업이 맡습니다.", 0.80, "교육"),
        _hit(2, "야간조 교대는 22시에 합니다. 공급기업이 제조사별 통신 방식을 게이트웨이에서 변환해 사출기 "
                "24대의 가동 데이터를 한 화면으로 모았습니다. 통신이 안 되는 구형 5대에는 사이클 카운터만 달았습니다.",
             0.78, "설비 연결"),
        _hit(3, "금형은 약 150벌을 보관합니다. 금형마다 타수를 기록합니다.", 0.40, "금형 보관"),
    ]


def test_the_section_with_the_answering_line_is_read(scorer: EmbeddingScorer) -> None:
    read = read_first(QUESTION, _hits(), 2, scorer, 0.7)
    assert [h.chunk.chunk_id for h in read] == ["c0", "c2"]
    assert [h.by_line for h in read] == [False, True]  # read for its line: it supports, the top hit leads


def test_without_weight_the_fused_top_is_read(scorer: EmbeddingScorer) -> None:
    assert [h.chunk.chunk_id for h in read_first(QUESTION, _hits(), 2, scorer, 0.0)] == ["c0", "c1"]


def test_a_list_question_reads_the_fused_top(scorer: EmbeddingScorer) -> None:
    read = read_first("사출기 제조사가 다 다른데 데이터를 한 화면에 모으려면 뭐뭐 해야 돼요?", _hits(), 2, scorer, 0.7)
    assert [h.chunk.chunk_id for h in read] == ["c0", "c1"]


def _case_chunk(n: int, section: str, text: str, source: str = "case.md") -> Chunk:
    return Chunk(chunk_id=f"{source}#{n}", source=source, title="멘토링 사례: 사출 공장", kind="mentoring",
                 text=text, heading=f"멘토링 사례: 사출 공장 > {section}", ord=n)


CASE = [
    _case_chunk(0, "상황", "작업자들이 MES에 실적을 입력하지 않아 입력률이 30%에 그쳤습니다."),
    _case_chunk(1, "실행 내용", "입력 항목을 11개에서 3개로 줄이고 나머지는 바코드로 받았습니다."),
    _case_chunk(2, "결과", "입력률이 6개월 만에 92%가 됐습니다."),
]
OTHER = [_case_chunk(0, "입력 화면", "입력 화면은 큰 글씨로 만듭니다.", "guide.md"),
         _case_chunk(1, "교육", "작업자 교육은 30분이면 됩니다.", "guide.md")]


def _documents_of(ids: list[str]) -> list[Chunk]:
    """The catalog's answer over two files: every chunk of the files owning `ids`."""
    files = {i.split("#")[0] for i in ids}
    return [c for c in CASE + OTHER if c.source in files]


def test_the_rest_of_a_document_whose_problem_was_read_is_read_after_the_hits() -> None:
    read = [Hit(chunk=CASE[0], score=0.9), Hit(chunk=OTHER[0], score=0.8)]
    out = with_rest_of_document(read, _documents_of)
    assert out[:2] == read  # the hits read stay first, in their order
    assert [h.chunk.chunk_id for h in out[2:]] == ["case.md#1", "case.md#2"]  # what was done, what came of it
    assert all(h.by_line for h in out[2:])  # they support; the hits retrieval chose lead


def test_no_problem_section_read_means_nothing_more_is_read() -> None:
    read = [Hit(chunk=CASE[1], score=0.9), Hit(chunk=OTHER[0], score=0.8)]
    assert with_rest_of_document(read, _documents_of) == read


def test_the_catalog_gives_every_chunk_of_a_hits_document_in_order(knowledge_stores) -> None:
    chunks = [c for c in knowledge_stores.catalog.iter_chunks() if c.source == "mentoring/food-haccp-mes.md"]
    situation = next(c for c in chunks if (c.heading or "").endswith("> 상황"))
    found = knowledge_stores.catalog.documents_of([situation.chunk_id])
    assert [c.chunk_id for c in found] == [c.chunk_id for c in sorted(chunks, key=lambda c: c.ord)]
    other = next(c for c in knowledge_stores.catalog.iter_chunks() if c.source == "subsidies/company-share.md")
    both = knowledge_stores.catalog.documents_of([situation.chunk_id, other.chunk_id])
    assert {c.source for c in both} == {"mentoring/food-haccp-mes.md", "subsidies/company-share.md"}
    assert knowledge_stores.catalog.documents_of([]) == []


def test_the_catalog_gives_the_chunk_after_a_chunk_in_its_file(knowledge_stores) -> None:
    chunks = sorted((c for c in knowledge_stores.catalog.iter_chunks() if c.source == "mentoring/food-haccp-mes.md"),
                    key=lambda c: c.ord)
    assert len(chunks) >= 2
    for before, after in zip(chunks, chunks[1:], strict=False):
        following = knowledge_stores.catalog.following(before)
        assert following is not None and following.chunk_id == after.chunk_id
    assert knowledge_stores.catalog.following(chunks[-1]) is None  # the file's end, not another file's start
