"""Logging set-up with personal data masked: phone numbers, business registration numbers,
e-mail addresses and secrets never reach a log line in the clear."""

from __future__ import annotations

import logging
import re

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # business registration number 123-45-67890
    (re.compile(r"(?<!\d)\d{3}-\d{2}-\d{5}(?!\d)"), "***-**-*****"),
    # resident registration number 900101-1234567
    (re.compile(r"(?<!\d)\d{6}-[1-8]\d{6}(?!\d)"), "******-*******"),
    # phone numbers: 010-1234-5678, 02-123-4567, 01012345678, +82 10 1234 5678
    (re.compile(r"(?<![\w-])(?:\+82[ -]?0?|0)1[016789][ -]?\d{3,4}[ -]?\d{4}(?!\d)"), "010-****-****"),
    (re.compile(r"(?<![\w-])0(?:2|[3-6][1-5]|70)[ -]?\d{3,4}[ -]?\d{4}(?!\d)"), "0**-****-****"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "***@***"),
    # bearer tokens, Slack tokens, API keys
    (re.compile(r"(?i)(bearer\s+)[\w.~+/=-]{8,}"), r"\1***"),
    (re.compile(r"\bxox[abposr]-[\w-]+"), "xox*-***"),
    (re.compile(r"\bxapp-[\w-]+"), "xapp-***"),
    (re.compile(r"\bfm_[A-Za-z0-9_-]{16,}"), "fm_***"),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{8,}"), "sk-***"),
]


def mask(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class MaskingFilter(logging.Filter):
    """Rewrites each record's final message with personal data and secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not kill logging
            return True
        masked = mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


def configure_logging(level: str = "WARNING") -> None:
    """Root logging for an entry point (CLI, server, worker), masking on every handler."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
    for noisy in ("bm25s", "alembic", "httpx", "chromadb"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
