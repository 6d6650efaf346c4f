"""Feedback on answers: thumbs up (+1) or down (-1) and an optional comment.

One rating per message and rater (rating again replaces it). `rater` is whoever rates:
the channel-scoped user id of the asker, or a staff user's id. An owner may rate only
messages in their own conversations.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.conversations import ensure_can_view
from assistant.db.models import Feedback, Message, Role, User, utcnow
from assistant.errors import FMError, NotFound
from assistant.experts.staff import require_role

_UP = {"1", "+1", "up", "good", "like", "👍", "좋아요"}
_DOWN = {"-1", "down", "bad", "dislike", "👎", "싫어요"}


def parse_rating(rating: int | str) -> int:
    value = str(rating).strip().lower()
    if value in _UP:
        return 1
    if value in _DOWN:
        return -1
    raise FMError("invalid_rating", "평가는 좋아요(👍) 또는 싫어요(👎)만 가능합니다.", value)


def record_feedback(
    session: Session,
    *,
    message_id: str,
    rating: int | str,
    rater: str,
    comment: str | None = None,
    user: User | None = None,
    now: datetime | None = None,
    conversation_id: str | None = None,
) -> Feedback:
    """Store (or replace) `rater`'s rating of an answer; `user` is checked if given. With
    `conversation_id` (the path the owner was allowed into), the message must belong to it."""
    score = parse_rating(rating)
    message = session.get(Message, message_id)
    if message is None or (conversation_id is not None and message.conversation_id != conversation_id):
        raise NotFound("message_not_found", "메시지를 찾을 수 없습니다.", message_id)
    if message.role == "user":
        raise FMError("invalid_feedback", "답변에만 평가를 남길 수 있습니다.", message_id)
    if user is not None:
        ensure_can_view(session, user=user, conversation_id=message.conversation_id)
    now = now or utcnow()
    comment = comment.strip()[:2000] if comment and comment.strip() else None
    query = select(Feedback).where(Feedback.message_id == message_id, Feedback.rater == rater)
    row = session.scalar(query.with_for_update())
    if row is None:
        row = Feedback(
            message_id=message_id,
            conversation_id=message.conversation_id,
            rating=score,
            comment=comment,
            rater=rater,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
    else:
        row.rating, row.comment, row.updated_at = score, comment, now
    session.flush()
    return row


def list_feedback(
    session: Session,
    *,
    user: User,
    rating: int | None = None,
    conversation_id: str | None = None,
    limit: int = 100,
) -> list[Feedback]:
    """Recent feedback, for mentors and evaluators."""
    require_role(user, Role.mentor, Role.evaluator)
    query = select(Feedback).order_by(Feedback.updated_at.desc()).limit(limit)
    if rating is not None:
        query = query.where(Feedback.rating == rating)
    if conversation_id is not None:
        query = query.where(Feedback.conversation_id == conversation_id)
    return list(session.scalars(query))
