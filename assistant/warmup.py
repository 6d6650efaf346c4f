"""Warm start: load and exercise what the first question needs before the service says ready.

Without it the first question after start-up pays for loading the embedding model, the
morphological analyser and the keyword index (5 s and more on a small machine: past
KakaoTalk's 5-second limit). `warm_up` runs one mentor draft, which loads the morphological
analyser and the embedding model and does one real encode, one hybrid search and one
composition, records nothing; then it configures the ORM mappers and pings the stores and
the database (the first conversation row would otherwise pay for both). Before that it
compares the vector store with the catalog and puts back, from the vector cache, vectors
that went missing (a Chroma directory deleted while the service was down).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy.orm import configure_mappers

from assistant.stores import Stores
from assistant.stores.health import restore_missing_vectors

log = logging.getLogger(__name__)

WARM_QUESTION = "스마트공장 지원사업 신청 자격은 어떻게 되나요?"


def warm_up(assistant: Any) -> float:
    """Seconds spent warming; a failure is logged, not raised (readiness checks the stores)."""
    started = time.perf_counter()
    try:
        _vectors_complete(assistant.stores)
        assistant.draft(WARM_QUESTION)
        configure_mappers()
        assistant.check_ready()
    except Exception as exc:  # noqa: BLE001 - a cold first answer is better than no service
        log.warning("warm-up failed (%s): the first question will load the models", type(exc).__name__)
    elapsed = time.perf_counter() - started
    log.info("warm-up done in %.0f ms (embedding model, keyword index, search, composition)", elapsed * 1000)
    return elapsed


def _vectors_complete(stores: Stores) -> None:
    """A vector store that lost chunks (its directory deleted before this start) is noticed here
    and refilled from the vector cache (no model call); what the cache lacks stays missing, is
    logged, and `/readyz` reports it until `factory-mentor ingest` re-embeds it."""
    check = stores.vector_watch.check()
    if check.ok or check.error:
        return
    restored = restore_missing_vectors(stores, cached_only=True)
    if restored:
        log.warning("warm-up: the vector store had lost %d chunk vectors; %d restored from the vector cache",
                    check.missing, restored)
    stores.vector_watch.check()
