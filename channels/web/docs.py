"""API documentation served from local files: Swagger UI at `/docs`, ReDoc at `/redoc`.

The assets come from the `fastapi-offline` package (Swagger UI bundle and CSS, ReDoc's
standalone script), mounted at `/docs-assets`, so the pages work without the internet.
The OpenAPI schema marks the `X-Owner-Id` header as required on the owner endpoints: API
clients identify themselves with it (any id of 8 to 64 letters, digits, `-` or `_` they
keep; a conversation is visible only with the id that started it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/docs-assets"
OWNER_HEADER = "x-owner-id"
OWNER_DESCRIPTION = (
    "소유자 식별값 (필수): 영문·숫자·`-`·`_` 8~64자. 스크립트는 한 번 정한 값을 계속 보내면 되고, "
    "대화는 그 대화를 시작한 식별값으로만 볼 수 있습니다. 예: `X-Owner-Id: script-factory-0001`"
)


def install_docs(app: FastAPI) -> None:
    """`/docs` and `/redoc` from local assets (create the app with `docs_url=None, redoc_url=None`)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    title = f"{app.title} API"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=title,
                                   swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS_URL}/favicon.png")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=app.openapi_url or "/openapi.json", title=title,
                              redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
                              redoc_favicon_url=f"{ASSETS_URL}/favicon.png", with_google_fonts=False)

    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = owner_header_required(plain_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def owner_header_required(schema: dict[str, Any]) -> dict[str, Any]:
    """Mark every `X-Owner-Id` header parameter required and describe it.

    (The dependency itself accepts a missing header so that it can answer with its own
    Korean message instead of a generic validation error.)"""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for param in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if param.get("in") == "header" and param.get("name", "").lower() == OWNER_HEADER:
                    param["required"] = True
                    param["description"] = OWNER_DESCRIPTION
                    param["schema"] = {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$",
                                       "title": "X-Owner-Id"}
    return schema
