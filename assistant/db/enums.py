"""The states and roles the storage layer knows, as string enums (stored as plain strings)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    owner = "owner"  # an SME owner or plant manager asking questions
    mentor = "mentor"
    expert = "expert"
    admin = "admin"
    evaluator = "evaluator"


class TicketStatus(StrEnum):
    open = "open"
    claimed = "claimed"
    answered = "answered"
    closed = "closed"
    reopened = "reopened"


class Priority(StrEnum):
    urgent = "urgent"
    high = "high"
    normal = "normal"
    low = "low"


class NoteStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"  # claimed by a worker until `locked_until`
    sent = "sent"
    dead = "dead"


class ReceivedStatus(StrEnum):
    """An event a channel received and acknowledged (the durable inbox, issue 14)."""

    pending = "pending"
    processing = "processing"  # claimed by a process until `locked_until`
    done = "done"
    dead = "dead"
