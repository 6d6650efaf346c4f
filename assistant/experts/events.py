"""What accompanies every ticket state change: an audit event, and the notices it causes,
written to the outbox in the caller's transaction (so they exist exactly when the change
does).

Staff notices go to the member's first handle among `NOTICE_CHANNELS` (a Slack id, a
Kakao key, an e-mail), else to their in-app inbox (`web`). Notices for unassigned tickets
go to the shared staff inbox. Answers go back to the asker on the channel they asked on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.models import OutboxItem, Ticket, TicketEvent, User
from assistant.delivery.inbox import STAFF_INBOX
from assistant.delivery.outbox import enqueue
from assistant.settings import Settings

SYSTEM_ACTOR = "system"
NOTICE_CHANNELS: tuple[str, ...] = ("slack", "kakao", "email")
_KST = ZoneInfo("Asia/Seoul")

_NOTICE_TEXT = {
    "ticket_assigned": "새 전문가 문의가 배정되었습니다",
    "ticket_queued": "담당 전문가가 없는 문의가 대기 중입니다",
    "ticket_reopened": "답변한 문의가 다시 열렸습니다",
    "ticket_overdue": "답변 기한이 지난 문의가 있습니다",
    "ticket_reassigned_away": "기한이 지나 문의가 다른 전문가에게 재배정되었습니다",
    "ticket_user_message": "문의한 사용자가 새 메시지를 보냈습니다",
}


def record_event(
    session: Session,
    *,
    ticket: Ticket,
    kind: str,
    actor: User | None,
    now: datetime,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: dict[str, Any] | None = None,
) -> TicketEvent:
    """Append to the ticket's audit trail (the caller holds the ticket row)."""
    last = session.scalar(select(func.max(TicketEvent.seq)).where(TicketEvent.ticket_id == ticket.id))
    event = TicketEvent(
        ticket_id=ticket.id,
        seq=(last or 0) + 1,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.id if actor else None,
        actor=actor.name if actor else SYSTEM_ACTOR,
        detail=dict(detail or {}),
        created_at=now,
    )
    session.add(event)
    session.flush()
    return event


def list_events(session: Session, *, ticket_id: str) -> list[TicketEvent]:
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.seq)
    return list(session.scalars(query))


def staff_address(user: User | None) -> tuple[str, dict[str, Any]]:
    """(channel, recipient) for notifying a staff member, or the shared staff inbox."""
    if user is None:
        return "web", {"user_id": STAFF_INBOX}
    handles = user.handles or {}
    for channel in NOTICE_CHANNELS:
        if handles.get(channel):
            return channel, {"user_id": user.id, "handle": handles[channel], "name": user.name}
    return "web", {"user_id": user.id, "name": user.name}


def ticket_summary(ticket: Ticket) -> dict[str, Any]:
    return {
        "ticket_id": ticket.id,
        "status": ticket.status,
        "topic": ticket.topic,
        "priority": ticket.priority,
        "question": ticket.question[:500],
        "region": ticket.region,
        "channel": ticket.channel,
        "due_at": ticket.due_at.isoformat(),
    }


def notify_staff(
    session: Session,
    *,
    settings: Settings,
    ticket: Ticket,
    user: User | None,
    kind: str,
    event: TicketEvent,
    now: datetime,
    extra: str | None = None,
) -> OutboxItem:
    """A notice about `ticket` to `user` (None: the staff queue), keyed by event and recipient.

    The text quotes the question, or `extra` (e.g. the asker's new message) when given.
    """
    channel, recipient = staff_address(user)
    due = ticket.due_at.astimezone(_KST).strftime("%m/%d %H:%M")
    head = (
        f"[Factory Mentor] {_NOTICE_TEXT.get(kind, kind)} ({ticket.topic}, {ticket.priority}, 기한 {due}): "
    )
    quoted = (extra if extra is not None else ticket.question)[:200]
    payload = {"type": kind, "text": head + quoted, "ticket": ticket_summary(ticket)}
    return enqueue(
        session,
        channel=channel,
        kind=kind,
        recipient=recipient,
        payload=payload,
        idempotency_key=f"ticket:{ticket.id}:{event.seq}:{kind}:{recipient['user_id']}",
        max_attempts=settings.outbox_max_attempts,
        ticket_id=ticket.id,
        now=now,
    )


def deliver_answer(
    session: Session,
    *,
    settings: Settings,
    ticket: Ticket,
    expert: User,
    message_id: str | None,
    citations: list[dict[str, Any]],
    event: TicketEvent,
    now: datetime,
) -> OutboxItem:
    """The expert's answer, to the asker, on the channel and thread they asked in."""
    payload = {
        "type": "expert_answer",
        "ticket_id": ticket.id,
        "conversation_id": ticket.conversation_id,
        "message_id": message_id,
        "question": ticket.question,
        "text": ticket.answer or "",
        "expert": expert.name,
        "citations": citations,
        "answered_at": now.isoformat(),
    }
    recipient = {
        "user_id": ticket.user_id,
        "reply_to": dict(ticket.reply_to or {}),
        "conversation_id": ticket.conversation_id,
    }
    return enqueue(
        session,
        channel=ticket.channel,
        kind="expert_answer",
        recipient=recipient,
        payload=payload,
        idempotency_key=f"ticket:{ticket.id}:{event.seq}:expert_answer",
        max_attempts=settings.outbox_max_attempts,
        ticket_id=ticket.id,
        conversation_id=ticket.conversation_id,
        now=now,
    )
