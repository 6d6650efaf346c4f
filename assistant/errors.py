"""One error type for the whole product: a code, a Korean message for the user, a detail for logs.

One class per meaning; each channel turns them into its own response (HTTP status,
Slack ephemeral, Kakao text) and services never raise a web framework's exceptions.
"""

from __future__ import annotations


class FMError(Exception):
    """Raised by services; each channel turns it into its own response.

    `code` is stable and machine-readable, `message` is shown to the user in Korean,
    `detail` is for operators (never shown to end users).
    """

    status = 400

    def __init__(self, code: str, message: str, detail: str = "", *, status: int | None = None):
        super().__init__(f"{code}: {detail or message}")
        self.code = code
        self.message = message
        self.detail = detail
        if status is not None:
            self.status = status

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class Unauthorized(FMError):
    """No valid credentials (a missing, malformed, unknown or revoked token)."""

    status = 401
    MESSAGE = "인증에 실패했습니다. 올바른 API 토큰을 사용해 주세요."

    def __init__(self, detail: str = "", *, code: str = "unauthorized", message: str = MESSAGE) -> None:
        super().__init__(code, message, detail)


class Forbidden(FMError):
    """Known, but not allowed to do this (role, owner of a conversation, assignee)."""

    status = 403


class NotFound(FMError):
    status = 404


class Conflict(FMError):
    """The thing is in a state that refuses this change (already claimed, closed...)."""

    status = 409


class Unavailable(FMError):
    """A dependency (store, database, LLM, note ingestion) is down or not configured."""

    status = 503
