"""Factories with keyword defaults for storage tests (shared by the SQLite and PostgreSQL tiers)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from assistant.db.conversations import append_message, create_conversation
from assistant.db.models import Ticket, User
from assistant.experts.staff import create_user
from assistant.experts.tickets import TicketRequest, create_ticket
from assistant.settings import Settings
from assistant.types import Citation, Turn

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday morning, UTC


def storage_settings(data_dir: Path, *, database_url: str | None = None, **overrides: Any) -> Settings:
    """Settings for storage tests: no .env, SQLite unless a URL is given, fast and deterministic."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "outbox_lease_s": 30.0,
        "outbox_send_timeout_s": 5.0,
        "outbox_backoff_base_s": 10.0,
        "outbox_backoff_max_s": 3600.0,
        "outbox_max_attempts": 4,
        "outbox_poll_interval_s": 0.05,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def citation(
    n: int = 1, *, title: str = "MES 도입 가이드", source: str = "policies/mes-guide.md", kind: str = "policy"
) -> Citation:
    return Citation(
        n=n,
        chunk_id=f"{source}#{n}",
        title=title,
        source=source,
        snippet="MES는 생산 실적을 모읍니다.",
        kind=kind,
    )


def make_user(session: Session, *, name: str = "이멘토", role: str = "mentor", **kwargs: Any) -> User:
    return create_user(session, name=name, role=role, **kwargs)


def make_expert(
    session: Session,
    *,
    name: str = "박전문",
    expertise: Sequence[str] = ("MES",),
    region: str | None = "경기",
    capacity: int = 5,
    handles: dict[str, str] | None = None,
    regions: Sequence[str] | None = None,
) -> User:
    return create_user(
        session,
        name=name,
        role="expert",
        expertise=expertise,
        region=region,
        capacity=capacity,
        handles=handles,
        regions=regions,
    )


def make_conversation(
    session: Session,
    *,
    channel: str = "web",
    user_id: str | None = "web-user-1",
    owner_id: str | None = None,
    reply_to: dict[str, Any] | None = None,
    turns: Sequence[Turn] = (),
) -> str:
    conv = create_conversation(
        session, channel=channel, user_id=user_id, owner_id=owner_id, reply_to=reply_to
    )
    for turn in turns:
        append_message(session, conversation_id=conv.id, turn=turn)
    return conv.id


def make_ticket(
    session: Session,
    settings: Settings,
    *,
    question: str = "MES 도입하려면 무엇부터 준비해야 하나요?",
    channel: str = "web",
    user_id: str | None = "web-user-1",
    region: str | None = "경기",
    conversation_id: str | None = None,
    priority: str = "normal",
    now: datetime = T0,
    **kwargs: Any,
) -> Ticket:
    created_by = kwargs.pop("created_by", None)
    request = TicketRequest(question=question, channel=channel, user_id=user_id, region=region,
                            conversation_id=conversation_id, priority=priority, **kwargs)
    return create_ticket(session, settings=settings, request=request, created_by=created_by, now=now)


class FakeClock:
    """A settable clock for workers and sweeps."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += timedelta(seconds=seconds)
