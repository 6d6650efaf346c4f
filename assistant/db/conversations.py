"""Conversation rows and turns in the database (session first, keyword-only arguments).

Used by `assistant.conversations.SqlConversationStore` and by the ticket workflow, which
appends the expert's answer in the same transaction as the state change. Access rules:
owners see only their own conversations (by account or channel handle), experts those of
tickets assigned to them, mentors, evaluators and admins all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from assistant.db.models import Conversation, Message, Role, Ticket, TicketStatus, User, utcnow
from assistant.errors import Forbidden, NotFound
from assistant.types import Turn

# A conversation's ticket is live (one per conversation; the owner's new messages can reach it)
# in these states. Once answered, a new question escalates as a new ticket. Who answers in
# each state is decided in `assistant.experts.holding`.
HOLDING_STATUSES: tuple[str, ...] = (
    TicketStatus.open,
    TicketStatus.reopened,
    TicketStatus.claimed,
)


def conversation_not_found(conversation_id: str) -> NotFound:
    return NotFound("conversation_not_found", "대화를 찾을 수 없습니다.", conversation_id)


def create_conversation(
    session: Session,
    *,
    channel: str,
    user_id: str | None,
    reply_to: dict[str, Any] | None = None,
    owner_id: str | None = None,
    region: str | None = None,
    now: datetime | None = None,
) -> Conversation:
    now = now or utcnow()
    conv = Conversation(
        channel=str(channel),
        user_id=user_id,
        owner_id=owner_id,
        reply_to=dict(reply_to or {}),
        region=region,
        created_at=now,
        updated_at=now,
    )
    session.add(conv)
    session.flush()
    return conv


def get_conversation(session: Session, *, conversation_id: str, lock: bool = False) -> Conversation:
    query = select(Conversation).where(Conversation.id == conversation_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    conv = session.scalar(query)
    if conv is None:
        raise conversation_not_found(conversation_id)
    return conv


def append_message(
    session: Session,
    *,
    conversation_id: str,
    turn: Turn,
    author_id: str | None = None,
    confidence: float | None = None,
    ticket_id: str | None = None,
    meta: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Message:
    """Add one turn; the conversation row is locked so turn numbers never collide."""
    now = now or utcnow()
    conv = get_conversation(session, conversation_id=conversation_id, lock=True)
    last = session.scalar(select(func.max(Message.seq)).where(Message.conversation_id == conversation_id))
    message = Message(
        conversation_id=conversation_id,
        seq=(last or 0) + 1,
        role=turn.role,
        text=turn.text,
        decision=turn.decision.value if turn.decision else None,
        confidence=confidence,
        citations=[c.model_dump(mode="json") for c in turn.citations],
        subject=turn.subject,
        author_id=author_id,
        ticket_id=ticket_id,
        meta=dict(meta or {}),
        created_at=turn.created_at or now,
    )
    conv.updated_at = now
    session.add(message)
    session.flush()
    return message


def message_to_turn(message: Message) -> Turn:
    return Turn.model_validate(
        {
            "role": message.role,
            "text": message.text,
            "created_at": message.created_at,
            "decision": message.decision,
            "citations": message.citations or [],
            "subject": message.subject,
            "message_id": message.id,
        }
    )


def load_history(session: Session, *, conversation_id: str, limit: int = 20) -> list[Turn]:
    """The last `limit` turns, oldest first."""
    get_conversation(session, conversation_id=conversation_id)
    if limit <= 0:
        return []
    query = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.seq.desc())
        .limit(limit)
    )
    return [message_to_turn(m) for m in reversed(list(session.scalars(query)))]


def is_held(session: Session, *, conversation_id: str) -> bool:
    query = select(Ticket.id).where(
        Ticket.conversation_id == conversation_id, Ticket.status.in_(HOLDING_STATUSES)
    )
    return session.scalar(query.limit(1)) is not None


def _owned_by(user: User) -> Any:
    """SQL condition: conversations this user owns (by account, or by a channel handle)."""
    condition = Conversation.owner_id == user.id
    for channel, handle in (user.handles or {}).items():
        if handle:
            condition = condition | (
                (Conversation.channel == channel) & (Conversation.user_id == str(handle))
            )
    return condition


def _visible_to(user: User) -> Any:
    if user.role in (Role.admin, Role.mentor, Role.evaluator):
        return true()
    if user.role == Role.expert:
        mine = select(Ticket.conversation_id).where(Ticket.assignee_id == user.id)
        return Conversation.id.in_(mine) | _owned_by(user)
    return _owned_by(user)


def list_conversations(
    session: Session, *, user: User, limit: int = 50, offset: int = 0
) -> list[Conversation]:
    """Owners see only their own; experts those of their tickets; mentors, evaluators, admins all."""
    query = (
        select(Conversation)
        .where(_visible_to(user))
        .order_by(Conversation.updated_at.desc(), Conversation.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def ensure_can_view(session: Session, *, user: User, conversation_id: str) -> Conversation:
    """The conversation, if this user may see it; `Forbidden` (or `NotFound`) otherwise."""
    conv = get_conversation(session, conversation_id=conversation_id)
    visible = session.scalar(
        select(Conversation.id).where(Conversation.id == conversation_id, _visible_to(user))
    )
    if not user.active or visible is None:
        raise Forbidden("forbidden", "이 대화를 볼 권한이 없습니다.", f"user {user.id} on {conversation_id}")
    return conv


def turns_as_dicts(turns: Sequence[Turn]) -> list[dict[str, Any]]:
    return [t.model_dump(mode="json") for t in turns]
