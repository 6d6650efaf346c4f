"""Which hits are read, scored by the real embedding model: the section holding the line that
answers is read before a section only about the topic in general, and the hits read keep the
order retrieval gave them."""

from __future__ import annotations

import pytest

from assistant.answers.rerank import read_first
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
