"""Conversations and their turns, behind one small interface with two implementations.

`InMemoryConversationStore` serves tests and a database-less CLI; `SqlConversationStore`
keeps every turn (citations, decision, confidence) in the database. Both pass one shared
contract test.

Who answers while a conversation has a ticket is decided in `assistant.experts.holding`
(see docs/hand-off.md): the bot stays quiet only while an expert is on the question
(claimed), answers other questions while the ticket waits or after it was answered, and
the owner can always "봇에게 묻기". `is_held_by_human` tells whether a ticket is live
(`open`, `reopened` or `claimed`); in memory, `hold`/`release` stand in for a claimed ticket.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.conversations import (
    HOLDING_STATUSES,
    append_message,
    conversation_not_found,
    create_conversation,
    get_conversation,
    is_held,
    load_history,
)
from assistant.db.engine import session_scope
from assistant.db.models import Conversation, new_id, utcnow
from assistant.types import Turn

__all__ = [
    "HOLDING_STATUSES",
    "ConversationStore",
    "InMemoryConversationStore",
    "Owner",
    "SqlConversationStore",
]


@dataclass(frozen=True)
class Owner:
    """Who a conversation belongs to and where replies go."""

    conversation_id: str
    channel: str
    user_id: str | None
    owner_id: str | None = None  # the owner's User id, when they are a registered user
    reply_to: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class ConversationStore(Protocol):
    """What the answering service needs from conversations.

    Unknown ids raise `NotFound`, except `is_held_by_human`, which answers False.
    """

    def new_conversation(
        self,
        *,
        channel: str,
        user_id: str | None,
        reply_to: dict[str, Any] | None = None,
        owner_id: str | None = None,
        region: str | None = None,
    ) -> str: ...

    def append(
        self,
        conversation_id: str,
        turn: Turn,
        *,
        author_id: str | None = None,
        confidence: float | None = None,
        ticket_id: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> str: ...

    def history(self, conversation_id: str, limit: int = 20) -> list[Turn]: ...

    def owner_of(self, conversation_id: str) -> Owner: ...

    def is_held_by_human(self, conversation_id: str) -> bool: ...

    def latest_for(self, *, channel: str, user_id: str) -> str | None: ...


class InMemoryConversationStore:
    """Conversations in a dict; `hold`/`release` stand in for tickets. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owners: dict[str, Owner] = {}
        self._turns: dict[str, list[tuple[str, Turn]]] = {}
        self._holds: dict[str, set[str]] = {}
        self._touched: dict[str, int] = {}  # conversation -> tick of its last change
        self._tick = 0

    def _touch(self, conversation_id: str) -> None:
        self._tick += 1
        self._touched[conversation_id] = self._tick

    def new_conversation(
        self,
        *,
        channel: str,
        user_id: str | None,
        reply_to: dict[str, Any] | None = None,
        owner_id: str | None = None,
        region: str | None = None,
    ) -> str:
        conversation_id = new_id()
        with self._lock:
            self._owners[conversation_id] = Owner(
                conversation_id, str(channel), user_id, owner_id, dict(reply_to or {})
            )
            self._turns[conversation_id] = []
            self._touch(conversation_id)
        return conversation_id

    def append(
        self,
        conversation_id: str,
        turn: Turn,
        *,
        author_id: str | None = None,
        confidence: float | None = None,
        ticket_id: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> str:
        with self._lock:
            if conversation_id not in self._turns:
                raise conversation_not_found(conversation_id)
            message_id = new_id()
            stored = turn.model_copy(update={"created_at": turn.created_at or utcnow()}, deep=True)
            self._turns[conversation_id].append((message_id, stored))
            self._touch(conversation_id)
            return message_id

    def history(self, conversation_id: str, limit: int = 20) -> list[Turn]:
        with self._lock:
            if conversation_id not in self._turns:
                raise conversation_not_found(conversation_id)
            turns = self._turns[conversation_id][-limit:] if limit > 0 else []
            return [t.model_copy(deep=True) for _, t in turns]

    def owner_of(self, conversation_id: str) -> Owner:
        with self._lock:
            if conversation_id not in self._owners:
                raise conversation_not_found(conversation_id)
            return self._owners[conversation_id]

    def is_held_by_human(self, conversation_id: str) -> bool:
        with self._lock:
            return bool(self._holds.get(conversation_id))

    def latest_for(self, *, channel: str, user_id: str) -> str | None:
        with self._lock:
            mine = [
                cid for cid, o in self._owners.items() if o.channel == str(channel) and o.user_id == user_id
            ]
            return max(mine, key=self._touched.__getitem__) if mine else None

    def hold(self, conversation_id: str, ticket_id: str) -> None:
        """A ticket on this conversation became open (the bot goes silent)."""
        with self._lock:
            if conversation_id not in self._owners:
                raise conversation_not_found(conversation_id)
            self._holds.setdefault(conversation_id, set()).add(ticket_id)

    def release(self, conversation_id: str, ticket_id: str) -> None:
        """That ticket was closed (the bot resumes once no ticket holds the conversation)."""
        with self._lock:
            self._holds.get(conversation_id, set()).discard(ticket_id)


class SqlConversationStore:
    """The database-backed store; each call is one short transaction."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def new_conversation(
        self,
        *,
        channel: str,
        user_id: str | None,
        reply_to: dict[str, Any] | None = None,
        owner_id: str | None = None,
        region: str | None = None,
    ) -> str:
        with session_scope(self._sessions) as s:
            conv = create_conversation(
                s, channel=channel, user_id=user_id, reply_to=reply_to, owner_id=owner_id, region=region
            )
            return conv.id

    def append(
        self,
        conversation_id: str,
        turn: Turn,
        *,
        author_id: str | None = None,
        confidence: float | None = None,
        ticket_id: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> str:
        with session_scope(self._sessions) as s:
            message = append_message(
                s,
                conversation_id=conversation_id,
                turn=turn,
                author_id=author_id,
                confidence=confidence,
                ticket_id=ticket_id,
                meta=meta,
            )
            return message.id

    def history(self, conversation_id: str, limit: int = 20) -> list[Turn]:
        with session_scope(self._sessions) as s:
            return load_history(s, conversation_id=conversation_id, limit=limit)

    def owner_of(self, conversation_id: str) -> Owner:
        with session_scope(self._sessions) as s:
            c = get_conversation(s, conversation_id=conversation_id)
            return Owner(c.id, c.channel, c.user_id, c.owner_id, dict(c.reply_to or {}))

    def is_held_by_human(self, conversation_id: str) -> bool:
        with session_scope(self._sessions) as s:
            return is_held(s, conversation_id=conversation_id)

    def latest_for(self, *, channel: str, user_id: str) -> str | None:
        with session_scope(self._sessions) as s:
            query = (
                select(Conversation.id)
                .where(Conversation.channel == str(channel), Conversation.user_id == user_id)
                .order_by(Conversation.updated_at.desc(), Conversation.created_at.desc())
                .limit(1)
            )
            return s.scalar(query)
