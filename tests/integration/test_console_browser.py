"""The expert's console and the widget's badge in a real browser (Chromium through Playwright).

An expert opens a ticket: the bot's sources are suggestions with nothing ticked, the draft is
the answer the owner was shown; they search the knowledge, attach a passage and send; the
owner's page shows the expert's answer citing exactly that passage. On another site the
widget's button gets a badge when an earlier conversation holds an unread expert answer.
Screenshots go to `test-artifacts/`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.db import open_database
from assistant.experts.staff import create_user, issue_token
from assistant.settings import Settings
from evals.bench.server import LocalServer
from tests.conftest import make_settings
from tests.integration.test_web_browser import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    DESKTOP,
    PHONE,
    _chromium,
    _sign_in,
    _site,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

QUESTION = "스마트공장 수준확인 제도가 무엇인가요?"
SEARCH = "사후관리 의무기간 환수"


@pytest.fixture(scope="module")
def server(knowledge_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A real `factory-mentor serve` on a copy of the ingested knowledge, with one expert."""
    _chromium()
    data = tmp_path_factory.mktemp("console-browser") / "var"
    shutil.copytree(knowledge_settings.data_dir, data, ignore=shutil.ignore_patterns("*.sqlite-*", "factory_mentor.sqlite"))
    settings = make_settings(data, outbox_poll_interval_s=0.2)
    db = open_database(settings)
    with db.session_scope() as s:
        expert = create_user(s, name="박전문", role="expert", expertise=["지원사업"])
        token = issue_token(s, user_id=expert.id).token
    db.dispose()
    ARTIFACTS.mkdir(exist_ok=True)
    with LocalServer(settings, log_path=data.parent / "server.log") as running:
        yield {"url": running.url, "token": token}


