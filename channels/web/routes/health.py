"""`/healthz`: the process answers. `/readyz`: the stores and the database read and write, and the
vectors match the catalog (503 with Korean reasons when not)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assistant.readiness import Readiness
from channels.web.deps import AssistantDep

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "a store or the database is unreachable"}})
async def readyz(assistant: AssistantDep) -> JSONResponse:
    try:
        checks = await asyncio.wait_for(asyncio.to_thread(_check, assistant), timeout=10)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        logger.warning("readiness check failed: %s", exc)
        return JSONResponse({"status": "unavailable", "message": "서비스를 준비하는 중이거나 저장소에 연결할 수 "
                             "없습니다.", "detail": type(exc).__name__}, status_code=503)
    body = checks.as_dict()
    return JSONResponse(body, status_code=200 if checks.ok else 503)


def _check(assistant: Any) -> Readiness:
    return assistant.check_ready()
