"""Ticket state changes: claim, answer, close, reopen.

Each one locks the ticket row (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite every
transaction holds the write lock from `BEGIN IMMEDIATE`), checks the state and the
actor's role, then writes the change, its `TicketEvent` and any outbox rows in the
caller's transaction. The ticket's `version` counter refuses a stale write as a second
line of defence. Of two concurrent claims exactly one wins; the other gets 409
`ticket_not_claimable` (or `ticket_changed`).

Actors: experts act on tickets assigned to them (or queued); mentors on any; admins on
everything. `close_ticket`/`reopen_ticket` also accept `user=None` (the system, or the
asker's own request relayed by their channel) and an owner user for their own
conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from assistant.db.conversations import append_message, ensure_can_view
from assistant.db.models import Role, Ticket, TicketStatus, User, utcnow
from assistant.errors import Conflict, FMError, Forbidden
from assistant.experts.events import deliver_answer, notify_staff, record_event
from assistant.experts.notes import create_note
from assistant.experts.sla import due_at_for
from assistant.experts.staff import has_role, require_role
from assistant.experts.tickets import (
    CLAIMABLE,
    HANDLER_ROLES,
    citation_dicts,
    get_ticket,
    route_ticket,
)
from assistant.settings import Settings
from assistant.types import Citation, Turn

logger = logging.getLogger(__name__)


def _change(ticket: Ticket, to_status: str, now: datetime) -> str:
    from_status = ticket.status
    ticket.status = to_status
    ticket.updated_at = now
    return from_status


def _flush(session: Session, ticket_id: str) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            "ticket_changed", "다른 사람이 먼저 이 문의를 변경했습니다. 다시 시도해 주세요.", ticket_id
        ) from exc


def claim_ticket(session: Session, *, ticket_id: str, user: User, now: datetime | None = None) -> Ticket:
    """Take an open ticket. Experts may take theirs or queued ones; mentors any open one."""
    require_role(user, *HANDLER_ROLES)
    now = now or utcnow()
    ticket = get_ticket(session, ticket_id=ticket_id, user=user, lock=True)
    if ticket.status not in CLAIMABLE:
        raise Conflict(
            "ticket_not_claimable",
            "이미 다른 담당자가 맡았거나 끝난 문의입니다.",
            f"{ticket_id} is {ticket.status}",
        )
    from_status = _change(ticket, TicketStatus.claimed, now)
    previous = ticket.assignee_id
    ticket.assignee_id = user.id
    ticket.claimed_at = now
    record_event(
        session,
        ticket=ticket,
        kind="claimed",
        actor=user,
        now=now,
        from_status=from_status,
        to_status=TicketStatus.claimed,
        detail={"previous_assignee": previous},
    )
    _flush(session, ticket_id)
    return ticket


def answer_ticket(
    session: Session,
    *,
    settings: Settings,
    ticket_id: str,
    user: User,
    answer: str,
    sources: Sequence[Citation | dict[str, Any]] | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Answer a ticket the user holds (an open one is claimed on the way).

    In one transaction: the expert's turn joins the conversation, the answer goes to the
    outbox for the asker's channel, and a pending knowledge note is kept for review.
    """
    require_role(user, *HANDLER_ROLES)
    if not answer.strip():
        raise FMError("empty_answer", "답변 내용을 입력해 주세요.")
    now = now or utcnow()
    ticket = _answerable(session, ticket_id=ticket_id, user=user, now=now)
    citations = citation_dicts(sources or [])  # only what the expert chose: nothing pre-ticked
    message_id = _expert_turn(session, ticket, user, answer, citations, now)
    from_status = _change(ticket, TicketStatus.answered, now)
    ticket.answer = answer
    ticket.answered_by = user.id
    ticket.answered_at = now
    note = create_note(session, ticket=ticket, expert=user, answer=answer, sources=citations, now=now)
    event = record_event(
        session,
        ticket=ticket,
        kind="answered",
        actor=user,
        now=now,
        from_status=from_status,
        to_status=TicketStatus.answered,
        detail={"message_id": message_id, "note_id": note.id},
    )
    deliver_answer(
        session,
        settings=settings,
        ticket=ticket,
        expert=user,
        message_id=message_id,
        citations=citations,
        event=event,
        now=now,
    )
    _flush(session, ticket_id)
    return ticket