@pytest.fixture(scope="module")
def browser(server: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def _ask_then_request_expert(chat: Any, question: str) -> Any:
    from playwright.sync_api import expect

    chat.wait_for_selector("body[data-ready=true]", state="attached")
    chat.locator("#message").fill(question)
    chat.locator("#message").press("Enter")
    answer = chat.locator(".turn.assistant[data-message-id]").last
    expect(answer).to_be_visible(timeout=60_000)
    answer.get_by_role("button", name="전문가에게 물어보기").click()
    expect(answer).to_contain_text("전문가에게 질문을 전달했습니다")
    return answer


def test_expert_picks_the_citations_and_the_owner_sees_exactly_those(server: dict[str, Any], browser: Any) -> None:
    from playwright.sync_api import expect

    url = server["url"]
    owner = browser.new_context(viewport=PHONE, locale="ko-KR")
    chat = owner.new_page()
    chat.goto(url + "/")
    shown = _ask_then_request_expert(chat, QUESTION).locator(".text").inner_text()

    staff = browser.new_context(viewport=DESKTOP, locale="ko-KR")
    console = staff.new_page()
    _sign_in(console, url, server["token"])
    console.locator("#ticket-rows tr", has_text=QUESTION).click()
    expect(console.locator("#ticket-question")).to_have_text(QUESTION)
    # the bot's sources are suggestions: shown, none ticked; nothing is cited yet
    suggestions = console.locator("#ticket-sources input[type=checkbox]")
    assert suggestions.count() >= 1
    expect(console.locator("#ticket-sources input:checked")).to_have_count(0)
    expect(console.locator("#ticket-cited li")).to_have_count(0)
    # the draft is the answer the owner was shown; sent as it is, its [1] would point at nothing
    assert console.input_value("#ticket-answer").strip() == shown.strip()
    console.click("#send-answer")
    expect(console.locator("#ticket-status")).to_contain_text("[1]")
    expect(console.locator("#ticket-status")).to_contain_text("출처를 선택하거나, 표시를 지워 주세요")
    expect(console.locator("#ticket-meta")).to_contain_text("대기")

    # search the knowledge and attach the first passage
    console.fill("#kb-query", SEARCH)
    console.click("#kb-search button[type=submit]")
    first = console.locator("#kb-results li.passage").first
    expect(first).to_be_visible(timeout=30_000)
    title = first.locator("strong").inner_text()
    first.get_by_role("button", name="인용 추가").click()
    cited = console.locator("#ticket-cited li")
    expect(cited).to_have_count(1)
    expect(cited).to_contain_text(title)
    number = cited.locator("strong").inner_text().split("]")[0] + "]"  # e.g. "[4]"
    answer_text = f"사후관리 의무기간 안에 시스템을 임의로 버리면 환수될 수 있습니다 {number}."
    console.fill("#ticket-answer", answer_text)
    console.screenshot(path=str(ARTIFACTS / "console-cite.png"), full_page=True)
    console.click("#send-answer")
    expect(console.locator("#ticket-status")).to_contain_text("답변을 보냈습니다")

    # the owner sees the expert's answer citing that passage, and only it
    expert_turn = chat.locator(".turn.expert")
    expect(expert_turn).to_contain_text(answer_text, timeout=30_000)
    chips = expert_turn.locator(".chip")
    expect(chips).to_have_count(1)
    expect(chips).to_have_text(f"{number} {title}")
    chat.screenshot(path=str(ARTIFACTS / "chat-expert-citation.png"), full_page=True)
    for context in (owner, staff):
        context.close()


def test_widget_badge_shows_an_unread_expert_answer(server: dict[str, Any], browser: Any) -> None:
    from playwright.sync_api import expect

    url = server["url"]
    context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="ko-KR")
    page = context.new_page()
    host_page = ("<!doctype html><html lang='ko'><meta charset='utf-8'><body><h1>우리 공장 홈페이지</h1>"
                 f"<script src='{url}/widget.js' async></script></body></html>")
    question = "스마트공장 구축 지원사업 신청 자격이 어떻게 되나요?"
    with _site(host_page) as site:
        page.goto(site)
        button, badge = page.locator("#fm-widget-button"), page.locator("#fm-widget-badge")
        expect(button).to_have_text("스마트공장 상담")
        button.click()
        frame = page.frame_locator("#fm-widget-frame")
        frame.locator("body[data-ready=true]").wait_for(state="attached")
        frame.locator("#message").fill(question)
        frame.locator("#message").press("Enter")
        answer = frame.locator(".turn.assistant[data-message-id]").last
        expect(answer).to_be_visible(timeout=60_000)
        answer.get_by_role("button", name="전문가에게 물어보기").click()
        expect(answer).to_contain_text("전문가에게 질문을 전달했습니다")
        frame.locator("#new-chat").click()  # the owner moves on
        button.click()  # and closes the widget
        expect(badge).to_be_hidden()

        # the expert answers the first conversation
        api = context.request
        staff = {"Authorization": f"Bearer {server['token']}"}
        [ticket] = [t for t in api.get(f"{url}/v1/staff/tickets", headers=staff).json() if t["question"] == question]
        sent = api.post(f"{url}/v1/staff/tickets/{ticket['id']}/answer", headers=staff,
                        data={"text": "신청 자격은 중소기업이면 됩니다. (전문가 답변)"})
        assert sent.ok, sent.text()

        # back on the site: the button carries the badge before the widget is opened
        page.reload()
        expect(badge).to_be_visible(timeout=30_000)
        expect(badge).to_have_text("1")
        expect(page.locator("#fm-widget-frame")).to_be_hidden()
        page.screenshot(path=str(ARTIFACTS / "widget-badge.png"))
        button.click()
        frame.locator("#history").click()
        frame.locator("#history-list button", has_text="지원사업").click()
        expect(frame.locator(".turn.expert")).to_contain_text("(전문가 답변)")
        expect(badge).to_be_hidden()  # read: the badge goes
    context.close()
