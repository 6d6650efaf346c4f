"""The hybrid fusion: min-max scaled BM25 and dense scores, with a floor for weak keyword matches."""

from __future__ import annotations

from pathlib import Path

from assistant.answers.fusion import TUNED_FUSION, FusionParams, fuse_scores
from assistant.answers.retrieval import HybridSearcher
from assistant.stores import open_stores
from ingestion.pipeline import Ingestor
from tests.conftest import make_settings

KW = [("a", 12.0), ("b", 9.0), ("c", 3.0)]
DN = [("d", 0.91), ("b", 0.88), ("a", 0.80)]


def _order(scores: dict[str, float]) -> list[str]:
    return [k for k, _ in sorted(scores.items(), key=lambda kv: -kv[1])]


def test_minmax_scores_lie_in_0_1_and_reward_agreement() -> None:
    scores = fuse_scores(KW, DN, FusionParams(dense_weight=0.5))
    assert all(0.0 <= v <= 1.0 for v in scores.values())
    assert set(scores) == {"a", "b", "c", "d"}
    # "b" is second on both sides and beats "d", first on the dense side only
    assert _order(scores).index("b") < _order(scores).index("d")
    assert _order(fuse_scores(KW, DN, FusionParams(dense_weight=0.0)))[0] == "a"
    assert _order(fuse_scores(KW, DN, FusionParams(dense_weight=1.0)))[0] == "d"


def test_no_keyword_match_leaves_the_dense_order() -> None:
    for w in (0.2, 0.5, 0.8):
        assert _order(fuse_scores([], DN, FusionParams(dense_weight=w))) == ["d", "b", "a"]


def test_a_weak_keyword_match_does_not_drown_a_strong_dense_hit() -> None:
    weak_kw = [("x", 1.1), ("y", 1.0)]  # one common word of a long question matched
    dense = [("d", 0.93), ("x", 0.70), ("y", 0.69)]
    stretched = fuse_scores(weak_kw, dense, FusionParams(dense_weight=0.5), idf_total=20.0)
    assert _order(stretched)[0] == "x"  # min-max alone blows 1.1 vs 1.0 up to the full scale
    floored = fuse_scores(weak_kw, dense, FusionParams(dense_weight=0.5, keyword_floor=0.3), idf_total=20.0)
    assert _order(floored)[0] == "d"
    # a strong keyword match (most of the question's idf) is not held back by the floor
    strong_kw = [("x", 15.0), ("y", 4.0)]
    assert _order(fuse_scores(strong_kw, dense, FusionParams(dense_weight=0.5, keyword_floor=0.3),
                              idf_total=20.0))[0] == "x"


def test_rrf_and_weighted_remain_available() -> None:
    assert _order(fuse_scores(KW, DN, FusionParams(method="rrf", dense_weight=1.0)))[0] in {"a", "b"}
    weighted = fuse_scores(KW, DN, FusionParams(method="weighted", dense_weight=0.3))
    assert _order(weighted)[0] == "a"


def test_settings_override_the_tuned_weights(tmp_path: Path) -> None:
    tuned = FusionParams.from_settings(make_settings(tmp_path), "multilingual-e5-small")
    assert tuned.dense_weight == TUNED_FUSION["multilingual-e5-small"]["dense_weight"]
    mine = FusionParams.from_settings(make_settings(tmp_path, dense_weight=0.9, keyword_floor=0.1), "x")
    assert (mine.dense_weight, mine.keyword_floor) == (0.9, 0.1)


def test_an_english_question_finds_the_korean_document(tmp_path: Path) -> None:
    """BM25 over Korean morphemes finds nothing for English words; the e5 side must carry it."""
    kb = tmp_path / "kb"
    kb.mkdir()
    docs = {
        "ppm.md": "# PPM 계산\n\n불량 PPM은 불량 수량을 전체 생산 수량으로 나눈 뒤 100만을 곱해 구합니다.",
        "loan.md": "# 정책자금 융자\n\n정책자금 이자는 분기마다 변동금리로 납부합니다.",
        "mes.md": "# MES 도입\n\nMES를 도입하면 작업지시와 실적을 실시간으로 관리할 수 있습니다.",
    }
    for name, text in docs.items():
        (kb / name).write_text(text, encoding="utf-8")
    stores = open_stores(make_settings(tmp_path / "var", embedding_model="multilingual-e5-small",
                                       sentence_vectors=False))
    Ingestor(stores).sync(kb)
    hits = HybridSearcher(stores).search("How do I calculate the defect rate in parts per million?", 3)
    assert hits and hits[0].chunk.source == "ppm.md"
    stores.close()
