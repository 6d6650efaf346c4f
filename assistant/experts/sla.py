"""Service levels: when a ticket is due, and what happens when it is not answered in time.

Due time: created (or reopened) + `sla_hours_<priority>`. The sweep, run by the worker
loop every `sla_sweep_interval_s`, looks at open, reopened and claimed tickets:
- past the due time: the holder (or the staff queue) is re-notified once (stage 1);
- past the due time + `sla_reassign_ratio` x the SLA: the ticket goes back to `open` and to
  the next best expert (never the same one), or to the queue when nobody fits (stage 2).
  The old holder and the new one are told.
Answered tickets close themselves `ticket_auto_close_hours` after the answer, so the bot
resumes the conversation. Every step is an event plus outbox rows in one transaction; on
PostgreSQL the sweep skips rows another sweep holds (`SKIP LOCKED`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Priority, Ticket, TicketStatus, User, utcnow
from assistant.experts.events import notify_staff, record_event
from assistant.experts.routing import pick_expert
from assistant.settings import Settings

logger = logging.getLogger(__name__)

SLA_STATUSES: tuple[str, ...] = (TicketStatus.open, TicketStatus.reopened, TicketStatus.claimed)


def sla_hours(settings: Settings, priority: str) -> float:
    hours = {
        Priority.urgent: settings.sla_hours_urgent,
        Priority.high: settings.sla_hours_high,
        Priority.normal: settings.sla_hours_normal,
        Priority.low: settings.sla_hours_low,
    }
    return float(hours[Priority(priority)])


def due_at_for(settings: Settings, priority: str, start: datetime) -> datetime:
    return start + timedelta(hours=sla_hours(settings, priority))


def reassign_at(settings: Settings, ticket: Ticket) -> datetime:
    grace = sla_hours(settings, ticket.priority) * settings.sla_reassign_ratio
    return ticket.due_at + timedelta(hours=grace)


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    return ticket.status in SLA_STATUSES and ticket.due_at <= now


@dataclass
class SweepResult:
    renotified: list[str] = field(default_factory=list)
    reassigned: list[str] = field(default_factory=list)
    auto_closed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.renotified or self.reassigned or self.auto_closed)


def _renotify(session: Session, *, settings: Settings, ticket: Ticket, now: datetime) -> None:
    holder = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    event = record_event(
        session,
        ticket=ticket,
        kind="renotified",
        actor=None,
        now=now,
        detail={"due_at": ticket.due_at.isoformat()},
    )
    notify_staff(
        session, settings=settings, ticket=ticket, user=holder, kind="ticket_overdue", event=event, now=now
    )
    ticket.sla_stage = 1


def _reassign(session: Session, *, settings: Settings, ticket: Ticket, now: datetime) -> None:
    previous = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    choice = pick_expert(
        session, topic=ticket.topic, region=ticket.region, exclude=[previous.id] if previous else []
    )
    new_holder = choice.expert.user if choice else None
    from_status = ticket.status
    ticket.status = TicketStatus.open if from_status == TicketStatus.claimed else from_status
    ticket.assignee_id = new_holder.id if new_holder else None
    ticket.claimed_at = None
    ticket.sla_stage = 2
    ticket.updated_at = now
    event = record_event(
        session,
        ticket=ticket,
        kind="reassigned",
        actor=None,
        now=now,
        from_status=from_status,
        to_status=ticket.status,
        detail={
            "from": previous.id if previous else None,
            "to": new_holder.id if new_holder else None,
            "reason": "overdue",
            "routing": choice.reason(ticket.topic) if choice else "queue",
        },
    )
    if previous is not None:
        notify_staff(
            session,
            settings=settings,
            ticket=ticket,
            user=previous,
            kind="ticket_reassigned_away",
            event=event,
            now=now,
        )
    kind = "ticket_assigned" if new_holder else "ticket_queued"
    notify_staff(session, settings=settings, ticket=ticket, user=new_holder, kind=kind, event=event, now=now)


def sweep(session: Session, *, settings: Settings, now: datetime | None = None) -> SweepResult:
    """Re-notify, reassign and auto-close as the SLA says; returns the ticket ids touched."""
    now = now or utcnow()
    result = SweepResult()
    overdue = (
        select(Ticket)
        .where(Ticket.status.in_(SLA_STATUSES), Ticket.due_at <= now, Ticket.sla_stage < 2)
        .order_by(Ticket.due_at)
        .with_for_update(skip_locked=True)
    )
    for ticket in list(session.scalars(overdue)):
        if now >= reassign_at(settings, ticket):
            _reassign(session, settings=settings, ticket=ticket, now=now)
            result.reassigned.append(ticket.id)
        elif ticket.sla_stage < 1:
            _renotify(session, settings=settings, ticket=ticket, now=now)
            result.renotified.append(ticket.id)
    if settings.ticket_auto_close_hours > 0:
        cutoff = now - timedelta(hours=settings.ticket_auto_close_hours)
        stale = (
            select(Ticket)
            .where(Ticket.status == TicketStatus.answered, Ticket.answered_at <= cutoff)
            .with_for_update(skip_locked=True)
        )
        for ticket in list(session.scalars(stale)):
            ticket.status = TicketStatus.closed
            ticket.closed_at = now
            ticket.updated_at = now
            record_event(
                session,
                ticket=ticket,
                kind="closed",
                actor=None,
                now=now,
                from_status=TicketStatus.answered,
                to_status=TicketStatus.closed,
                detail={"reason": "auto_close"},
            )
            result.auto_closed.append(ticket.id)
    session.flush()
    if result:
        logger.info(
            "SLA sweep: %d re-notified, %d reassigned, %d auto-closed",
            len(result.renotified),
            len(result.reassigned),
            len(result.auto_closed),
        )
    return result
