"""Staff endpoints (Bearer token): the ticket queue, drafts for mentors, the knowledge-note review.

Role checks live in the assistant service (expert/admin for tickets, mentor/admin for notes);
these routes only convert between HTTP and the service.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from pydantic import Field

from assistant.experts.staff import StaffUser
from assistant.types import NoteView, TicketView
from channels.web.deps import AssistantDep, StaffUserDep
from channels.web.schemas import (
    CitationOut,
    DraftIn,
    DraftOut,
    ErrorOut,
    ExportIn,
    RejectIn,
    StaffUserOut,
    TicketAnswerIn,
)

router = APIRouter(prefix="/v1/staff", tags=["staff"],
                   responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}})


def _user(user: StaffUser) -> StaffUserOut:
    return StaffUserOut(id=user.id, name=user.name, role=str(user.role))


def _out(obj: Any) -> Any:
    return jsonable_encoder(obj)


@router.get("/me", response_model=StaffUserOut)
async def me(user: StaffUserDep) -> StaffUserOut:
    """Who the token belongs to (the console shows the tabs of this role)."""
    return _user(user)


@router.get("/tickets", response_model=list[TicketView])
async def list_tickets(
    user: StaffUserDep, assistant: AssistantDep,
    status: str | None = Query(default=None, description="open | claimed | answered | closed | reopened"),
    topic: str | None = None, overdue: bool | None = None,
) -> list[TicketView]:
    """The ticket queue, soonest due first (experts see theirs and the unassigned ones)."""
    return await asyncio.to_thread(assistant.desk.list_tickets, user, status=status or None, topic=topic or None,
                                   overdue=overdue)


@router.get("/tickets/{ticket_id}", response_model=TicketView)
async def get_ticket(ticket_id: str, user: StaffUserDep, assistant: AssistantDep) -> TicketView:
    """One ticket with the whole conversation, the sources the bot found and its draft."""
    return await asyncio.to_thread(assistant.desk.get_ticket, user, ticket_id)


@router.post("/tickets/{ticket_id}/claim", response_model=TicketView)
async def claim_ticket(ticket_id: str, user: StaffUserDep, assistant: AssistantDep) -> TicketView:
    return await asyncio.to_thread(assistant.desk.claim_ticket, user, ticket_id)


@router.post("/tickets/{ticket_id}/answer", response_model=TicketView)
async def answer_ticket(ticket_id: str, body: TicketAnswerIn, user: StaffUserDep,
                        assistant: AssistantDep) -> TicketView:
    """Send the expert's answer: it reaches the asker on their channel and becomes a note to review."""
    return await asyncio.to_thread(assistant.desk.answer_ticket, user, ticket_id, body.text,
                                   citations=body.citations)


@router.post("/tickets/{ticket_id}/close", response_model=TicketView)
async def close_ticket(ticket_id: str, user: StaffUserDep, assistant: AssistantDep) -> TicketView:
    return await asyncio.to_thread(assistant.desk.close_ticket, user, ticket_id)


@router.post("/tickets/{ticket_id}/reopen", response_model=TicketView)
async def reopen_ticket(ticket_id: str, user: StaffUserDep, assistant: AssistantDep) -> TicketView:
    return await asyncio.to_thread(assistant.desk.reopen_ticket, user, ticket_id)


class PassageOut(CitationOut):
    chunk_id: str = Field(description="인용으로 첨부할 때 보내는 값 (답변의 citations[].chunk_id)")
    kind: str | None = None


@router.get("/search", response_model=list[PassageOut])
async def search_knowledge(user: StaffUserDep, assistant: AssistantDep,
                           q: str = Query(min_length=1, max_length=500, description="검색어"),
                           k: int = Query(default=8, ge=1, le=20)) -> list[PassageOut]:
    """Experts and mentors: search the knowledge from a ticket; a result attached to the
    answer (`citations: [{"n", "chunk_id"}]`) is the citation the owner sees."""
    found = await asyncio.to_thread(assistant.desk.search_knowledge, user, q, k)
    return [PassageOut(**CitationOut.of(c).model_dump(), chunk_id=c.chunk_id, kind=c.kind) for c in found]


@router.get("/tickets/{ticket_id}/draft", response_model=DraftOut)
async def ticket_draft(ticket_id: str, user: StaffUserDep, assistant: AssistantDep) -> DraftOut:
    """A draft answer for a ticket with suggested citations to tick."""
    return _draft(await asyncio.to_thread(assistant.desk.ticket_draft, user, ticket_id))


@router.post("/drafts", response_model=DraftOut)
async def draft(body: DraftIn, _user: StaffUserDep, assistant: AssistantDep) -> DraftOut:
    """Mentors: paste a mentee's question, get a draft with suggested citations (any staff token)."""
    return _draft(await asyncio.to_thread(assistant.draft, body.question, body.context))


def _draft(d: Any) -> DraftOut:
    return DraftOut(answer=d.answer.answer, confidence=d.answer.confidence,
                    citations=[CitationOut.of(c) for c in d.answer.citations],
                    suggestions=[{**CitationOut.of(c).model_dump(), "reason": c.reason} for c in d.suggestions])


@router.get("/notes", response_model=list[NoteView])
async def list_notes(user: StaffUserDep, assistant: AssistantDep,
                     status: str = Query(default="pending")) -> list[NoteView]:
    """Expert answers waiting to become knowledge."""
    return await asyncio.to_thread(assistant.desk.list_notes, user, status=status)


@router.post("/notes/{note_id}/approve", response_model=NoteView)
async def approve_note(note_id: str, user: StaffUserDep, assistant: AssistantDep) -> NoteView:
    return await asyncio.to_thread(assistant.desk.approve_note, user, note_id)


@router.post("/notes/{note_id}/reject", response_model=NoteView)
async def reject_note(note_id: str, body: RejectIn, user: StaffUserDep, assistant: AssistantDep) -> NoteView:
    return await asyncio.to_thread(assistant.desk.reject_note, user, note_id, body.reason)


@router.post("/exports")
async def export_case(body: ExportIn, user: StaffUserDep, assistant: AssistantDep) -> dict[str, Any]:
    """Evaluators: a conversation or ticket as a golden eval case."""
    return _out(await asyncio.to_thread(assistant.desk.export_case, user, conversation_id=body.conversation_id,
                                        ticket_id=body.ticket_id))
