from __future__ import annotations

import pytest

from assistant.answers.retrieval import HybridSearcher
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.stores import Stores


@pytest.fixture(scope="session")
def shared_searcher(knowledge_stores: Stores) -> HybridSearcher:
    searcher = HybridSearcher(knowledge_stores)
    searcher.refresh()
    return searcher


@pytest.fixture
def assistant(knowledge_settings: Settings, knowledge_stores: Stores, shared_searcher: HybridSearcher) -> Assistant:
    """The answering service on the shipped knowledge, conversations in memory, no LLM."""
    return Assistant(knowledge_settings, knowledge_stores, searcher=shared_searcher)


def llm_assistant(settings: Settings, stores: Stores, searcher: HybridSearcher, base_url: str,
                  timeout: float = 5.0) -> Assistant:
    llm_settings = settings.model_copy(update={
        "llm_base_url": base_url, "llm_model": "fake-model", "llm_api_key": "sk-test-0000", "llm_timeout_s": timeout,
    })
    return Assistant(llm_settings, stores, searcher=searcher)
