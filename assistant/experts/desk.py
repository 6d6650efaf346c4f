"""The staff half of the assistant service: tickets, notes, feedback, auth, exports.

`TicketDesk` is its own object with declared dependencies (settings, database, the
conversation store, a draft function, note ingestion); the `Assistant` holds one as
`assistant.desk`, and channels call it there. Every method opens its own transaction;
role checks happen in the workflow functions it calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from assistant.answers.decision import calibration_for
from assistant.answers.intent import classify
from assistant.conversations import ConversationStore
from assistant.db import Database
from assistant.db.conversations import ensure_can_view, load_history
from assistant.db.models import KnowledgeNote, Ticket, User, utcnow
from assistant.delivery.inbox import list_inbox, mark_read
from assistant.errors import FMError, Forbidden, Unavailable
from assistant.experts import exports, feedback, notes, staff, tickets, workflow
from assistant.experts.passages import Passages, chosen_citations
from assistant.settings import Settings
from assistant.types import Citation, Decision, Draft, NoteView, Question, TicketView, Turn

DraftFn = Callable[[str], Draft]
SHOWN_DECISIONS = (Decision.answered, Decision.offer_expert)  # the bot's turns that are an answer
HUMAN_REQUEST = "human_request"  # the decision reason of "사람이랑 상담하고 싶어요"

log = logging.getLogger(__name__)


def ticket_view(ticket: Ticket, *, conversation: list[Turn] | None = None, assignee: str | None = None) -> TicketView:
    now = utcnow()
    history = conversation if conversation is not None else [Turn.model_validate(t) for t in ticket.history or []]
    return TicketView(
        id=ticket.id, status=ticket.status, topic=ticket.topic, priority=ticket.priority, channel=ticket.channel,
        question=ticket.question, draft=ticket.draft, answer=ticket.answer, sources=list(ticket.sources or []),
        conversation=history, conversation_id=ticket.conversation_id, user_id=ticket.user_id,
        reply_to=dict(ticket.reply_to or {}), region=ticket.region, assignee=assignee,
        assignee_id=ticket.assignee_id, due_at=ticket.due_at, created_at=ticket.created_at,
        overdue=ticket.status in ("open", "reopened", "claimed") and ticket.due_at is not None and ticket.due_at < now,
    )


def note_view(note: KnowledgeNote) -> NoteView:
    return NoteView(id=note.id, status=note.status, question=note.question, answer=note.answer,
                    expert_name=note.expert_name, topic=note.topic, ticket_id=note.ticket_id,
                    created_at=note.created_at)


class TicketDesk:
    """Tickets, notes, feedback, staff sign-in and exports, over the database.

    Without a database (`db=None`) every method raises `Unavailable`; without
    `ingest_note`, approving a note does.
    """

    def __init__(
        self, settings: Settings, db: Database | None, conversations: ConversationStore, *,
        draft: DraftFn, ingest_note: notes.IngestNote | None = None, passages: Passages | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.conversations = conversations
        self.draft = draft
        self.ingest_note = ingest_note
        self.passages = passages

    def _has_answer(self, confidence: float | None, reason: str | None = None) -> bool:
        """Whether the bot's drafted text (never shown: the question was escalated, or is
        recomputed for a ticket) is an answer worth giving the expert as a draft: one the bot
        would have given plainly, without offering an expert. Below that bar the text is the
        nearest sentences the search found, often unrelated (a contract dispute drafted from a
        warehouse story); and a request for a person is not a question the bot could answer."""
        if reason == HUMAN_REQUEST:
            return False
        bar = calibration_for(self.settings).offer_expert_below
        return confidence is None or confidence >= bar  # None: caller vouches

    def _db(self) -> Database:
        if self.db is None:
            raise Unavailable("no_database", "이 기능은 데이터베이스가 필요합니다.", "assistant built without a database")
        return self.db

    def _ensure_owner(self, conversation_id: str, owner_id: str | None) -> None:
        if owner_id is not None and self.conversations.owner_of(conversation_id).user_id != owner_id:
            raise Forbidden("not_your_conversation", "이 대화를 볼 권한이 없습니다.", conversation_id)

    def _view(self, session: Session, ticket: Ticket) -> TicketView:
        holder = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
        assignee = holder.name if holder is not None else None
        conversation = (load_history(session, conversation_id=ticket.conversation_id, limit=100)
                        if ticket.conversation_id else None)
        return ticket_view(ticket, conversation=conversation, assignee=assignee)

    # -- people --------------------------------------------------------------------------
    def authenticate(self, token: str) -> User:
        with self._db().session_scope() as s:
            user = staff.authenticate(s, token=token)
            s.expunge(user)
            return user

    def user_for_handle(self, channel: str, handle: str) -> User | None:
        """The active staff member whose channel handle (e.g. a Slack user id) this is."""
        with self._db().session_scope() as s:
            for user in staff.list_users(s):
                if (user.handles or {}).get(channel) == handle and staff.is_staff(user):
                    s.expunge(user)
                    return user
        return None

    def conversation_id_for(self, channel: str, user_id: str) -> str | None:
        return self.conversations.latest_for(channel=channel, user_id=user_id)

    def history(self, conversation_id: str, *, user: User | None = None, owner_id: str | None = None) -> list[Turn]:
        """A conversation's turns: staff by role, owners only their own (by channel user id)."""
        if user is not None:
            with self._db().session_scope() as s:
                ensure_can_view(s, user=user, conversation_id=conversation_id)
        else:
            self._ensure_owner(conversation_id, owner_id)
        return self.conversations.history(conversation_id, limit=200)

    # -- tickets -------------------------------------------------------------------------
    def request_expert(self, conversation_id: str, *, owner_id: str | None = None) -> TicketView:
        """The user's "전문가 연결": a ticket carrying the conversation (one per conversation)."""
        self._ensure_owner(conversation_id, owner_id)
        owner = self.conversations.owner_of(conversation_id)
        turns = self.conversations.history(conversation_id, limit=50)
        last_user = next((i for i in range(len(turns) - 1, -1, -1) if turns[i].role == "user"), None)
        if last_user is None:
            raise FMError("nothing_to_escalate", "먼저 질문을 남겨 주세요.", conversation_id)
        # the draft is what the owner was shown, if the bot answered (not a hand-off notice)
        reply = next((t for t in turns[last_user + 1:] if t.role == "assistant"), None)
        shown = reply if reply is not None and reply.decision in SHOWN_DECISIONS else None
        with self._db().session_scope() as s:
            request = tickets.TicketRequest(
                question=turns[last_user].text, channel=owner.channel, user_id=owner.user_id,
                reply_to=owner.reply_to, conversation_id=conversation_id,
                sources=[c.model_dump() for c in (shown.citations if shown else [])],
                draft=shown.text if shown else None, origin="offer_expert",
            )
            ticket = tickets.create_ticket(s, settings=self.settings, request=request)
            return self._view(s, ticket)

    def escalate(self, question: Question, *, draft: str | None, sources: list[dict[str, Any]],
                 priority: str = "normal", confidence: float | None = None, reason: str | None = None) -> str:
        """A ticket for a question the bot hands over; it carries the conversation so far, and
        the bot's drafted answer with its sources when it had one (see `_has_answer`)."""
        if not self._has_answer(confidence, reason):
            draft, sources = None, []
        cid = question.conversation_id
        history = self.conversations.history(cid, limit=50) if cid else None
        with self._db().session_scope() as s:
            request = tickets.TicketRequest.for_question(question, history=history, sources=sources,
                                                         draft=draft or None, priority=priority)
            ticket = tickets.create_ticket(s, settings=self.settings, request=request)
            return ticket.id

    def ticket_topic(self, ticket_id: str) -> str | None:
        """The topic a ticket was filed under (for in-process callers such as the evals)."""
        with self._db().session_scope() as s:
            ticket = s.get(Ticket, ticket_id)
            return ticket.topic if ticket is not None else None

    def list_tickets(self, user: User, *, status: str | None = None, topic: str | None = None,
                     overdue: bool | None = None) -> list[TicketView]:
        with self._db().session_scope() as s:
            rows = tickets.list_tickets(s, user=user, status=status, topic=topic, overdue=overdue)
            return [self._view(s, t) for t in rows]

    def get_ticket(self, user: User, ticket_id: str) -> TicketView:
        with self._db().session_scope() as s:
            return self._view(s, tickets.get_ticket(s, ticket_id=ticket_id, user=user))

    def claim_ticket(self, user: User, ticket_id: str) -> TicketView:
        with self._db().session_scope() as s:
            return self._view(s, workflow.claim_ticket(s, ticket_id=ticket_id, user=user))

    def answer_ticket(self, user: User, ticket_id: str, text: str,
                      citations: list[dict[str, Any]] | None = None) -> TicketView:
        """The expert's answer, citing exactly the passages they chose (none unless chosen):
        the bot's suggestions on the ticket or passages found with `search_knowledge`."""
        if not text or not text.strip():
            raise FMError("empty_answer", "답변 내용을 입력해 주세요.", "empty expert answer")
        with self._db().session_scope() as s:
            suggested = tickets.get_ticket(s, ticket_id=ticket_id, user=user).sources or []
            chosen = chosen_citations(citations or [], suggested, self.passages)
            ticket = workflow.answer_ticket(s, settings=self.settings, ticket_id=ticket_id, user=user,
                                                   answer=text.strip(), sources=chosen)
            return self._view(s, ticket)

    def search_knowledge(self, user: User, text: str, k: int = 8) -> list[Citation]:
        """Experts and mentors search the knowledge from a ticket, to attach a passage."""
        staff.require_role(user, "mentor", "expert")
        if self.passages is None:
            raise Unavailable("no_search", "지식 검색을 쓸 수 없습니다.", "desk built without passages")
        return self.passages.search(text, k)

    def close_ticket(self, user: User | None, ticket_id: str, reason: str = "") -> TicketView:
        with self._db().session_scope() as s:
            return self._view(s, workflow.close_ticket(s, ticket_id=ticket_id, user=user, reason=reason))

    def reopen_ticket(self, user: User | None, ticket_id: str, reason: str = "") -> TicketView:
        with self._db().session_scope() as s:
            ticket = workflow.reopen_ticket(s, settings=self.settings, ticket_id=ticket_id, user=user,
                                                   reason=reason)
            return self._view(s, ticket)

    def ticket_draft(self, user: User, ticket_id: str) -> Draft:
        """The bot's answer recomputed for the ticket's question; empty (its sources left as
        suggestions) when the bot has no answer worth drafting."""
        ticket = self.get_ticket(user, ticket_id)
        staff.require_role(user, "mentor", "expert")
        draft = self.draft(ticket.question)
        reason = HUMAN_REQUEST if classify(ticket.question).human_request else None
        if not self._has_answer(draft.answer.confidence, reason):
            draft.answer = draft.answer.model_copy(update={"answer": "", "citations": []})
        return draft

    # -- notes, feedback, exports, deliveries ---------------------------------------------
    def list_notes(self, user: User, status: str | None = "pending") -> list[NoteView]:
        with self._db().session_scope() as s:
            return [note_view(n) for n in notes.list_notes(s, user=user, status=status)]

    def approve_note(self, user: User, note_id: str) -> NoteView:
        if self.ingest_note is None:
            raise Unavailable("no_ingestion", "지식 반영 기능이 설정되지 않았습니다.", "no ingest_note")
        with self._db().session_scope() as s:
            return note_view(notes.approve_note(s, note_id=note_id, user=user, ingest_note=self.ingest_note))

    def reject_note(self, user: User, note_id: str, reason: str = "") -> NoteView:
        with self._db().session_scope() as s:
            return note_view(notes.reject_note(s, note_id=note_id, user=user, reason=reason))

    def record_feedback(self, message_id: str, *, rating: str | int, comment: str | None = None,
                        user_id: str | None = None, user: User | None = None,
                        conversation_id: str | None = None) -> None:
        rater = user_id or (user.id if user else None)
        if rater is None:
            raise FMError("no_rater", "누가 남긴 평가인지 알 수 없습니다.", "feedback without user_id or user")
        with self._db().session_scope() as s:
            feedback.record_feedback(s, message_id=message_id, rating=rating, rater=rater, comment=comment, user=user,
                                     conversation_id=conversation_id)

    def export_case(self, user: User, *, conversation_id: str | None = None,
                    ticket_id: str | None = None) -> dict[str, Any]:
        with self._db().session_scope() as s:
            if ticket_id:
                return exports.export_ticket(s, ticket_id=ticket_id, user=user)
            if conversation_id:
                return exports.export_conversation(s, conversation_id=conversation_id, user=user)
        raise FMError("nothing_to_export", "내보낼 대화나 티켓을 지정해 주세요.", "no id given")

    def pending_deliveries(self, channel: str, user_id: str) -> list[dict[str, Any]]:
        """Deliveries waiting for a channel that cannot push (KakaoTalk): oldest first."""
        with self._db().session_scope() as s:
            items = list_inbox(s, user_id=user_id, channel=channel, unread_only=True)
            return [{"id": i.id, "kind": i.kind, "conversation_id": i.conversation_id, **i.payload}
                    for i in reversed(items)]

    def mark_delivered(self, user_id: str, delivery_ids: list[str]) -> int:
        with self._db().session_scope() as s:
            return mark_read(s, user_id=user_id, item_ids=delivery_ids)
