"""Fixtures shared by the whole suite: settings in a temp data dir, the shipped knowledge ingested once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.settings import Settings  # noqa: E402
from assistant.stores import Stores, open_stores  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"
SHARED = REPO.parent / "shared"


# Document vectors are cached by (model, content hash) in one file shared by every data dir the
# suite builds, and kept between runs (var/ is not committed): the shipped knowledge is embedded
# once per machine, not once per test or per session.
EMBEDDING_CACHE = REPO / "var" / "test-embedding-cache.sqlite"


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings isolated from the developer's environment and .env file."""
    overrides.setdefault("embedding_cache_path", EMBEDDING_CACHE)
    return Settings(_env_file=None, data_dir=data_dir, **overrides)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "var")


@pytest.fixture
def stores(settings: Settings) -> Stores:
    s = open_stores(settings)
    yield s
    s.close()


@pytest.fixture(scope="session")
def knowledge_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A data dir holding the shipped knowledge base, ingested once for the session."""
    from ingestion.pipeline import Ingestor

    settings = make_settings(tmp_path_factory.mktemp("knowledge") / "var")
    stores = open_stores(settings)
    report = Ingestor(stores).sync(KNOWLEDGE)
    assert not report.failed, report.failed
    stores.close()
    return settings


@pytest.fixture(scope="session")
def knowledge_stores(knowledge_settings: Settings) -> Stores:
    s = open_stores(knowledge_settings)
    s.warm()  # as a server does at start-up: no test's first question pays the model load
    yield s
    s.close()
