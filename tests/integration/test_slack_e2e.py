"""Slack end to end through the real ASGI app: signed requests in, Web API calls out to a
local fake Slack, the outbox worker of the app delivering expert answers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.stores import Stores
from assistant.types import Answer, Decision
from channels.slack import blocks
from tests.integration.channel_app import (
    add_staff,
    assistant_for,
    build_app,
    channel_settings,
    event_body,
    interaction_body,
    signed_headers,
)
from tests.integration.fake_servers import FakeSlack

pytestmark = pytest.mark.integration

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
QUESTION = "스마트공장 구축 지원사업 신청 자격은?"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, knowledge_stores: Stores, slack: FakeSlack) -> Iterator[dict[str, Any]]:
    settings = channel_settings(tmp_path / "var", slack_bot_token=FakeSlack.TOKEN, slack_api_url=f"{slack.url}/api/")
    with assistant_for(settings, knowledge_stores) as assistant:
        app = build_app(settings, assistant)
        with TestClient(app) as client:
            yield {"client": client, "assistant": assistant, "settings": settings, "slack": slack}


def post_event(client: TestClient, event: dict[str, Any], event_id: str, **headers: str) -> Any:
    body = event_body(event, event_id)
    return client.post("/slack/events", content=body, headers={**signed_headers(body, content_type=JSON), **headers})


def post_interaction(client: TestClient, payload: dict[str, Any]) -> Any:
    body = interaction_body(payload)
    return client.post("/slack/events", content=body, headers=signed_headers(body, content_type=FORM))


def mention(ts: str, text: str = QUESTION, **extra: Any) -> dict[str, Any]:
    return {"type": "app_mention", "user": "UOWNER", "text": f"<@UBOT> {text}", "ts": ts, "channel": "CQA",
            "team": "T1", "event_ts": ts, **extra}


def click(action_id: str, value: dict[str, Any], *, user: str, channel: str, message_ts: str,
          thread_ts: str | None = None) -> dict[str, Any]:
    message = {"ts": message_ts, "text": "...", **({"thread_ts": thread_ts} if thread_ts else {})}
    return {
        "type": "block_actions", "team": {"id": "T1"}, "user": {"id": user, "team_id": "T1"}, "api_app_id": "A1",
        "trigger_id": "1.2.trigger", "channel": {"id": channel}, "message": message,
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b",
                     "value": json.dumps(value), "action_ts": "1"}],
    }


def test_mention_is_answered_in_the_thread_with_blocks_and_citations(env: dict[str, Any]) -> None:
    client, slack, assistant = env["client"], env["slack"], env["assistant"]
    started = time.monotonic()
    resp = post_event(client, mention("1700000000.000100"), "Ev100")
    assert resp.status_code == 200 and time.monotonic() - started < 3  # acked before answering
    (post,) = slack.wait_for("/chat.postMessage")
    body = post.body
    assert set(body) == {"channel", "thread_ts", "text", "blocks", "unfurl_links", "team_id", "metadata"}
    assert body["metadata"] == {"event_type": "fm_answer", "event_payload": {"ref": "CQA:1700000000.000100"}}
    assert (body["channel"], body["thread_ts"], body["unfurl_links"], body["team_id"]) == (
        "CQA", "1700000000.000100", False, "T1")
    section, context, actions = body["blocks"]
    assert section["type"] == "section" and "신청할 수 있습니다" in section["text"]["text"]
    assert body["text"] == blocks.fallback(section["text"]["text"])
    assert context == {"type": "context", "block_id": "fm_citations", "elements": [
        {"type": "mrkdwn", "text": "[1] 스마트공장 지원사업 신청 자격과 제외 대상 (subsidies/eligibility.md)"}]}
    assert [b["action_id"] for b in actions["elements"]] == [blocks.A_FEEDBACK_UP, blocks.A_FEEDBACK_DOWN,
                                                            blocks.A_EXPERT]
    ids = json.loads(actions["elements"][0]["value"])
    turns = assistant.desk.history(ids["c"])
    assert [t.role for t in turns] == ["user", "assistant"] and turns[0].text == QUESTION
    expected = Answer(answer=turns[1].text, decision=Decision.answered, confidence=0.0,
                      citations=turns[1].citations, conversation_id=ids["c"], message_id=ids["m"])
    assert body["blocks"] == blocks.answer_blocks(expected)


def test_retried_event_and_double_delivery_are_answered_once(env: dict[str, Any]) -> None:
    client, slack = env["client"], env["slack"]
    event = mention("1700000000.000200")
    assert post_event(client, event, "Ev200").status_code == 200
    retry = post_event(client, event, "Ev200", **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status_code == 200
    # the same message also arrives as a `message` event (the bot is in the channel)
    as_message = {**event, "type": "message", "channel_type": "channel", "text": event["text"]}
    assert post_event(client, as_message, "Ev201").status_code == 200
    slack.wait_for("/chat.postMessage")
    time.sleep(1.5)
    assert len(slack.calls("/chat.postMessage")) == 1


def test_dm_and_thread_follow_up_continue_the_conversation(env: dict[str, Any]) -> None:
    client, slack = env["client"], env["slack"]
    dm = {"type": "message", "channel_type": "im", "user": "UOWNER", "text": "MES 공급기업 추천해줘 경기도",
          "ts": "1700000000.000300", "channel": "DOWNER", "event_ts": "1700000000.000300"}
    post_event(client, dm, "Ev300")
    (first,) = slack.wait_for("/chat.postMessage")
    assert (first.body["channel"], first.body["thread_ts"]) == ("DOWNER", "1700000000.000300")
    follow = {**dm, "text": "그 회사 연락처는?", "ts": "1700000000.000400", "thread_ts": "1700000000.000300"}
    post_event(client, follow, "Ev301")
    second = slack.wait_for("/chat.postMessage", 2)[1]
    assert second.body["thread_ts"] == "1700000000.000300"
    conv = [json.loads(b["elements"][0]["value"])["c"] for b in (first.body["blocks"][-1], second.body["blocks"][-1])]
    assert conv[0] == conv[1]
    # a thread message in a channel thread we never answered is not ours to answer
    stray = {**follow, "channel": "COTHER", "channel_type": "channel", "ts": "1700000000.000500",
             "thread_ts": "1700000000.000499"}
    post_event(client, stray, "Ev302")
    time.sleep(1.0)
    assert len(slack.calls("/chat.postMessage")) == 2


def test_bad_signature_and_stale_timestamp_get_401(env: dict[str, Any]) -> None:
    client = env["client"]
    body = event_body(mention("1700000000.000600"), "Ev600")
    bad = signed_headers(body, content_type=JSON, secret="not-the-secret")
    assert client.post("/slack/events", content=body, headers=bad).status_code == 401
    stale = signed_headers(body, content_type=JSON, timestamp=int(time.time()) - 10 * 60)
    assert client.post("/slack/events", content=body, headers=stale).status_code == 401
    tampered = signed_headers(body, content_type=JSON)
    assert client.post("/slack/events", content=body.replace("자격", "조건"), headers=tampered).status_code == 401
    time.sleep(0.5)
    assert env["slack"].calls("/chat.postMessage") == []


def test_feedback_buttons_record_a_rating(env: dict[str, Any]) -> None:
    client, slack, assistant = env["client"], env["slack"], env["assistant"]
    post_event(client, mention("1700000000.000700"), "Ev700")
    (post,) = slack.wait_for("/chat.postMessage")
    value = json.loads(post.body["blocks"][-1]["elements"][0]["value"])
    resp = post_interaction(client, click(blocks.A_FEEDBACK_UP, value, user="UOWNER", channel="CQA",
                                          message_ts="1800000000.000001", thread_ts="1700000000.000700"))
    assert resp.status_code == 200
    (note,) = slack.wait_for("/chat.postEphemeral")
    assert (note.body["user"], note.body["thread_ts"]) == ("UOWNER", "1700000000.000700")
    assert "감사" in note.body["text"]
    assert assistant is not None


def _ticket_card_post(slack: FakeSlack, count: int = 1) -> Any:
    return [p for p in slack.wait_for("/chat.postMessage", count + 1) if p.body["channel"] == "CEXPERTS"][count - 1]


def test_ticket_claimed_and_answered_from_slack_reaches_the_askers_thread(env: dict[str, Any]) -> None:
    client, slack, assistant = env["client"], env["slack"], env["assistant"]
    add_staff(assistant, name="김전문", slack="UEXP")
    post_event(client, mention("1700000000.000800"), "Ev800")
    (answer,) = slack.wait_for("/chat.postMessage")
    value = json.loads(answer.body["blocks"][-1]["elements"][2]["value"])
    post_interaction(client, click(blocks.A_EXPERT, value, user="UOWNER", channel="CQA",
                                   message_ts="1800000000.000001", thread_ts="1700000000.000800"))

    # the asker hears it went to a person; the expert channel gets the ticket
    posts = slack.wait_for("/chat.postMessage", 3)
    ack_msg = next(p for p in posts if p.body["channel"] == "CQA" and "전문가에게 문의를 전달" in p.body["text"])
    assert ack_msg.body["thread_ts"] == "1700000000.000800"
    card = next(p for p in posts if p.body["channel"] == "CEXPERTS")
    card_blocks = card.body["blocks"]
    assert card_blocks[1]["text"]["text"].startswith("<@UEXP> 새 문의가 배정되었습니다")
    shown = json.dumps(card_blocks, ensure_ascii=False)
    assert f"질문: {QUESTION}" in shown and "봇 초안:" in shown  # with the bot's draft and its sources
    assert "[1] 스마트공장 지원사업 신청 자격과 제외 대상 (subsidies/eligibility.md)" in shown
    claim_btn, answer_btn = card_blocks[-1]["elements"]
    assert (claim_btn["action_id"], answer_btn["action_id"]) == (blocks.A_CLAIM, blocks.A_ANSWER)
    ticket_id = json.loads(claim_btn["value"])["t"]
    card_ts = "1800000000.000003"

    # Claim: the ticket message shows who holds it
    post_interaction(client, click(blocks.A_CLAIM, {"t": ticket_id}, user="UEXP", channel="CEXPERTS",
                                   message_ts=card_ts))
    (update,) = slack.wait_for("/chat.update")
    assert (update.body["channel"], update.body["ts"]) == ("CEXPERTS", card_ts)
    state = json.dumps(update.body["blocks"], ensure_ascii=False)
    assert "처리 중" in state and "담당: 김전문" in state
    assert [b["action_id"] for b in update.body["blocks"][-1]["elements"]] == [blocks.A_ANSWER]

    # Answer: a modal, then its submission
    post_interaction(client, click(blocks.A_ANSWER, {"t": ticket_id}, user="UEXP", channel="CEXPERTS",
                                   message_ts=card_ts))
    (opened,) = slack.wait_for("/views.open")
    view = opened.body["view"]
    assert opened.body["trigger_id"] == "1.2.trigger" and view["callback_id"] == blocks.V_ANSWER
    expert_text = "중소기업기본법상 중소기업이면 신청할 수 있습니다. 공고문을 꼭 확인하세요."
    submission = {
        "type": "view_submission", "team": {"id": "T1"}, "user": {"id": "UEXP", "team_id": "T1"},
        "api_app_id": "A1", "trigger_id": "2.3.trigger",
        "view": {**view, "id": "V1", "state": {"values": {blocks.B_ANSWER_INPUT: {
            blocks.A_ANSWER_INPUT: {"type": "plain_text_input", "value": expert_text}}}}},
    }
    assert post_interaction(client, submission).status_code == 200

    reply = next(p for p in slack.wait_for("/chat.postMessage", 4) if "전문가 답변" in p.body["text"])
    assert (reply.body["channel"], reply.body["thread_ts"]) == ("CQA", "1700000000.000800")
    assert reply.body["blocks"][0]["elements"][0]["text"] == "🧑‍🔧 *김전문* 님의 답변"
    assert reply.body["blocks"][1]["text"]["text"] == expert_text
    final = slack.wait_for("/chat.update", 2)
    assert any("답변 완료" in json.dumps(u.body["blocks"], ensure_ascii=False) for u in final[1:])
    turns = assistant.desk.history(value["c"])
    assert turns[-1].role == "expert" and turns[-1].text == expert_text
    time.sleep(1.0)  # the outbox does not post twice
    assert len([p for p in slack.calls("/chat.postMessage") if "전문가 답변" in p.body["text"]]) == 1


def test_a_slack_user_who_is_not_staff_cannot_claim(env: dict[str, Any]) -> None:
    client, slack = env["client"], env["slack"]
    post_interaction(client, click(blocks.A_CLAIM, {"t": "no-such-ticket"}, user="UNOBODY", channel="CEXPERTS",
                                   message_ts="1800000000.000009"))
    (note,) = slack.wait_for("/chat.postEphemeral")
    assert note.body["user"] == "UNOBODY" and "전문가 계정" in note.body["text"]
    assert slack.calls("/chat.update") == []


def test_only_the_asker_can_hand_the_question_to_an_expert(env: dict[str, Any]) -> None:
    client, slack = env["client"], env["slack"]
    post_event(client, mention("1700000000.000900"), "Ev900")
    (answer,) = slack.wait_for("/chat.postMessage")
    value = json.loads(answer.body["blocks"][-1]["elements"][2]["value"])
    post_interaction(client, click(blocks.A_EXPERT, value, user="UCOLLEAGUE", channel="CQA",
                                   message_ts="1800000000.000001", thread_ts="1700000000.000900"))
    (note,) = slack.wait_for("/chat.postEphemeral")
    assert note.body["user"] == "UCOLLEAGUE" and "권한" in note.body["text"]
    assert len(slack.calls("/chat.postMessage")) == 1
