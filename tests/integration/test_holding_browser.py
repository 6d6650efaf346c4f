"""The hand-off on the chat page in Chromium, against a real `factory-mentor serve`.

(1) Escalate, the expert claims, the owner asks about something else (the bot stays quiet
and offers "봇에게 묻기", which gets the bot's answer), the expert answers, the owner asks again
(the bot answers). (2) A second conversation; the expert answers the first; the returning
owner sees the badge on "지난 대화" and the answer. Screenshots go to `test-artifacts/`.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.test_web_browser import ARTIFACTS, PHONE, browser, server  # noqa: F401 - fixtures

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ESCALATE = "사람이랑 상담하고 싶어요"
OTHER = "스마트공장 수준확인 제도가 무엇인가요?"
AGAIN = "우리 공장에 MES가 필요한지 어떻게 판단하나요?"


def _ticket_for(url: str, token: str, question: str) -> str:
    tickets = httpx.get(f"{url}/v1/staff/tickets", headers={"Authorization": f"Bearer {token}"}, timeout=60).json()
    return next(t["id"] for t in tickets if t["question"] == question and t["status"] in ("open", "claimed"))


def _staff(url: str, token: str, ticket: str, action: str, **body: Any) -> None:
    resp = httpx.post(f"{url}/v1/staff/tickets/{ticket}/{action}", json=body or None,
                      headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert resp.status_code == 200, resp.text


def _open_chat(browser: Any, url: str) -> tuple[Any, Any]:  # noqa: F811
    context = browser.new_context(viewport=PHONE, locale="ko-KR")
    page = context.new_page()
    page.goto(url + "/")
    page.wait_for_selector("body[data-ready=true]", state="attached")
    return context, page


def _ask(page: Any, text: str) -> Any:
    from playwright.sync_api import expect

    before = page.locator(".turn.assistant[data-decision]").count()
    page.fill("#message", text)
    page.press("#message", "Enter")
    answer = page.locator(".turn.assistant[data-decision]").nth(before)
    expect(answer).to_be_visible(timeout=60_000)
    return answer


def test_held_only_while_claimed_and_the_owner_can_ask_the_bot(server: dict[str, Any], browser: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    url, token = server["url"], server["tokens"]["expert"]
    context, chat = _open_chat(browser, url)
    escalated = _ask(chat, ESCALATE)
    expect(escalated).to_have_attribute("data-decision", "escalate")
    ticket = _ticket_for(url, token, ESCALATE)
    _staff(url, token, ticket, "claim")

    held = _ask(chat, OTHER)  # an expert is on it: the bot stays quiet and says who answers
    expect(held).to_have_attribute("data-decision", "escalate")
    expect(held.locator(".text")).to_contain_text("전문가가 이 질문의 답변을 작성하고 있어요")
    ask_bot = held.get_by_role("button", name="봇에게 묻기")
    expect(ask_bot).to_be_visible()
    chat.screenshot(path=str(ARTIFACTS / "holding-claimed.png"), full_page=True)
    before = chat.locator(".turn.assistant[data-decision]").count()
    ask_bot.click()
    anyway = chat.locator(".turn.assistant[data-decision]").nth(before)
    expect(anyway.locator(".text")).to_contain_text("'봇에게 묻기'로 봇이 답합니다", timeout=60_000)
    expect(anyway.locator(".chip").first).to_contain_text("[1]")

    _staff(url, token, ticket, "answer", text="담당 전문가입니다. 내일 오전에 전화 드리겠습니다.")
    expect(chat.locator(".turn.expert")).to_contain_text("내일 오전에 전화", timeout=30_000)
    after = _ask(chat, AGAIN)  # answered: the bot answers new questions again
    expect(after.locator(".chip").first).to_contain_text("[1]")
    assert after.get_by_role("button", name="봇에게 묻기").count() == 0
    chat.screenshot(path=str(ARTIFACTS / "holding-after-answer.png"), full_page=True)
    context.close()


def test_returning_owner_sees_the_badge_and_the_answer(server: dict[str, Any], browser: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    url, token = server["url"], server["tokens"]["expert"]
    context, chat = _open_chat(browser, url)
    question = "공장 안전 점검은 누구에게 받아야 하나요? 사람이랑 상담하고 싶어요"
    expect(_ask(chat, question)).to_have_attribute("data-decision", "escalate")
    ticket = _ticket_for(url, token, question)
    chat.click("#new-chat")  # a second conversation
    _ask(chat, OTHER)
    _staff(url, token, ticket, "answer", text="안전 점검은 지정 기관에 요청하시면 됩니다.")

    chat.reload()  # the owner comes back later
    chat.wait_for_selector("body[data-ready=true]", state="attached")
    expect(chat.locator("#history-badge")).to_have_text("1")
    chat.click("#history")
    item = chat.locator("#history-list button.conversation", has_text="공장 안전 점검")
    expect(item.locator(".badge.new")).to_have_text("전문가 답변")
    chat.screenshot(path=str(ARTIFACTS / "holding-badge.png"), full_page=True)
    item.click()
    expect(chat.locator(".turn.expert")).to_contain_text("지정 기관에 요청하시면", timeout=30_000)
    chat.reload()
    chat.wait_for_selector("body[data-ready=true]", state="attached")
    expect(chat.locator("#history-badge")).to_be_hidden()  # seen
    context.close()
