"""Which URLs from documents may become links: http and https only.

A document's front matter is written by whoever supplied the file; `url: javascript:...`,
`data:` or `vbscript:` there must never reach a Kakao listCard, the web chat or the console
as something a user can click.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_SCHEMES = {"http", "https"}


def safe_url(value: object) -> str | None:
    """`value` if it is an absolute http(s) URL with a host and no control characters, else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        return None
    return url
