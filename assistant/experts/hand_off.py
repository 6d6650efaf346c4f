"""The holding rules (`assistant.experts.holding`) applied to a stored conversation.

`HandOff.check` looks up the conversation's active ticket and routes the message; `relay`
copies the owner's message to that ticket's expert (an event plus a staff notice). Without
a database, conversations held with `InMemoryConversationStore.hold` count as claimed.
`owner_conversations` lists a returning owner's conversations with their expert answers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.conversations import HOLDING_STATUSES
from assistant.db.models import Conversation, Message, Ticket, TicketStatus, User, utcnow
from assistant.experts.events import notify_staff, record_event
from assistant.experts.holding import Context, Routing, ask_bot_request, route
from assistant.settings import Settings
from assistant.types import Question, Turn

log = logging.getLogger(__name__)

# which of several live tickets decides: an expert on it first, then the queue, then answered
_RANK = {TicketStatus.claimed: 0, TicketStatus.open: 1, TicketStatus.reopened: 1, TicketStatus.answered: 2}


@dataclass(frozen=True)
class ActiveTicket:
    id: str
    status: str
    expert_name: str | None
    thread_ts: str | None


@dataclass(frozen=True)
class Checked:
    """The routing of one message, the text to answer (after "봇에게 묻기"), the ticket."""

    routing: Routing
    text: str
    ticket: ActiveTicket | None


def active_ticket(session: Session, *, conversation_id: str) -> ActiveTicket | None:
    """The conversation's ticket that decides who answers (None when all are closed)."""
    rows = session.scalars(
        select(Ticket).where(Ticket.conversation_id == conversation_id, Ticket.status.in_(tuple(_RANK)))
        .order_by(Ticket.created_at.desc())
    ).all()
    if not rows:
        return None
    ticket = min(rows, key=lambda t: _RANK[TicketStatus(t.status)])
    person = ticket.assignee_id or ticket.answered_by
    user = session.get(User, person) if person else None
    name = user.name if user else None
    thread = (ticket.reply_to or {}).get("thread_ts")
    return ActiveTicket(ticket.id, ticket.status, name, str(thread) if thread else None)


def relay(session: Session, *, settings: Settings, ticket_id: str, text: str, now: datetime | None = None) -> None:
    """Tell the ticket's expert (or the staff queue) that the owner wrote again."""
    now = now or utcnow()
    ticket = session.scalar(select(Ticket).where(Ticket.id == ticket_id).with_for_update())
    if ticket is None:
        return
    event = record_event(session, ticket=ticket, kind="user_message", actor=None, now=now,
                         detail={"text": text[:500]})
    person = ticket.assignee_id or ticket.answered_by
    holder = session.get(User, person) if person else None
    notify_staff(session, settings=settings, ticket=ticket, user=holder, kind="ticket_user_message", event=event,
                 now=now, extra=text)


class HandOff:
    """Holding as the answering service uses it, over its database or in-memory store."""

    def __init__(self, settings: Settings, db: Any | None, conversations: Any) -> None:
        self.settings = settings
        self.db = db
        self.conversations = conversations

    def ticket(self, conversation_id: str) -> ActiveTicket | None:
        if self.db is None:
            held = self.conversations.is_held_by_human(conversation_id)
            return ActiveTicket("", TicketStatus.claimed, None, None) if held else None
        with self.db.session_scope() as s:
            return active_ticket(s, conversation_id=conversation_id)

    def check(self, conversation_id: str, question: Question, history: list[Turn]) -> Checked:
        """Route one message; a bare "봇에게 묻기" asks the bot the owner's last message."""
        asked, text = ask_bot_request(question.text.strip())
        asked = asked or question.ask_bot
        if asked and not text:
            text = next((t.text for t in reversed(history) if t.role == "user"), "")
        ticket = self.ticket(conversation_id)
        thread = question.reply_to.get("thread_ts")
        context = Context(ask_bot=asked, expert_name=ticket.expert_name if ticket else None,
                          in_ticket_thread=bool(ticket and thread and ticket.thread_ts == str(thread)))
        routing = route(ticket.status if ticket else None, text or question.text, context)
        if routing.reason != "no_ticket":
            log.info("conversation %s: ticket %s, %s answers (%s)", conversation_id,
                     ticket.status if ticket else "-", routing.answerer, routing.reason)
        return Checked(routing, text or question.text.strip(), ticket)

    def relay(self, checked: Checked, text: str) -> None:
        """Copy the message to the ticket's expert (in-memory holds have nobody to tell)."""
        if self.db is None or checked.ticket is None or not checked.ticket.id:
            return
        with self.db.session_scope() as s:
            relay(s, settings=self.settings, ticket_id=checked.ticket.id, text=text)


@dataclass(frozen=True)
class ConversationSummary:
    """One of an owner's conversations, for a returning owner: has an expert answered it?"""

    conversation_id: str
    title: str  # the first question
    updated_at: datetime
    expert_answers: int  # the page shows a badge while it has shown fewer than this
    last_expert_at: datetime | None
    waiting_expert: bool  # a live ticket (open, reopened, claimed)


def owner_conversations(session: Session, *, channel: str, user_id: str, limit: int = 20) -> list[ConversationSummary]:
    """The owner's conversations on a channel, most recent first."""
    convs = session.scalars(
        select(Conversation).where(Conversation.channel == channel, Conversation.user_id == user_id)
        .order_by(Conversation.updated_at.desc(), Conversation.id).limit(limit)
    ).all()
    ids = [c.id for c in convs]
    if not ids:
        return []
    rows = session.execute(
        select(Message.conversation_id, func.count(), func.max(Message.created_at))
        .where(Message.conversation_id.in_(ids), Message.role == "expert").group_by(Message.conversation_id)
    ).all()
    experts = {cid: (n, last) for cid, n, last in rows}
    firsts = dict(session.execute(
        select(Message.conversation_id, Message.text)
        .where(Message.conversation_id.in_(ids), Message.role == "user", Message.seq == 1)
    ).all())
    live = set(session.scalars(
        select(Ticket.conversation_id).where(Ticket.conversation_id.in_(ids), Ticket.status.in_(HOLDING_STATUSES))
    ).all())
    out = []
    for c in convs:
        count, last = experts.get(c.id, (0, None))
        out.append(ConversationSummary(c.id, (firsts.get(c.id) or "")[:80], c.updated_at, int(count), last,
                                       c.id in live))
    return out