def _answerable(session: Session, *, ticket_id: str, user: User, now: datetime) -> Ticket:
    """The ticket, locked, claimed by `user` on the way if it is open; refused otherwise."""
    ticket = get_ticket(session, ticket_id=ticket_id, user=user, lock=True)
    if ticket.status in CLAIMABLE:
        claim_ticket(session, ticket_id=ticket_id, user=user, now=now)
    if ticket.status != TicketStatus.claimed:
        raise Conflict(
            "ticket_not_answerable", "답변할 수 없는 상태의 문의입니다.", f"{ticket_id} is {ticket.status}"
        )
    if ticket.assignee_id != user.id and not has_role(user, Role.admin):
        raise Forbidden(
            "forbidden", "다른 담당자가 맡은 문의입니다.", f"{ticket_id} held by {ticket.assignee_id}"
        )
    return ticket


def _expert_turn(session: Session, ticket: Ticket, user: User, answer: str, citations: list[dict[str, Any]],
                 now: datetime) -> str | None:
    """The expert's answer joins the asker's conversation; its message id (None without one)."""
    if ticket.conversation_id is None:
        return None
    turn = Turn(role="expert", text=answer, created_at=now, citations=[Citation(**c) for c in _valid(citations)])
    message = append_message(session, conversation_id=ticket.conversation_id, turn=turn, author_id=user.id,
                             ticket_id=ticket.id, meta={"expert": user.name}, now=now)
    return message.id


def _valid(citations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    fields = set(Citation.model_fields)
    required = {"n", "chunk_id", "title", "source", "snippet"}
    return [{k: v for k, v in c.items() if k in fields} for c in citations if required <= c.keys()]


def _may_close_or_reopen(session: Session, user: User | None, ticket: Ticket) -> None:
    if user is None:  # the system, or the asker through their channel
        return
    if user.role == Role.owner and ticket.conversation_id is not None:
        ensure_can_view(session, user=user, conversation_id=ticket.conversation_id)
        return
    if user.role == Role.expert and ticket.assignee_id != user.id:
        raise Forbidden("forbidden", "다른 담당자가 맡은 문의입니다.", ticket.id)
    require_role(user, *HANDLER_ROLES)


def close_ticket(
    session: Session,
    *,
    ticket_id: str,
    user: User | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Close a ticket; the bot resumes the conversation. `user=None`: the asker or the system."""
    now = now or utcnow()
    ticket = get_ticket(session, ticket_id=ticket_id, lock=True)
    _may_close_or_reopen(session, user, ticket)
    if ticket.status == TicketStatus.closed:
        raise Conflict("ticket_closed", "이미 종료된 문의입니다.", ticket_id)
    from_status = _change(ticket, TicketStatus.closed, now)
    ticket.closed_at = now
    record_event(
        session,
        ticket=ticket,
        kind="closed",
        actor=user,
        now=now,
        from_status=from_status,
        to_status=TicketStatus.closed,
        detail={"reason": reason} if reason else {},
    )
    _flush(session, ticket_id)
    return ticket


def reopen_ticket(
    session: Session,
    *,
    settings: Settings,
    ticket_id: str,
    user: User | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Reopen an answered or closed ticket: due again from now, back to its expert if they can take it."""
    now = now or utcnow()
    ticket = get_ticket(session, ticket_id=ticket_id, lock=True)
    _may_close_or_reopen(session, user, ticket)
    if ticket.status not in (TicketStatus.answered, TicketStatus.closed):
        raise Conflict(
            "ticket_not_reopenable", "답변되었거나 종료된 문의만 다시 열 수 있습니다.", ticket.status
        )
    from_status = _change(ticket, TicketStatus.reopened, now)
    ticket.closed_at = None
    ticket.claimed_at = None
    ticket.due_at = due_at_for(settings, ticket.priority, now)
    ticket.sla_stage = 0
    event = record_event(
        session,
        ticket=ticket,
        kind="reopened",
        actor=user,
        now=now,
        from_status=from_status,
        to_status=TicketStatus.reopened,
        detail={"reason": reason} if reason else {},
    )
    holder = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    if holder is not None and holder.active and holder.expert is not None and holder.expert.accepting:
        notify_staff(
            session,
            settings=settings,
            ticket=ticket,
            user=holder,
            kind="ticket_reopened",
            event=event,
            now=now,
        )
    else:
        route_ticket(session, settings=settings, ticket=ticket, actor=user, now=now)
    _flush(session, ticket_id)
    return ticket
