"""Expert answers become knowledge: mentoring notes, reviewed before they are ingested.

An answered ticket leaves a note (question, answer, expert, date, sources) in `pending`.
A mentor or admin approves it, which calls the injected `ingest_note` with the note
rendered as a Markdown document (front matter `kind: mentoring`, provenance fields), so
the next asker of the same question gets it from the knowledge base, citing the expert
note; or rejects it, and it is kept but never ingested.

Approval and ingestion are one step: if `ingest_note` raises, the transaction rolls back
and the note stays pending (approve again later). Ingestion must be idempotent for a
note id (the document's source is `notes/expert-note-<id>.md`, so a repeat replaces it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import KnowledgeNote, NoteStatus, Role, Ticket, User, utcnow
from assistant.errors import Conflict, NotFound
from assistant.experts.staff import require_role

logger = logging.getLogger(__name__)

NOTE_TITLE_PREFIX = "전문가 답변"
REVIEWER_ROLES = (Role.mentor, Role.admin)


@dataclass(frozen=True)
class NoteDocument:
    """An approved note as a document for the ingestion pipeline."""

    note_id: str
    title: str
    markdown: str
    metadata: dict[str, Any]
    filename: str  # expert-note-<id>.md: stable, so re-ingesting replaces


IngestNote = Callable[[NoteDocument], None]


def _source_refs(sources: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    keep = ("title", "source", "kind", "url", "page")
    return [{k: s[k] for k in keep if s.get(k) is not None} for s in sources]


def create_note(
    session: Session,
    *,
    ticket: Ticket,
    expert: User,
    answer: str,
    sources: Sequence[dict[str, Any]] = (),
    now: datetime | None = None,
) -> KnowledgeNote:
    """A pending note from an expert's answer to a ticket."""
    now = now or utcnow()
    note = KnowledgeNote(
        ticket_id=ticket.id,
        question=ticket.question,
        answer=answer,
        expert_id=expert.id,
        expert_name=expert.name,
        topic=ticket.topic,
        region=ticket.region,
        sources=_source_refs(sources),
        status=NoteStatus.pending,
        answered_at=now,
        created_at=now,
    )
    session.add(note)
    session.flush()
    return note


def get_note(session: Session, *, note_id: str, lock: bool = False) -> KnowledgeNote:
    query = select(KnowledgeNote).where(KnowledgeNote.id == note_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    note = session.scalar(query)
    if note is None:
        raise NotFound("note_not_found", "지식 노트를 찾을 수 없습니다.", note_id)
    return note


def list_notes(
    session: Session, *, user: User, status: str | None = None, ticket_id: str | None = None, limit: int = 100
) -> list[KnowledgeNote]:
    require_role(user, Role.mentor, Role.expert, Role.evaluator)
    query = select(KnowledgeNote).order_by(KnowledgeNote.created_at.desc()).limit(limit)
    if user.role == Role.expert:  # only notes of tickets they may open (theirs or the queue's), or their own
        openable = select(Ticket.id).where(Ticket.assignee_id.is_(None) | (Ticket.assignee_id == user.id))
        query = query.where(KnowledgeNote.ticket_id.in_(openable) | (KnowledgeNote.expert_id == user.id))
    if status is not None:
        query = query.where(KnowledgeNote.status == status)
    if ticket_id is not None:
        query = query.where(KnowledgeNote.ticket_id == ticket_id)
    return list(session.scalars(query))


def _pending(session: Session, note_id: str) -> KnowledgeNote:
    note = get_note(session, note_id=note_id, lock=True)
    if note.status != NoteStatus.pending:
        raise Conflict("note_already_reviewed", "이미 검토가 끝난 지식 노트입니다.", f"note {note_id} is {note.status}")
    return note


def approve_note(
    session: Session,
    *,
    note_id: str,
    user: User,
    ingest_note: IngestNote,
    comment: str | None = None,
    now: datetime | None = None,
) -> KnowledgeNote:
    """Approve a pending note and ingest it (mentor or admin)."""
    require_role(user, *REVIEWER_ROLES)
    now = now or utcnow()
    note = _pending(session, note_id)
    note.status = NoteStatus.approved
    note.reviewed_by = user.id
    note.reviewed_at = now
    note.review_comment = comment
    session.flush()
    ingest_note(note_document(note, reviewer=user))
    note.ingested_at = utcnow()
    logger.info("note %s approved by %s and ingested", note.id, user.id)
    return note


def reject_note(
    session: Session, *, note_id: str, user: User, reason: str | None = None, now: datetime | None = None
) -> KnowledgeNote:
    """Reject a pending note: kept for the record, never ingested (mentor or admin)."""
    require_role(user, *REVIEWER_ROLES)
    note = _pending(session, note_id)
    note.status = NoteStatus.rejected
    note.reviewed_by = user.id
    note.reviewed_at = now or utcnow()
    note.review_comment = reason
    logger.info("note %s rejected by %s", note.id, user.id)
    return note


def note_title(note: KnowledgeNote) -> str:
    question = " ".join(note.question.split())
    return f"{NOTE_TITLE_PREFIX}: {question[:60]}{'…' if len(question) > 60 else ''}"


def note_document(note: KnowledgeNote, *, reviewer: User | None = None) -> NoteDocument:
    title = note_title(note)
    metadata: dict[str, Any] = {
        "kind": "mentoring",
        "title": title,
        "region": note.region or "전국",
        "tags": [t for t in ("전문가답변", note.topic) if t],
        "provenance": "expert_note",
        "note_id": note.id,
        "ticket_id": note.ticket_id,
        "expert": note.expert_name,
        "answered_at": note.answered_at.date().isoformat(),
        "approved_by": reviewer.name if reviewer else None,
        "approved_at": note.reviewed_at.date().isoformat() if note.reviewed_at else None,
        "sources": [s.get("source") or s.get("title") for s in note.sources or []],
    }
    metadata = {k: v for k, v in metadata.items() if v not in (None, [])}
    return NoteDocument(
        note_id=note.id,
        title=title,
        markdown=render_note_markdown(note, metadata=metadata),
        metadata=metadata,
        filename=f"expert-note-{note.id}.md",
    )


def render_note_markdown(note: KnowledgeNote, *, metadata: dict[str, Any] | None = None) -> str:
    """The note as a knowledge document: YAML front matter, question, answer, sources."""
    meta = metadata if metadata is not None else note_document(note).metadata
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None).strip()
    lines = [
        "---",
        front,
        "---",
        "",
        f"# {meta['title']}",
        "",
        f"- 답변 전문가: {note.expert_name}",
        f"- 답변일: {note.answered_at.date().isoformat()}",
        f"- 분야: {note.topic or '일반'}",
        "",
        "## 질문",
        "",
        note.question.strip(),
        "",
        "## 전문가 답변",
        "",
        note.answer.strip(),
    ]
    if note.sources:
        lines += ["", "## 참고 자료", ""]
        for s in note.sources:
            where = s.get("url") or s.get("source") or ""
            lines.append(f"- {s.get('title') or where}" + (f" ({where})" if where and s.get("title") else ""))
    return "\n".join(lines) + "\n"


def write_note_file(document: NoteDocument, directory: Path) -> Path:
    """Write the document as `<directory>/<filename>` (for an `ingest_note` that ingests files)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / document.filename
    path.write_text(document.markdown, encoding="utf-8")
    return path
