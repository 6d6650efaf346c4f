"""The owners' chat page (`/`), the staff console (`/console`) and the embeddable widget script."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parents[1] / "static"

router = APIRouter(include_in_schema=False)

_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'"
_NO_CACHE = {"Cache-Control": "no-cache"}


@router.get("/")
async def chat_page() -> FileResponse:
    # any site may frame the chat: that is what the widget does
    return FileResponse(STATIC / "index.html", headers={**_NO_CACHE, "Content-Security-Policy": _CSP})


@router.get("/console")
async def console_page() -> FileResponse:
    return FileResponse(STATIC / "console.html", headers={
        **_NO_CACHE, "Content-Security-Policy": f"{_CSP}; frame-ancestors 'none'", "X-Frame-Options": "DENY"})


@router.get("/widget.js")
async def widget() -> FileResponse:
    # loaded by other sites with a plain <script> tag
    return FileResponse(STATIC / "widget.js", media_type="text/javascript",
                        headers={**_NO_CACHE, "Access-Control-Allow-Origin": "*"})
