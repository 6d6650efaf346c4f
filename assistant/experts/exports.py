"""A conversation or a ticket as a golden eval case (for evaluators), in the shape of
`evals/golden/*.yaml`: {id, type, question, turns, sources, key_facts, reference_answer,
expected_decision, suppliers, tags}.

The case is a starting point an evaluator completes: `key_facts` is left empty on
purpose (they must be exact substrings of a source, chosen by a person). Where an expert
answered, that answer is the reference and the expected decision is `answered` (the
approved note should let the bot answer it next time).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.conversations import ensure_can_view
from assistant.db.models import Message, Role, Ticket, TicketStatus, User
from assistant.errors import FMError, NotFound
from assistant.experts.staff import require_role
from assistant.experts.tickets import get_ticket

EXPORT_ROLES = (Role.evaluator,)  # and admin


def _sources(citations: list[dict[str, Any]]) -> list[str]:
    seen: list[str] = []
    for c in citations:
        source = c.get("source")
        if source and source not in seen:
            seen.append(source)
    return seen


def _case(
    *,
    case_id: str,
    question: str,
    earlier: list[str],
    citations: list[dict[str, Any]],
    reference: str,
    decision: str,
    tags: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": case_id,
        "type": "followup" if earlier else "answer",
        "question": question,
        "turns": earlier,
        "sources": _sources(citations),
        "key_facts": [],
        "reference_answer": reference,
        "expected_decision": decision,
        "suppliers": [],
        "tags": {k: v for k, v in tags.items() if v is not None},
    }


def export_conversation(
    session: Session, *, conversation_id: str, user: User, message_id: str | None = None
) -> dict[str, Any]:
    """The last user question of a conversation (or the one `message_id` answers) as a case."""
    require_role(user, *EXPORT_ROLES)
    conv = ensure_can_view(session, user=user, conversation_id=conversation_id)
    messages = list(
        session.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq)
        )
    )
    if message_id is not None:
        cut = next((i for i, m in enumerate(messages) if m.id == message_id), None)
        if cut is None:
            raise NotFound("message_not_found", "메시지를 찾을 수 없습니다.", message_id)
        messages = messages[: cut + 1]
    asked = [i for i, m in enumerate(messages) if m.role == "user"]
    if not asked:
        raise FMError("nothing_to_export", "내보낼 질문이 없는 대화입니다.", conversation_id)
    q = asked[-1]
    replies = messages[q + 1 :]
    expert = next((m for m in replies if m.role == "expert"), None)
    bot = next((m for m in replies if m.role == "assistant"), None)
    chosen = expert or bot
    reference = chosen.text if chosen else ""
    decision = "answered" if expert else ((bot.decision if bot else None) or "answered")
    return _case(
        case_id=f"conv-{conversation_id[:8]}-{q + 1:03d}",
        question=messages[q].text,
        earlier=[messages[i].text for i in asked[:-1]],
        citations=list(chosen.citations or []) if chosen else [],
        reference=reference,
        decision=decision,
        tags={"source": "conversation", "kind": "mentoring" if expert else "policy", "channel": conv.channel,
              "expert_answer": bool(expert)},
    )


def export_ticket(session: Session, *, ticket_id: str, user: User) -> dict[str, Any]:
    """A ticket as a case: its question, earlier user turns, sources and the expert's answer."""
    require_role(user, *EXPORT_ROLES)
    ticket: Ticket = get_ticket(session, ticket_id=ticket_id, user=user)
    earlier = [t["text"] for t in ticket.history or [] if t.get("role") == "user" and t.get("text")]
    if earlier and earlier[-1].strip() == ticket.question.strip():
        earlier = earlier[:-1]
    answered = ticket.answer is not None and ticket.status in (TicketStatus.answered, TicketStatus.closed)
    return _case(
        case_id=f"ticket-{ticket.id[:8]}",
        question=ticket.question,
        earlier=earlier,
        citations=list(ticket.sources or []),
        reference=ticket.answer or "",
        decision="answered" if answered else "escalate",
        tags={"source": "ticket", "kind": "mentoring", "topic": ticket.topic, "origin": ticket.origin},
    )
