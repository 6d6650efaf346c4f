"""Readiness that really reads and writes: the catalog, the vectors against it, the database.

`/readyz` and warm-up call `readiness(stores, db)`. Each check says ok or not, and when not,
a Korean reason an operator can act on (how many vectors are missing, a database that
answers reads but refuses writes).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from assistant.db import Database
from assistant.stores import Stores

log = logging.getLogger(__name__)

CATALOG_DOWN = "문서 목록(키워드 색인)을 읽을 수 없습니다."
DATABASE_UNREACHABLE = "데이터베이스에 연결할 수 없습니다."
DATABASE_READ_ONLY = "데이터베이스에 쓸 수 없습니다 (파일이나 폴더가 읽기 전용이거나 디스크에 문제가 있습니다)."


@dataclass
class Readiness:
    """One entry per store: ok or not, with a Korean reason and details (counts) when useful."""

    checks: dict[str, bool] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(self.checks.values())

    def set(self, name: str, ok: bool, reason: str = "", **details: Any) -> None:
        self.checks[name] = ok
        if reason and not ok:
            self.reasons[name] = reason
        if details:
            self.details[name] = details

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": "ok" if self.ok else "unavailable", "checks": dict(self.checks)}
        if self.reasons:
            out["reasons"] = dict(self.reasons)
            out["message"] = " ".join(self.reasons.values())
        if self.details:
            out["details"] = dict(self.details)
        return out


def readiness(stores: Stores, db: Database | None) -> Readiness:
    """Probe the catalog, the vector store (against the catalog's count) and the database."""
    result = Readiness()
    try:
        stores.catalog.generation  # noqa: B018 - reading it is the probe
        result.set("catalog", True)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        log.warning("readiness: catalog unreadable (%s)", type(exc).__name__)
        result.set("catalog", False, CATALOG_DOWN)
        return _without_vectors(result, db)
    vectors = stores.vector_watch.check()
    result.set("vectors", vectors.ok, vectors.reason(), chunks=vectors.chunks, vectors=vectors.vectors,
               missing=vectors.missing)
    _check_database(result, db)
    return result


def _without_vectors(result: Readiness, db: Database | None) -> Readiness:
    result.set("vectors", False, "문서 목록을 읽을 수 없어 검색 저장소를 비교하지 못했습니다.")
    _check_database(result, db)
    return result


def _check_database(result: Readiness, db: Database | None) -> None:
    if db is None:
        result.set("database", True)
        return
    try:
        db.ping()
    except Exception as exc:  # noqa: BLE001
        log.warning("readiness: database unreachable (%s)", type(exc).__name__)
        result.set("database", False, DATABASE_UNREACHABLE)
        return
    try:
        db.check_writable()
    except Exception as exc:  # noqa: BLE001
        log.warning("readiness: database refuses writes (%s: %s)", type(exc).__name__, str(exc).splitlines()[0][:200])
        result.set("database", False, DATABASE_READ_ONLY)
        return
    result.set("database", True)
