"""Staff accounts for administrators (`factory-mentor users`): add, list, tokens, revoke.

The operations of `assistant.experts.staff`, each in its own transaction, returning plain
summaries, so a command line never holds a database session or a model row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from assistant.db import Database
from assistant.db.models import ApiToken, Role, User
from assistant.experts import staff
from assistant.experts.staff import IssuedToken


@dataclass(frozen=True)
class UserSummary:
    id: str
    name: str
    role: str
    region: str | None
    active: bool
    expertise: list[str] = field(default_factory=list)
    capacity: int | None = None
    handles: dict[str, str] = field(default_factory=dict)
    tokens: int = 0  # active (unrevoked) API tokens

    @classmethod
    def of(cls, user: User, tokens: int = 0) -> UserSummary:
        return cls(id=user.id, name=user.name, role=user.role, region=user.region, active=user.active,
                   expertise=list(user.expert.expertise) if user.expert else [],
                   capacity=user.expert.capacity if user.expert else None,
                   handles=dict(user.handles or {}), tokens=tokens)


@dataclass(frozen=True)
class Revoked:
    """What `revoke` did: one token, every token of a user, or that and the user turned off."""

    what: Literal["token", "user_tokens", "user_deactivated"]
    target_id: str
    count: int


class StaffAccounts:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add_user(
        self, *, name: str, role: str | Role, email: str | None = None, region: str | None = None,
        handles: dict[str, str] | None = None, expertise: Iterable[str] = (), regions: Iterable[str] | None = None,
        capacity: int = 5, token_label: str | None = None,
    ) -> tuple[UserSummary, IssuedToken]:
        """A new user and their first API token (the token's secret is returned only here)."""
        with self.db.session_scope() as s:
            user = staff.create_user(s, name=name, role=role, email=email, region=region, handles=handles,
                                     expertise=expertise, regions=regions, capacity=capacity)
            issued = staff.issue_token(s, user_id=user.id, label=token_label)
            return UserSummary.of(user, tokens=1), issued

    def list_users(self, *, role: str | Role | None = None, include_inactive: bool = False) -> list[UserSummary]:
        with self.db.session_scope() as s:
            active: dict[str, int] = {}
            for token in staff.list_tokens(s):
                if token.revoked_at is None:
                    active[token.user_id] = active.get(token.user_id, 0) + 1
            users = staff.list_users(s, role=role, include_inactive=include_inactive)
            return [UserSummary.of(u, tokens=active.get(u.id, 0)) for u in users]

    def issue_token(self, user_id: str, *, label: str | None = None) -> IssuedToken:
        with self.db.session_scope() as s:
            return staff.issue_token(s, user_id=user_id, label=label)

    def revoke(self, target_id: str, *, deactivate: bool = False) -> Revoked:
        """Revoke a token (by token id), or every token of a user (and turn the user off)."""
        with self.db.session_scope() as s:
            if s.get(ApiToken, target_id) is not None:
                staff.revoke_token(s, token_id=target_id)
                return Revoked("token", target_id, 1)
            if deactivate:
                staff.deactivate_user(s, user_id=target_id)
                return Revoked("user_deactivated", target_id, 0)
            return Revoked("user_tokens", target_id, staff.revoke_user_tokens(s, user_id=target_id))
