"""Tickets: questions handed to people. This module creates, routes, finds and lists them;
`assistant.experts.workflow` moves them through their states.

    open --claim--> claimed --answer--> answered --close--> closed
      ^                                    |                  |
      +-- reopened <------reopen-----------+------------------+

Created on `escalate`, on the user's "전문가 연결" after `offer_expert`, or by a mentor;
routed at creation (`assistant.experts.routing`); due by priority (`assistant.experts.sla`). The ticket,
its first events and its notices are written in the caller's transaction.

One live ticket (open, reopened, claimed) per conversation; who answers the owner's new
messages meanwhile is decided in `assistant.experts.holding`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.conversations import HOLDING_STATUSES, load_history
from assistant.db.models import Conversation, Priority, Role, Ticket, TicketStatus, User, utcnow
from assistant.errors import FMError, Forbidden, NotFound
from assistant.experts.events import notify_staff, record_event
from assistant.experts.routing import pick_expert, topic_for
from assistant.experts.sla import due_at_for
from assistant.experts.staff import require_role
from assistant.settings import Settings
from assistant.types import Citation, Question, Turn

logger = logging.getLogger(__name__)

ORIGINS = ("escalate", "offer_expert", "mentor")
CLAIMABLE: tuple[str, ...] = (TicketStatus.open, TicketStatus.reopened)
HANDLER_ROLES = (Role.expert, Role.mentor)  # (admin passes every check)


def citation_dicts(sources: Sequence[Citation | dict[str, Any]]) -> list[dict[str, Any]]:
    return [s.model_dump(mode="json") if isinstance(s, Citation) else dict(s) for s in sources]


def get_ticket(session: Session, *, ticket_id: str, user: User | None = None, lock: bool = False) -> Ticket:
    """The ticket; with `user`, only if they may see it (experts: theirs or the queue)."""
    query = select(Ticket).where(Ticket.id == ticket_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    ticket = session.scalar(query)
    if ticket is None:
        raise NotFound("ticket_not_found", "문의를 찾을 수 없습니다.", ticket_id)
    if user is not None:
        require_role(user, *HANDLER_ROLES, Role.evaluator)
        if user.role == Role.expert and ticket.assignee_id not in (None, user.id):
            raise Forbidden("forbidden", "다른 전문가에게 배정된 문의입니다.", f"{ticket_id} for {user.id}")
    return ticket


def holding_ticket(session: Session, *, conversation_id: str) -> Ticket | None:
    """The conversation's live ticket (open, reopened or claimed), if any."""
    query = (
        select(Ticket)
        .where(Ticket.conversation_id == conversation_id, Ticket.status.in_(HOLDING_STATUSES))
        .order_by(Ticket.created_at.desc())
        .limit(1)
    )
    return session.scalar(query)


def route_ticket(
    session: Session, *, settings: Settings, ticket: Ticket, actor: User | None, now: datetime
) -> None:
    choice = pick_expert(session, topic=ticket.topic, region=ticket.region)
    ticket.assignee_id = choice.user_id if choice else None
    kind = "assigned" if choice else "queued"
    detail = {
        "assignee_id": ticket.assignee_id,
        "routing": choice.reason(ticket.topic) if choice else "queue",
    }
    event = record_event(session, ticket=ticket, kind=kind, actor=actor, now=now, detail=detail)
    holder = choice.expert.user if choice else None
    notify_kind = "ticket_assigned" if choice else "ticket_queued"
    notify_staff(
        session, settings=settings, ticket=ticket, user=holder, kind=notify_kind, event=event, now=now
    )


@dataclass(frozen=True)
class TicketRequest:
    """What a new ticket is made of: the question, where the asker is, what the bot had."""

    question: str
    channel: str
    user_id: str | None
    reply_to: dict[str, Any] = field(default_factory=dict)
    conversation_id: str | None = None
    history: Sequence[Turn] | None = None  # default: the stored conversation
    sources: Sequence[Citation | dict[str, Any]] = ()
    draft: str | None = None
    region: str | None = None
    priority: str = Priority.normal
    origin: str = "escalate"
    topic: str | None = None  # default: `routing.topic_for`

    @classmethod
    def for_question(cls, question: Question, **rest: Any) -> TicketRequest:
        """A request carrying a channel's `Question` (text, asker, reply address, region)."""
        return cls(question=question.text, channel=question.channel.value, user_id=question.user_id,
                   reply_to=dict(question.reply_to or {}), conversation_id=question.conversation_id,
                   region=question.region, **rest)


