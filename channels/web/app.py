"""The web channel's FastAPI app: `create_app(settings)` builds it, the lifespan builds the assistant."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from assistant.delivery.outbox import SenderRegistry
from assistant.errors import FMError
from assistant.service import Assistant
from assistant.settings import Settings, get_settings
from channels.runtime import Runtime
from channels.web.docs import install_docs
from channels.web.events import ConversationEvents, WebSender
from channels.web.limits import BodySizeLimitMiddleware, RateLimited, SharedRateLimiter, trusted_networks
from channels.web.routes import chat, conversations, health, owner_conversations, pages, staff
from channels.web.routes.pages import STATIC
from channels.web.schemas import LONE_SURROGATE
from channels.web.security import SECURITY_HEADERS, SecurityHeadersMiddleware
from channels.web.startup import answer_unconfigured, log_summary

logger = logging.getLogger(__name__)

DESCRIPTION = """스마트공장 전문가 Q&A 도우미 Factory Mentor의 HTTP API.

- 사용자(공장 대표, 관리자)와 스크립트: `X-Owner-Id` 헤더(필수, 영문·숫자·`-`·`_` 8~64자의 식별값; 채팅 페이지는
  브라우저가 만들어 보관)로 자기 대화만 봅니다. 같은 값을 계속 보내면 같은 소유자입니다.
- `POST /v1/chat`에 `Accept: text/event-stream`을 보내면 `text`(문장), `citations`, `final`(JSON 답변과 같은 객체)
  이벤트가 차례로 옵니다.
- 직원(전문가, 멘토, 관리자): `Authorization: Bearer <API 토큰>` (`factory-mentor users add`로 발급).
- 오류는 모두 `{"error": {"code", "message"}}` 형식이며 `message`는 사용자에게 보여 줄 한국어 문장입니다.
"""


class _Background:
    """The outbox worker + SLA sweep of this process (`worker_in_process`), delivering with
    the senders this app builds: its live `WebSender`, Slack's when mounted, the inbox."""

    def __init__(self, runtime: Runtime, app: FastAPI) -> None:
        self.runtime = runtime
        self.app = app
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def senders(self) -> SenderRegistry:
        web = WebSender(self.runtime.inbox(), self.app.state.events)
        return self.runtime.senders({"web": web}, slack=self.app.state.slack)

    async def start(self) -> None:
        if self.runtime.assistant.db is None:
            logger.warning("assistant has no database: no outbox worker in this process")
            return
        self.app.state.senders = senders = self.senders()
        handlers = self.runtime.received_handlers(slack=self.app.state.slack, kakao=getattr(self.app.state, "kakao", None))
        loop = self.runtime.background_loop(senders, handlers)
        self.task = asyncio.create_task(loop.run(self.stop), name="fm-background")

    async def close(self) -> None:
        if self.task is not None:
            self.stop.set()
            try:
                await asyncio.wait_for(self.task, timeout=10)
            except TimeoutError:
                self.task.cancel()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    given = app.state.assistant is not None
    runtime = Runtime(settings, assistant=app.state.assistant)
    app.state.assistant = await asyncio.to_thread(lambda: runtime.assistant)
    if not given:  # a given assistant is warmed by whoever built it
        from assistant.warmup import warm_up

        # models, indexes and the database warmed before /readyz answers (a fast first question);
        # at least the embedding model, not loaded by the first user's question
        warm = warm_up if settings.warm_up_on_start else (lambda a: a.stores.warm())
        await asyncio.to_thread(warm, app.state.assistant)
    background = _Background(runtime, app)
    if settings.worker_in_process:
        await background.start()
    logger.info("web app ready (assistant %s)", "given" if given else "built")
    try:
        yield
    finally:
        await background.close()
        runtime.close()


INVALID_TEXT = ("보낸 글에 올바르지 않은 문자(짝이 맞지 않는 유니코드 대리 문자)가 있습니다. "
                "글을 다시 입력하거나 붙여 넣어 주세요.")
INTERNAL = "요청을 처리하는 중 문제가 생겼습니다. 잠시 후 다시 시도해 주세요."


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(FMError)
    async def fm_error(_request: Request, exc: FMError) -> JSONResponse:
        if exc.status >= 500:
            logger.warning("request failed: %s %s", exc.code, exc.detail)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return _error(exc.status, exc.code, exc.message, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(e.get("type") == LONE_SURROGATE for e in exc.errors()):
            return _error(400, "invalid_text", INVALID_TEXT)
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) or "body" for e in exc.errors()})
        return _error(422, "invalid_request", f"요청 형식이 올바르지 않습니다 ({', '.join(fields)}).")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        """Anything unhandled: JSON with a Korean message, never a plain-text 500 (logged with its trace)."""
        logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return _error(500, "internal", INTERNAL, dict(SECURITY_HEADERS))


def create_app(settings: Settings | None = None, *, assistant: Assistant | None = None) -> FastAPI:
    """The app; pass `assistant` to serve an already built one (tests), else the lifespan builds it."""
    settings = settings or get_settings()
    app = FastAPI(title="Factory Mentor", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # served from local assets by install_docs
    app.state.settings = settings
    app.state.assistant = assistant
    app.state.limiter = SharedRateLimiter(lambda: getattr(app.state.assistant, "db", None), settings.rate_limit_per_minute)
    app.state.proxies = trusted_networks(settings.trusted_proxies)  # X-Forwarded-For read only from these
    app.state.events = ConversationEvents()  # open pages waiting for news, woken by this app's WebSender
    app.state.slack = None  # the Slack deps, when Slack mounts below
    app.state.senders = None  # this app's outbox senders, once its background loop runs
    _install_error_handlers(app)
    for router in (health.router, chat.router, owner_conversations.router, conversations.router, staff.router,
                   pages.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
                           allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Authorization", "X-Owner-Id", "Accept"])
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: on every response, 413 and CORS included
    # Slack (/slack/events) and KakaoTalk (/kakao/skill): each mounts only when configured
    from channels.kakao.skill import mount as mount_kakao
    from channels.slack.http import mount as mount_slack

    mount_slack(app, settings, assistant)
    mount_kakao(app, settings, assistant)
    answer_unconfigured(app, settings)  # 503 with a Korean message, not 404, on channels that are off
    install_docs(app)
    log_summary(settings)
    return app
