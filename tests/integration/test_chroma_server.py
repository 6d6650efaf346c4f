"""The client-server path: ingestion and search against a real `chroma run` server."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answers.retrieval import HybridSearcher
from assistant.errors import Unavailable
from assistant.stores import open_stores
from ingestion.pipeline import Ingestor
from tests.conftest import make_settings
from tests.integration.servers import chroma_server, free_port

pytestmark = pytest.mark.integration


def test_ingest_and_search_through_a_chroma_server(tmp_path: Path) -> None:
    docs = tmp_path / "docs" / "policies"
    docs.mkdir(parents=True)
    (docs / "cloud.md").write_text(
        "---\ntitle: 클라우드 데이터센터\n---\n# 클라우드\n중소기업 클라우드 데이터센터 2곳에 67억 원을 배정했습니다.\n",
        encoding="utf-8",
    )
    (docs / "oee.md").write_text("# OEE\n설비종합효율은 가동률과 성능효율, 양품률을 곱한 값입니다.\n", encoding="utf-8")
    with chroma_server(tmp_path / "chroma-server") as url:
        settings = make_settings(tmp_path / "var", chroma_url=url)
        stores = open_stores(settings)
        report = Ingestor(stores).sync(tmp_path / "docs")
        assert sorted(report.added) == ["policies/cloud.md", "policies/oee.md"]
        assert not (settings.chroma_path).exists()  # vectors live on the server, not in the data dir
        assert stores.collection.count() == stores.catalog.count_chunks()
        searcher = HybridSearcher(stores)
        assert searcher.search("클라우드 센터 예산", 1)[0].chunk.source == "policies/cloud.md"
        dense = searcher.search("클라우드 센터 예산", 2, mode="dense")
        assert dense and dense[0].dense_score is not None
        # the keyword index follows deletions made through the server too
        (docs / "oee.md").unlink()
        Ingestor(stores).sync(tmp_path / "docs")
        assert stores.collection.count() == stores.catalog.count_chunks()
        assert all(h.chunk.source != "policies/oee.md" for h in searcher.search("설비종합효율", 5))
        stores.close()


def test_a_chroma_server_that_is_down_gives_a_clear_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(Unavailable) as info:
        _ = open_stores(settings).client
    assert "Chroma" in info.value.message
