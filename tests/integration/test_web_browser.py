"""The whole web story in a real browser (Debian's Chromium driven by Playwright).

An owner asks on the chat page and watches a cited answer stream in, opens a citation, rates
it and asks for an expert; an expert signs in to the console, sees the queue (an overdue
ticket stands out), opens the ticket and answers; the owner's page shows the answer, marked
as from a person. A mentor drafts an answer and approves the expert's note. The widget opens
the same chat from another page. Screenshots go to `test-artifacts/`.

Without /usr/bin/chromium the tests skip, except under CI (env `CI` set), where they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assistant.db import open_database
from assistant.db.models import utcnow
from assistant.experts.staff import create_user, issue_token
from assistant.experts.tickets import TicketRequest, create_ticket
from assistant.settings import Settings
from evals.bench.server import LocalServer
from tests.conftest import REPO, make_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "test-artifacts"
QUESTION = "스마트공장 수준확인 제도가 무엇인가요?"
EXPERT_ANSWER = "수준확인은 지정 기관이 현장 심사로 확인합니다. 신청은 추진단 누리집에서 하시면 됩니다. (전문가 답변)"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Records each piece of text the page appends to the answer while it streams.
_WATCH_STREAM = """
window.__streamed = [];
new MutationObserver((records) => {
  for (const r of records) {
    const turn = r.target.closest && r.target.closest('.turn.assistant.streaming');
    if (turn && r.target.classList.contains('text')) window.__streamed.push(r.target.textContent.length);
  }
}).observe(document.getElementById('messages'), {subtree: true, childList: true, characterData: true});
"""


def _chromium() -> None:
    if not CHROMIUM.exists():
        message = "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set: not skipping)")
        pytest.skip(message)


@pytest.fixture(scope="module")
def server(knowledge_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A real `factory-mentor serve` on a copy of the ingested knowledge, with staff and one overdue ticket."""
    _chromium()
    data = tmp_path_factory.mktemp("browser") / "var"
    shutil.copytree(knowledge_settings.data_dir, data, ignore=shutil.ignore_patterns("*.sqlite-*", "factory_mentor.sqlite"))
    settings = make_settings(data, outbox_poll_interval_s=0.2)
    db = open_database(settings)
    with db.session_scope() as s:
        expert = create_user(s, name="박전문", role="expert", expertise=["수준확인", "MES", "정책자금"])
        mentor = create_user(s, name="이멘토", role="mentor")
        tokens = {"expert": issue_token(s, user_id=expert.id).token, "mentor": issue_token(s, user_id=mentor.id).token}
        request = TicketRequest(question="작년에 신청한 바우처 정산 서류는 어디에 내나요?", channel="web",
                                user_id="someone-else-0001", topic="정책자금")
        create_ticket(s, settings=settings, request=request, now=utcnow() - timedelta(days=3))
    db.dispose()
    ARTIFACTS.mkdir(exist_ok=True)
    with LocalServer(settings, log_path=data.parent / "server.log") as running:
        yield {"url": running.url, "tokens": tokens, "server": running}