def _checked_priority(request: TicketRequest, created_by: User | None) -> str:
    if request.origin not in ORIGINS:
        raise FMError("invalid_origin", "알 수 없는 문의 경로입니다.", request.origin)
    if request.origin == "mentor" or created_by is not None:
        require_role(created_by, Role.mentor)
    try:
        return Priority(request.priority).value
    except ValueError as exc:
        raise FMError("invalid_priority", "알 수 없는 우선순위입니다.", str(request.priority)) from exc


def _earlier_questions(question: str, history: Sequence[Turn] | None) -> list[str]:
    return [t.text for t in history or [] if t.role == "user" and t.text.strip() != question.strip()]


def _new_ticket(settings: Settings, request: TicketRequest, conversation_id: str | None,
                history: Sequence[Turn] | None, priority: str, created_by: User | None, now: datetime) -> Ticket:
    source_dicts = citation_dicts(request.sources)
    return Ticket(
        conversation_id=conversation_id,
        question=request.question,
        history=[t.model_dump(mode="json") for t in history or []],
        sources=source_dicts,
        draft=request.draft,
        channel=str(request.channel),
        user_id=request.user_id,
        reply_to=dict(request.reply_to or {}),
        region=request.region,
        topic=request.topic or topic_for(request.question, _earlier_questions(request.question, history)),
        priority=priority,
        origin=request.origin,
        status=TicketStatus.open,
        created_by=created_by.id if created_by else None,
        due_at=due_at_for(settings, priority, now),
        sla_stage=0,
        created_at=now,
        updated_at=now,
    )


def create_ticket(
    session: Session,
    *,
    settings: Settings,
    request: TicketRequest,
    created_by: User | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Open a ticket (or return the one already holding this conversation) and route it.

    A mentor creating a ticket passes `created_by` and `origin="mentor"`. A conversation
    the database does not keep (an in-memory store) is not linked; its `history` is copied.
    """
    priority = _checked_priority(request, created_by)
    now = now or utcnow()
    conversation_id, history = request.conversation_id, request.history
    if conversation_id is not None and session.get(Conversation, conversation_id) is None:
        conversation_id = None
    if conversation_id is not None:
        existing = holding_ticket(session, conversation_id=conversation_id)
        if existing is not None:
            logger.info("conversation %s already held by ticket %s", conversation_id, existing.id)
            return existing
        if history is None:
            history = load_history(session, conversation_id=conversation_id, limit=50)
    ticket = _new_ticket(settings, request, conversation_id, history, priority, created_by, now)
    session.add(ticket)
    session.flush()
    detail = {"origin": request.origin, "priority": priority, "topic": ticket.topic, "channel": ticket.channel}
    record_event(
        session,
        ticket=ticket,
        kind="created",
        actor=created_by,
        now=now,
        to_status=TicketStatus.open,
        detail=detail,
    )
    route_ticket(session, settings=settings, ticket=ticket, actor=created_by, now=now)
    logger.info(
        "ticket %s created (%s, %s) -> %s", ticket.id, ticket.topic, priority, ticket.assignee_id or "queue"
    )
    return ticket


def list_tickets(
    session: Session,
    *,
    user: User | None = None,
    status: str | Sequence[str] | None = None,
    topic: str | None = None,
    assignee_id: str | None = None,
    unassigned: bool = False,
    overdue: bool | None = None,
    now: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Ticket]:
    """Tickets by status, topic, assignee, queue or overdue; experts see theirs and the queue."""
    query = select(Ticket)
    if user is not None:
        require_role(user, *HANDLER_ROLES, Role.evaluator)
        if user.role == Role.expert:
            query = query.where((Ticket.assignee_id == user.id) | Ticket.assignee_id.is_(None))
    if status is not None:
        query = query.where(Ticket.status.in_([status] if isinstance(status, str) else list(status)))
    if topic is not None:
        query = query.where(Ticket.topic == topic)
    if assignee_id is not None:
        query = query.where(Ticket.assignee_id == assignee_id)
    if unassigned:
        query = query.where(Ticket.assignee_id.is_(None))
    if overdue is not None:
        now = now or utcnow()
        late = Ticket.status.in_((*CLAIMABLE, TicketStatus.claimed)) & (Ticket.due_at <= now)
        query = query.where(late if overdue else ~late)
    query = query.order_by(Ticket.due_at, Ticket.created_at, Ticket.id).limit(limit).offset(offset)
    return list(session.scalars(query))

