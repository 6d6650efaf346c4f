"""The in-app inbox: what the web channel (chat page, staff console) shows a user later.

`InboxSender` is the outbox sender for in-app delivery and an idempotent receiver: an item
is stored under the delivery's idempotency key, which is unique, so a delivery retried
after a worker crash is stored (and shown to the user) once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.engine import rowcount, session_scope
from assistant.db.models import InboxItem, utcnow
from assistant.delivery.outbox import Delivery

logger = logging.getLogger(__name__)

STAFF_INBOX = "staff"  # user id of the shared staff queue (unassigned tickets)

# channels delivered to the in-app inbox unless the process has a sender of their own;
# KakaoTalk cannot push, so its deliveries wait here for the user's next message
IN_APP_CHANNELS = ("web", "cli", "api", "kakao")


def store_delivery(session: Session, *, delivery: Delivery, now: datetime | None = None) -> bool:
    """Keep the delivery in the inbox; False if its key was already delivered."""
    key = delivery.idempotency_key
    if session.scalar(select(InboxItem.id).where(InboxItem.idempotency_key == key)) is not None:
        return False
    session.add(
        InboxItem(
            idempotency_key=key,
            channel=delivery.channel,
            user_id=delivery.recipient.get("user_id"),
            conversation_id=delivery.conversation_id or delivery.recipient.get("conversation_id"),
            kind=delivery.kind,
            payload=delivery.payload,
            created_at=now or utcnow(),
        )
    )
    session.flush()
    return True


class InboxSender:
    """Outbox sender for in-app delivery (the composition root gives it the `IN_APP_CHANNELS`)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def _store(self, delivery: Delivery) -> bool:
        try:
            with session_scope(self._sessions) as s:
                return store_delivery(s, delivery=delivery)
        except IntegrityError:  # a concurrent retry stored it first
            return False

    async def __call__(self, delivery: Delivery) -> None:
        stored = await asyncio.to_thread(self._store, delivery)
        if not stored:
            logger.info("delivery %s already in the inbox; not stored twice", delivery.id)


def list_inbox(
    session: Session, *, user_id: str, channel: str | None = None, unread_only: bool = False, limit: int = 50
) -> list[InboxItem]:
    query = select(InboxItem).where(InboxItem.user_id == user_id)
    if channel is not None:
        query = query.where(InboxItem.channel == channel)
    if unread_only:
        query = query.where(InboxItem.read_at.is_(None))
    return list(session.scalars(query.order_by(InboxItem.created_at.desc()).limit(limit)))


def mark_read(session: Session, *, user_id: str, item_ids: list[str], now: datetime | None = None) -> int:
    result = session.execute(
        update(InboxItem)
        .where(InboxItem.user_id == user_id, InboxItem.id.in_(item_ids), InboxItem.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    return rowcount(result)
