"""One error type for the whole product: a code, a Korean message for the user, a detail for logs."""

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


class NotFound(FMError):
    status = 404


class Forbidden(FMError):
    status = 403


class Unavailable(FMError):
    """A dependency (store, database, LLM) is down."""

    status = 503
