"""`bench keyword`: BM25 in SQL ranks like the in-memory index, on SQLite and (if one can be started) PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from typer.testing import CliRunner

from assistant.korean import morphemes, morphemes_many
from assistant.stores.keyword_index import KeywordIndex
from channels.cli import _register, app
from evals.bench.keyword import same_up_to_ties
from evals.bench.keyword_sql import SqlBm25
from tests.conftest import KNOWLEDGE

_register()

TEXTS = [
    "스마트공장 구축 지원사업의 기업 부담금은 총사업비의 50%입니다.",
    "설비종합효율(OEE)은 가동률, 성능효율, 양품률의 곱입니다. 양품률이 낮으면 OEE도 낮습니다.",
    "MES는 생산 실적과 불량을 실시간으로 모읍니다. MES 도입 전에 공정 표준화가 필요합니다.",
    "금형 교체 시간을 줄이면 가동률이 오릅니다. 셋 업 시간 단축은 SMED라고 부릅니다.",
    "정부 지원금은 현물 출자를 절반까지 인정합니다. 부담금 납부 기한을 지켜야 합니다.",
    "",
]
QUESTIONS = ["기업 부담금은 얼마인가요?", "OEE는 어떻게 계산하나요?", "MES 도입 전에 무엇이 필요한가요?",
             "가동률을 올리려면?", "셋 업 시간 단축", "양품률 불량"]


def _sql_ranks_like_memory(url: str) -> None:
    corpus = [(f"doc{i}#0", text, terms) for i, (text, terms) in enumerate(zip(TEXTS, morphemes_many(TEXTS),
                                                                              strict=True))]
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    store = SqlBm25(engine)
    store.create()
    try:
        store.load(corpus)
        index = KeywordIndex(store.terms())
        assert index.size == len(TEXTS)
        for question in QUESTIONS:
            terms = morphemes(question)
            in_sql, in_memory = store.top(terms, 5), index.top(terms, 5)
            assert in_sql, question
            assert [n for n, _ in in_sql] == [n for n, _ in in_memory], question
            assert same_up_to_ties(in_sql, in_memory), (question, in_sql, in_memory)
        assert store.top(["없는낱말"], 5) == [] and store.top([], 5) == []
        assert store.top(morphemes("기업 부담금"), 5)[0][0] == 0
    finally:
        store.drop()
        engine.dispose()


def test_sql_bm25_ranks_like_the_in_memory_index_on_sqlite(tmp_path: Path) -> None:
    _sql_ranks_like_memory(f"sqlite:///{tmp_path / 'kw.sqlite'}")


@pytest.mark.integration
def test_sql_bm25_ranks_like_the_in_memory_index_on_postgresql(pg_url: str) -> None:
    _sql_ranks_like_memory(pg_url)


def _bench(tmp_path: Path, *extra: str) -> dict:
    out = tmp_path / "bench"
    result = CliRunner().invoke(app, ["bench", "keyword", "--scales", "200", "--queries", "8", "--knowledge",
                                      str(KNOWLEDGE), "--data-dir", str(tmp_path / "var"), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    assert "| database | chunks |" in (out / "keyword-200.md").read_text(encoding="utf-8")
    return json.loads((out / "keyword-200.json").read_text(encoding="utf-8"))


def _check(row: dict) -> None:
    assert row["chunks"] == 200 and row["postings"] > 200
    assert row["sql"]["query"]["p50_ms"] > 0 and row["sql"]["write_s"] >= 0
    assert row["memory"]["query"]["p50_ms"] > 0 and row["memory"]["rebuild_s"] > 0
    assert row["top5_same_up_to_ties_share"] == 1.0 and row["top5_overlap"] > 0.9
    assert len(row["load_average"]) == 3


def test_bench_keyword_on_sqlite_writes_both_ways(tmp_path: Path) -> None:
    figures = _bench(tmp_path)
    assert [r["database"] for r in figures["results"]] == ["SQLite"] and figures["queries"] == 8
    _check(figures["results"][0])
    assert not (tmp_path / "var" / "index.sqlite").exists()  # the sentence pool was built elsewhere


@pytest.mark.integration
def test_bench_keyword_on_both_databases(tmp_path: Path, pg_url: str) -> None:
    figures = _bench(tmp_path, "--database-url", pg_url)
    assert [r["database"] for r in figures["results"]] == ["SQLite", "PostgreSQL"]
    for row in figures["results"]:
        _check(row)
