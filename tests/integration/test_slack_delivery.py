"""The Slack outbox sender against a local fake Slack: expert answers into the asker's
thread once, ticket notices to the expert channel, overdue tickets re-posted."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.delivery.outbox import Delivery, PermanentDeliveryError
from channels.slack.delivery import SlackSender
from channels.slack.deps import SlackDeps, make_deps
from tests.conftest import make_settings
from tests.integration.fake_servers import FakeSlack

pytestmark = pytest.mark.integration


class _NoService:
    pass


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


def _deps(tmp_path: Path, fake: FakeSlack, **overrides: Any) -> SlackDeps:
    settings = make_settings(tmp_path / "var", slack_bot_token=FakeSlack.TOKEN, slack_api_url=f"{fake.url}/api",
                             **overrides)
    return make_deps(settings, lambda: _NoService())


def _notice(kind: str, key: str, *, handle: str | None = "UEXP", **ticket: Any) -> Delivery:
    summary = {"ticket_id": "t-1", "status": "open", "topic": "MES", "priority": "normal",
               "question": "MES 도입 비용은?", "channel": "kakao", "due_at": "2030-01-01T00:00:00+00:00",
               "draft": "봇 초안", "sources": [{"n": 1, "title": "MES 안내", "source": "m.md"}], **ticket}
    recipient = {"user_id": "u-exp", "name": "김전문", **({"handle": handle} if handle else {})}
    return Delivery(id=key, idempotency_key=key, channel="slack", kind=kind, recipient=recipient,
                    payload={"type": kind, "text": "...", "ticket": summary}, attempt=1, ticket_id="t-1")


def test_new_ticket_goes_to_the_expert_channel_and_overdue_is_reposted(tmp_path: Path, fake: FakeSlack) -> None:
    sender = SlackSender(_deps(tmp_path, fake, slack_expert_channel="CEXPERTS"))
    asyncio.run(sender(_notice("ticket_assigned", "k1")))
    asyncio.run(sender(_notice("ticket_assigned", "k1")))  # redelivered by the outbox: skipped
    (first,) = fake.wait_for("/chat.postMessage")
    assert first.body["channel"] == "CEXPERTS"
    shown = str(first.body["blocks"])
    assert "<@UEXP> 새 문의가 배정되었습니다." in shown and "봇 초안" in shown and "[1] MES 안내 (m.md)" in shown
    asyncio.run(sender(_notice("ticket_overdue", "k2", sla_stage=1)))
    second = fake.wait_for("/chat.postMessage", 2)[1]
    assert second.body["channel"] == "CEXPERTS" and "답변 기한이 지났습니다" in str(second.body["blocks"])
    assert sender.deps.threads.ticket_message("t-1").ts == "1800000000.000002"  # type: ignore[union-attr]


def test_without_an_expert_channel_the_notice_is_a_dm(tmp_path: Path, fake: FakeSlack) -> None:
    sender = SlackSender(_deps(tmp_path, fake))
    asyncio.run(sender(_notice("ticket_assigned", "k1")))
    (post,) = fake.wait_for("/chat.postMessage")
    assert post.body["channel"] == "UEXP" and "<@UEXP>" not in str(post.body["blocks"])
    with pytest.raises(PermanentDeliveryError):
        asyncio.run(sender(_notice("ticket_queued", "k2", handle=None)))


def test_expert_answer_goes_to_the_thread_once(tmp_path: Path, fake: FakeSlack) -> None:
    sender = SlackSender(_deps(tmp_path, fake))
    delivery = Delivery(
        id="d1", idempotency_key="ticket:t-1:5:expert_answer", channel="slack", kind="expert_answer",
        recipient={"user_id": "UOWNER", "reply_to": {"channel": "CQA", "thread_ts": "1.5"}},
        payload={"type": "expert_answer", "ticket_id": "t-1", "text": "답변입니다", "expert": "김전문",
                 "citations": [{"n": 1, "title": "안내", "source": "a.md", "url": "https://example.go.kr"}]},
        attempt=1, ticket_id="t-1",
    )
    asyncio.run(sender(delivery))
    asyncio.run(sender(delivery))
    (post,) = fake.wait_for("/chat.postMessage")
    assert (post.body["channel"], post.body["thread_ts"]) == ("CQA", "1.5")
    assert post.body["blocks"][-1]["elements"] == [{"type": "mrkdwn", "text": "[1] <https://example.go.kr|안내>"}]
    with pytest.raises(PermanentDeliveryError):
        asyncio.run(sender(Delivery(id="d2", idempotency_key="x", channel="slack", kind="expert_answer",
                                    recipient={"user_id": "U"}, payload={"text": "a"}, attempt=1)))


def test_slack_errors_that_cannot_heal_are_permanent(tmp_path: Path, fake: FakeSlack) -> None:
    deps = _deps(tmp_path, fake)
    deps.client.token = "xoxb-wrong"  # the fake answers invalid_auth
    with pytest.raises(PermanentDeliveryError, match="invalid_auth"):
        asyncio.run(SlackSender(deps)(_notice("ticket_assigned", "k9")))
