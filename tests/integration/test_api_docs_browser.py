"""`/docs` (Swagger UI) and `/redoc` render in Chromium from local files only: every request
the browser makes to anything but the local server is refused, and the pages still show the
API. Screenshots go to `test-artifacts/`. Also: the schema marks `X-Owner-Id` required, and
the unconfigured Slack and Kakao routes answer 503 with a Korean message."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from assistant.service import Assistant
from assistant.settings import Settings
from assistant.stores import open_stores
from channels.web.app import create_app
from evals.bench.server import free_port
from tests.integration.test_web_browser import ARGS, ARTIFACTS, CHROMIUM, DESKTOP, _chromium

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.conftest import make_settings

    settings: Settings = make_settings(tmp_path_factory.mktemp("docs") / "var", worker_in_process=False)
    stores = open_stores(settings)
    app = create_app(settings, assistant=Assistant(settings, stores))  # no Slack, no Kakao configured
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    stores.close()


def test_schema_requires_the_owner_header_and_channels_say_they_are_off(base_url: str) -> None:
    schema = httpx.get(f"{base_url}/openapi.json", timeout=60).json()
    params = schema["paths"]["/v1/chat"]["post"]["parameters"]
    owner = next(p for p in params if p["name"].lower() == "x-owner-id")
    assert owner["required"] is True and "8~64자" in owner["description"]
    missing = httpx.post(f"{base_url}/v1/chat", json={"message": "MES가 뭐예요?"}, timeout=60)
    assert missing.status_code == 400
    assert "X-Owner-Id 헤더" in missing.json()["error"]["message"]
    for path, code in (("/slack/events", "slack_not_configured"), ("/kakao/skill", "kakao_not_configured")):
        off = httpx.post(base_url + path, json={}, timeout=60)
        assert off.status_code == 503 and off.json()["error"]["code"] == code
        assert "설정되지 않았습니다" in off.json()["error"]["message"]


def _offline_page(browser: Any, base_url: str) -> tuple[Any, list[str]]:
    refused: list[str] = []
    context = browser.new_context(viewport=DESKTOP, locale="ko-KR")

    def only_local(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            refused.append(f"{route.request.resource_type} {route.request.url}")
            route.abort()

    context.route("**/*", only_local)
    return context.new_page(), refused


def test_swagger_and_redoc_render_offline(base_url: str) -> None:
    _chromium()
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page, refused = _offline_page(browser, base_url)
        page.goto(base_url + "/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Factory Mentor", timeout=30_000)
        chat = page.locator(".opblock-summary-path[data-path='/v1/chat']")
        expect(chat).to_be_visible()
        chat.click()
        expect(page.locator(".parameters").first).to_contain_text("x-owner-id")
        page.screenshot(path=str(ARTIFACTS / "api-docs-swagger.png"), full_page=False)

        page.goto(base_url + "/redoc")
        expect(page.locator("h1").first).to_contain_text("Factory Mentor", timeout=30_000)
        expect(page.get_by_text("/v1/chat").first).to_be_attached()
        page.screenshot(path=str(ARTIFACTS / "api-docs-redoc.png"), full_page=False)
        browser.close()
    # the pages need nothing from outside; ReDoc's sidebar credit image is the one outside request
    # it makes, and the page renders without it
    assert [r for r in refused if not r.startswith("image ")] == [], refused
