"""Hybrid search over the shipped knowledge: fusion, filters, near-duplicates, LangChain retriever."""

from __future__ import annotations

from assistant.answers.retrieval import Hit, HybridRetriever, HybridSearcher
from assistant.stores import Stores
from assistant.stores.catalog import Chunk


def test_hybrid_finds_the_document_in_other_words(knowledge_stores: Stores) -> None:
    searcher = HybridSearcher(knowledge_stores)
    hits = searcher.search("설비종합효율 계산하는 법", 5)
    assert any(h.chunk.source == "policies/oee.md" for h in hits)
    assert hits[0].score >= hits[-1].score


def test_modes_differ_and_report_their_ranks(knowledge_stores: Stores) -> None:
    searcher = HybridSearcher(knowledge_stores)
    keyword = searcher.search("미니클러스터 몇 개", 5, mode="keyword")
    dense = searcher.search("미니클러스터 몇 개", 5, mode="dense")
    assert all(h.keyword_rank is not None and h.dense_rank is None for h in keyword)
    assert all(h.dense_rank is not None and h.keyword_rank is None for h in dense)
    hybrid = searcher.search("미니클러스터 몇 개", 5)
    assert hybrid[0].chunk.source.startswith("policies/mini-clusters")


def test_kind_filter(knowledge_stores: Stores) -> None:
    searcher = HybridSearcher(knowledge_stores)
    hits = searcher.search("MES 구축", 8, filters={"kind": "supplier"})
    assert hits and all(h.chunk.kind == "supplier" for h in hits)
    hits = searcher.search("MES 구축", 8, filters={"kind": "mentoring"})
    assert hits and all(h.chunk.kind == "mentoring" for h in hits)


def test_region_and_industry_filters(knowledge_stores: Stores) -> None:
    searcher = HybridSearcher(knowledge_stores)
    hits = searcher.search("MES", 10, filters={"kind": "supplier", "region": "부산"})
    assert hits and all(h.chunk.metadata.get("region") == "부산" for h in hits)
    hits = searcher.search("MES", 10, filters={"kind": "supplier", "industry": "식품"})
    assert hits and all("식품" in h.chunk.metadata.get("industries", "") for h in hits)


def test_near_duplicates_are_collapsed() -> None:
    def hit(cid: str, terms: list[str], score: float) -> Hit:
        return Hit(Chunk(cid, f"{cid}.md", cid, "policy", " ".join(terms), terms=terms), score)

    same = ["스마트", "공장", "수준", "확인", "제도", "5", "단계"]
    hits = [hit("a", same, 0.9), hit("b", same + ["확인"], 0.8), hit("c", ["금형", "타수"], 0.7)]
    kept = HybridSearcher._collapse(hits, 0.9)
    assert [h.chunk.chunk_id for h in kept] == ["a", "c"]


def test_empty_query_and_empty_store(stores: Stores, knowledge_stores: Stores) -> None:
    assert HybridSearcher(knowledge_stores).search("   ") == []
    assert HybridSearcher(stores).search("MES 비용") == []


def test_langchain_retriever_interface(knowledge_stores: Stores) -> None:
    retriever = HybridRetriever(searcher=HybridSearcher(knowledge_stores), k=3)
    docs = retriever.invoke("클라우드 데이터센터 예산")
    assert len(docs) == 3
    first = docs[0]
    assert first.metadata["source"] and first.metadata["title"] and first.metadata["kind"]
    assert isinstance(first.metadata["score"], float)
    assert first.page_content


def test_reading_further_down_the_fused_list_keeps_its_top(knowledge_stores: Stores) -> None:
    """The answer re-ranks 30 hits by their best line; they are read off the very list that the
    top five are fused from, so a wider read never reorders the top."""
    searcher = HybridSearcher(knowledge_stores)
    top = searcher.search("최종점검에서 떨어지면 어떻게 돼요?", 5)
    wider = searcher.search("최종점검에서 떨어지면 어떻게 돼요?", 30, candidates=30)
    assert len(wider) > 10
    assert [(h.chunk.chunk_id, round(h.score, 9)) for h in wider[:5]] == [
        (h.chunk.chunk_id, round(h.score, 9)) for h in top]