@pytest.fixture(scope="module")
def browser(server: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def _sign_in(page: Any, url: str, token: str) -> None:
    page.goto(url + "/console")
    page.wait_for_selector("body[data-ready=true]", state="attached")
    page.fill("#token", token)
    page.click("#signin button[type=submit]")
    page.wait_for_selector("#tabs:not([hidden])")


def test_owner_asks_expert_answers_owner_sees_it(server: dict[str, Any], browser: Any) -> None:
    from playwright.sync_api import expect

    url = server["url"]
    owner = browser.new_context(viewport=PHONE, locale="ko-KR")
    chat = owner.new_page()
    chat.goto(url + "/")
    expect(chat.locator("h1")).to_have_text("Factory Mentor")
    chat.wait_for_selector("body[data-ready=true]", state="attached")
    chat.evaluate(_WATCH_STREAM)

    # ask: the answer streams in, then carries numbered citation chips
    with chat.expect_response(lambda r: r.url.endswith("/v1/chat")) as response:
        chat.fill("#message", QUESTION)
        chat.press("#message", "Enter")
    assert response.value.headers["content-type"].startswith("text/event-stream")
    answer = chat.locator(".turn.assistant[data-message-id]").last
    expect(answer).to_be_visible(timeout=60_000)
    expect(chat.locator(".turn.user .text").last).to_have_text(QUESTION)
    streamed = chat.evaluate("window.__streamed")
    assert len([n for n in streamed if n > 0]) >= 2, f"the answer did not arrive piece by piece: {streamed}"
    expect(answer.locator(".text")).to_contain_text("[1]")
    chips = answer.locator(".chip")
    assert chips.count() >= 1
    expect(chips.first).to_contain_text("[1]")

    # a citation opens its source snippet
    chips.first.click()
    dialog = chat.locator("#source-dialog")
    expect(dialog).to_be_visible()
    expect(chat.locator("#source-title")).to_contain_text("[1]")
    assert len(chat.locator("#source-snippet").inner_text()) > 10
    assert ".md" in chat.locator("#source-meta").inner_text()
    chat.screenshot(path=str(ARTIFACTS / "chat-citation.png"))
    dialog.locator("button").click()
    expect(dialog).to_be_hidden()

    # thumbs up, then ask for a person
    answer.locator(".thumb.up").click()
    expect(answer.locator(".thumb.up")).to_have_attribute("aria-pressed", "true")
    answer.get_by_role("button", name="전문가에게 물어보기").click()
    expect(answer).to_contain_text("전문가에게 질문을 전달했습니다")

    # the expert: the queue (the overdue ticket stands out), the ticket, the answer
    staff = browser.new_context(viewport=DESKTOP, locale="ko-KR")
    console = staff.new_page()
    _sign_in(console, url, server["tokens"]["expert"])
    expect(console.locator("#who-name")).to_contain_text("박전문 (전문가)")
    rows = console.locator("#ticket-rows tr")
    expect(rows).to_have_count(2)
    overdue = console.locator("#ticket-rows tr.overdue")
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text("바우처 정산")
    expect(overdue.locator(".badge.overdue")).to_have_text("기한 초과")
    mine = console.locator("#ticket-rows tr", has_text=QUESTION)
    expect(mine).not_to_have_class("ticket overdue")
    console.screenshot(path=str(ARTIFACTS / "console-queue.png"), full_page=True)
    mine.click()
    detail = console.locator("#ticket-detail")
    expect(detail).to_be_visible()
    expect(console.locator("#ticket-question")).to_have_text(QUESTION)
    expect(console.locator("#ticket-conversation .turn.user .text")).to_have_text(QUESTION)
    expect(console.locator("#ticket-conversation .turn.assistant")).to_contain_text("[1]")
    assert console.locator("#ticket-sources li input[type=checkbox]").count() >= 1
    assert "[1]" in console.input_value("#ticket-answer")  # the bot's draft to start from
    console.click("#claim")
    expect(console.locator("#ticket-status")).to_have_text("이 티켓을 맡았습니다.")
    console.fill("#ticket-answer", EXPERT_ANSWER)
    console.screenshot(path=str(ARTIFACTS / "console-ticket.png"), full_page=True)
    console.click("#send-answer")
    expect(console.locator("#ticket-status")).to_contain_text("답변을 보냈습니다")
    expect(console.locator("#ticket-meta")).to_contain_text("답변완료")

    # the owner's page shows the expert's answer, marked as from a person, and keeps it on reload
    expert_turn = chat.locator(".turn.expert")
    expect(expert_turn).to_contain_text(EXPERT_ANSWER, timeout=30_000)
    expect(expert_turn.locator(".who")).to_have_text("전문가 답변 · 사람이 직접 작성")
    chat.screenshot(path=str(ARTIFACTS / "chat-page.png"), full_page=True)
    chat.reload()
    chat.wait_for_selector("body[data-ready=true]", state="attached")
    expect(chat.locator(".turn.expert")).to_contain_text(EXPERT_ANSWER)
    expect(chat.locator(".turn.assistant .chip").first).to_be_visible()

    # a mentor: a draft with suggested citations, copied; then the expert's note approved into knowledge
    mentor_context = browser.new_context(viewport=DESKTOP, locale="ko-KR")
    mentor_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    mentor = mentor_context.new_page()
    _sign_in(mentor, url, server["tokens"]["mentor"])
    mentor.get_by_role("tab", name="답변 초안").click()
    mentor.fill("#draft-question", "MES를 도입하면 무엇이 좋아지나요?")
    mentor.click("#draft-form button[type=submit]")
    expect(mentor.locator("#draft-result")).to_be_visible(timeout=30_000)
    assert "[1]" in mentor.input_value("#draft-answer")
    suggestions = mentor.locator("#draft-sources li")
    assert suggestions.count() >= 2
    expect(mentor.locator("#draft-sources input:checked").first).to_be_visible()
    mentor.click("#draft-copy")
    expect(mentor.locator("#draft-copy-status")).to_have_text("복사했습니다.")
    copied = mentor.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(mentor.input_value("#draft-answer").strip()) and "출처\n[" in copied
    mentor.screenshot(path=str(ARTIFACTS / "console-draft.png"), full_page=True)
    mentor.get_by_role("tab", name="지식 검토").click()
    found = mentor.locator(".note-card", has_text=EXPERT_ANSWER)
    expect(found).to_contain_text("박전문")
    note = mentor.locator(f".note-card[data-note-id='{found.get_attribute('data-note-id')}']")
    note.get_by_role("button", name="승인 (지식 반영)").click()
    expect(note).to_have_text("승인되어 지식에 반영되었습니다.", timeout=60_000)
    for context in (owner, staff, mentor_context):
        context.close()


def test_widget_opens_the_chat_on_another_site(server: dict[str, Any], browser: Any) -> None:

    context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="ko-KR")
    page = context.new_page()
    host_page = ("<!doctype html><html lang='ko'><meta charset='utf-8'><body><h1>우리 공장 홈페이지</h1>"
                 f"<script src='{server['url']}/widget.js' async></script></body></html>")
    with _site(host_page) as site:  # another site (localhost, not 127.0.0.1) embeds the widget
        page.goto(site)
        _widget_story(page)
    context.close()


def _widget_story(page: Any) -> None:
    from playwright.sync_api import expect

    button = page.locator("#fm-widget-button")
    expect(button).to_have_text("스마트공장 상담")
    button.click()
    expect(page.locator("#fm-widget-frame")).to_be_visible()
    frame = page.frame_locator("#fm-widget-frame")
    expect(frame.locator("h1")).to_have_text("Factory Mentor")
    expect(frame.locator("body[data-ready=true]")).to_have_count(1)  # chat.js has run
    frame.locator("#message").fill("MES가 뭔가요?")
    frame.locator("#message").press("Enter")
    expect(frame.locator(".turn.assistant[data-message-id]")).to_be_visible(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "widget.png"))
    button.click()
    expect(page.locator("#fm-widget-frame")).to_be_hidden()


@contextmanager
def _site(html: str) -> Iterator[str]:
    """A one-page web site on its own loopback port."""
    body = html.encode("utf-8")

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
