"""Staff users, roles and API tokens.

A token looks like `fm_<prefix>_<secret>`. Only its SHA-256 hash is stored, next to the
prefix used to find the row; the plain token exists once, in the `IssuedToken` returned
at creation, and is never logged. Revoked tokens and deactivated users are refused.
`admin` passes every role check.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assistant.db.engine import rowcount
from assistant.db.models import ApiToken, Expert, Role, User, utcnow
from assistant.errors import FMError, Forbidden, NotFound, Unauthorized

logger = logging.getLogger(__name__)

TOKEN_SCHEME = "fm"
_PREFIX_BYTES = 6  # 12 hex characters
_LAST_USED_RESOLUTION = timedelta(minutes=1)  # don't write on every request

STAFF_ROLES: tuple[Role, ...] = (Role.mentor, Role.expert, Role.admin, Role.evaluator)

# a signed-in user as channels receive it from the desk: a detached row, to read and to
# hand back to the desk, never to write (channels import this name, not the models)
StaffUser = User


@dataclass(frozen=True)
class IssuedToken:
    """A new token. `token` is the only copy of the secret: show it once, then drop it."""

    token: str
    token_id: str
    prefix: str
    user_id: str

    def __repr__(self) -> str:  # keep the secret out of logs and tracebacks
        return f"IssuedToken(token_id={self.token_id!r}, prefix={self.prefix!r}, user_id={self.user_id!r})"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _parse(token: str) -> str | None:
    """The lookup prefix of a well-formed token, else None."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_SCHEME or len(parts[1]) != 2 * _PREFIX_BYTES or not parts[2]:
        return None
    return parts[1]


def parse_role(role: str | Role) -> Role:
    try:
        return Role(str(role).strip().lower())
    except ValueError as exc:
        allowed = ", ".join(r.value for r in Role)
        raise FMError("invalid_role", f"알 수 없는 역할입니다: {role} (가능: {allowed})") from exc


def create_user(
    session: Session,
    *,
    name: str,
    role: str | Role,
    email: str | None = None,
    region: str | None = None,
    handles: dict[str, str] | None = None,
    expertise: Iterable[str] = (),
    regions: Iterable[str] | None = None,
    capacity: int = 5,
) -> User:
    """A user; experts also get their expertise tags, regions (default: their region) and capacity."""
    role = parse_role(role)
    if not name.strip():
        raise FMError("invalid_user", "이름을 입력해 주세요.")
    if capacity < 0:
        raise FMError("invalid_user", "담당 가능 건수는 0 이상이어야 합니다.")
    user = User(name=name.strip(), role=role.value, email=email, region=region, handles=dict(handles or {}))
    session.add(user)
    session.flush()
    if role is Role.expert:
        expert_regions = list(regions) if regions is not None else ([region] if region else [])
        expertise_tags = [t.strip() for t in expertise if t.strip()]
        session.add(
            Expert(user_id=user.id, expertise=expertise_tags, regions=expert_regions, capacity=capacity)
        )
        session.flush()
        session.refresh(user)
    logger.info("user created: id=%s role=%s", user.id, role.value)
    return user


def get_user(session: Session, *, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found", "사용자를 찾을 수 없습니다.", user_id)
    return user


def list_users(
    session: Session, *, role: str | Role | None = None, include_inactive: bool = False
) -> list[User]:
    query = select(User).order_by(User.created_at, User.id)
    if role is not None:
        query = query.where(User.role == parse_role(role).value)
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return list(session.scalars(query))


def issue_token(session: Session, *, user_id: str, label: str | None = None) -> IssuedToken:
    """Create a token for a user; the returned plain token is never stored or shown again."""
    user = get_user(session, user_id=user_id)
    while True:
        prefix = secrets.token_hex(_PREFIX_BYTES)
        if session.scalar(select(ApiToken.id).where(ApiToken.prefix == prefix)) is None:
            break
    token = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken(user_id=user.id, prefix=prefix, token_hash=hash_token(token), label=label)
    session.add(row)
    session.flush()
    logger.info("token issued: id=%s user=%s", row.id, user.id)
    return IssuedToken(token=token, token_id=row.id, prefix=prefix, user_id=user.id)


def authenticate(session: Session, *, token: str, now: datetime | None = None) -> User:
    """The active user a valid, unrevoked token belongs to; `Unauthorized` otherwise."""
    prefix = _parse(token or "")
    if prefix is None:
        raise Unauthorized("malformed token")
    row = session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if row is None or not hmac.compare_digest(row.token_hash, hash_token(token.strip())):
        raise Unauthorized("unknown token")
    if row.revoked_at is not None:
        raise Unauthorized(f"revoked token {row.id}")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise Unauthorized(f"inactive user for token {row.id}")
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_RESOLUTION:
        row.last_used_at = now
    return user


def list_tokens(session: Session, *, user_id: str | None = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.created_at)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query))


def revoke_token(session: Session, *, token_id: str, now: datetime | None = None) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("token_not_found", "토큰을 찾을 수 없습니다.", token_id)
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        logger.info("token revoked: id=%s user=%s", row.id, row.user_id)
    return row


def revoke_user_tokens(session: Session, *, user_id: str, now: datetime | None = None) -> int:
    """Revoke every active token of a user; returns how many were revoked."""
    get_user(session, user_id=user_id)
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    count = rowcount(result)
    logger.info("tokens revoked for user %s: %d", user_id, count)
    return count


def deactivate_user(session: Session, *, user_id: str, now: datetime | None = None) -> User:
    """Turn a user off: tokens revoked, no new tickets routed to them."""
    user = get_user(session, user_id=user_id)
    revoke_user_tokens(session, user_id=user_id, now=now)
    user.active = False
    return user


def has_role(user: User, *roles: str | Role) -> bool:
    return user.active and (user.role == Role.admin or user.role in {str(r) for r in roles})


def require_role(user: User | None, *roles: str | Role) -> User:
    """The user, if they hold one of `roles` (admin always does); `Forbidden` otherwise."""
    if user is None:
        raise Unauthorized("no user")
    if not has_role(user, *roles):
        wanted: Sequence[str] = [str(r) for r in roles]
        raise Forbidden(
            "forbidden",
            "이 작업을 할 권한이 없습니다.",
            f"user {user.id} has role {user.role}; needs one of {', '.join(wanted) or 'admin'}",
        )
    return user


def is_staff(user: User) -> bool:
    return has_role(user, *STAFF_ROLES)
