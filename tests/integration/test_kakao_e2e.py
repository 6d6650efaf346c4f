"""KakaoTalk end to end through the real ASGI app, with payloads in Open Builder's shape and
a local server standing in for `callbackUrl`."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.delivery.inbox import IN_APP_CHANNELS
from assistant.stores import Stores
from channels.kakao import responses as r
from channels.kakao.handler import PREPARING
from tests.integration.channel_app import KAKAO_SECRET, assistant_for, build_app, channel_settings
from tests.integration.fake_servers import CallbackReceiver
from tests.unit.channels.kakao.test_responses import assert_limits

pytestmark = pytest.mark.integration

HEADERS = {"X-Skill-Secret": KAKAO_SECRET}
QUESTION = "스마트공장 구축 지원사업 신청 자격은?"


def payload(utterance: str, *, user: str = "kakao-user-1", callback: str | None = None,
            extra: dict[str, Any] | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "timezone": "Asia/Seoul", "lang": "ko", "utterance": utterance, "params": {"surface": "Kakaotalk.plusfriend"},
        "block": {"id": "blk1", "name": "폴백 블록"},
        "user": {"id": user, "type": "botUserKey", "properties": {"plusfriendUserKey": "pf-" + user}},
    }
    if callback:
        request["callbackUrl"] = callback
    return {
        "intent": {"id": "blk1", "name": "폴백 블록"}, "userRequest": request, "bot": {"id": "bot1", "name": "FM"},
        "action": {"id": "act1", "name": "fm_skill", "params": {}, "detailParams": {}, "clientExtra": extra or {}},
        "contexts": [],
    }


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    with CallbackReceiver() as server:
        yield server


def _client(tmp_path: Path, stores: Stores, **overrides: Any) -> Iterator[tuple[TestClient, Any]]:
    settings = channel_settings(tmp_path / "var", kakao_callback_hosts="kakao.com,127.0.0.1", **overrides)
    with assistant_for(settings, stores) as assistant:
        with TestClient(build_app(settings, assistant)) as client:
            yield client, assistant


@pytest.fixture
def kakao(tmp_path: Path, knowledge_stores: Stores) -> Iterator[tuple[TestClient, Any]]:
    yield from _client(tmp_path, knowledge_stores)


@pytest.fixture
def slow_kakao(tmp_path: Path, knowledge_stores: Stores) -> Iterator[tuple[TestClient, Any]]:
    """Answers take longer than the inline wait (0.01 s here, 4 s in production)."""
    yield from _client(tmp_path, knowledge_stores, kakao_answer_wait_s=0.01)


def texts(body: dict[str, Any]) -> list[str]:
    return [o["simpleText"]["text"] for o in body["template"]["outputs"] if "simpleText" in o]


def labels(body: dict[str, Any]) -> list[str]:
    return [q["label"] for q in body["template"].get("quickReplies", [])]


def test_fast_answer_inline_then_sources_and_the_conversation_carries_over(kakao: tuple[TestClient, Any]) -> None:
    client, assistant = kakao
    resp = client.post("/kakao/skill", json=payload(QUESTION), headers=HEADERS)
    assert resp.status_code == 200
    body = resp.json()
    assert_limits(body)
    (text,) = texts(body)
    assert "신청할 수 있습니다" in text and text.endswith("출처: [1] 스마트공장 지원사업 신청 자격과 제외 대상")
    assert labels(body) == [r.Q_EXPERT, r.Q_SOURCES]

    sources = client.post("/kakao/skill", json=payload(r.Q_SOURCES), headers=HEADERS).json()
    assert_limits(sources)
    card = sources["template"]["outputs"][0]["listCard"]
    assert card["header"] == {"title": "답변 출처"}
    assert card["items"][0] == {"title": "[1] 스마트공장 지원사업 신청 자격과 제외 대상",
                                "description": "subsidies/eligibility.md"}

    follow = client.post("/kakao/skill", json=payload("제외 대상은 어떤 기업인가요?"), headers=HEADERS).json()
    assert_limits(follow)
    cid = assistant.desk.conversation_id_for("kakao", "kakao-user-1")
    assert [t.role for t in assistant.desk.history(cid)] == ["user", "assistant"] * 2
    other = client.post("/kakao/skill", json=payload(QUESTION, user="kakao-user-2"), headers=HEADERS).json()
    assert_limits(other)
    assert assistant.desk.conversation_id_for("kakao", "kakao-user-2") != cid


def test_slow_answer_goes_to_the_callback_once(slow_kakao: tuple[TestClient, Any], receiver: CallbackReceiver) -> None:
    client, _ = slow_kakao
    url = f"{receiver.url}/v1/callback/task-1?token=one-time"
    body = client.post("/kakao/skill", json=payload(QUESTION, callback=url), headers=HEADERS).json()
    assert body == r.use_callback()
    (posted,) = receiver.wait_for("/v1/callback/task-1")
    assert posted.headers["content-type"] == "application/json"
    assert_limits(posted.body)
    assert "신청할 수 있습니다" in texts(posted.body)[0]
    time.sleep(1.0)
    assert len(receiver.requests) == 1


def test_callback_on_a_foreign_host_is_refused(slow_kakao: tuple[TestClient, Any], receiver: CallbackReceiver) -> None:
    client, _ = slow_kakao
    foreign = receiver.url.replace("127.0.0.1", "localhost") + "/v1/callback/task-2"  # not in the allow-list
    body = client.post("/kakao/skill", json=payload(QUESTION, callback=foreign), headers=HEADERS).json()
    assert "useCallback" not in body
    assert texts(body) == ["답변을 준비하고 있습니다. 잠시 후 '답변 확인'을 눌러 주세요."]
    assert labels(body) == [r.Q_ANSWER_CHECK]
    deadline = time.monotonic() + 20
    while True:  # the answer is kept for "답변 확인"
        later = client.post("/kakao/skill", json=payload(r.Q_ANSWER_CHECK), headers=HEADERS).json()
        if "신청할 수 있습니다" in " ".join(texts(later)) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert_limits(later)
    assert "신청할 수 있습니다" in texts(later)[0]
    assert receiver.requests == []


@pytest.mark.parametrize("headers", [{}, {"X-Skill-Secret": "wrong"}, {"X-Skill-Secret": KAKAO_SECRET + "x"}])
def test_bad_or_missing_secret_is_refused(kakao: tuple[TestClient, Any], headers: dict[str, str]) -> None:
    client, assistant = kakao
    resp = client.post("/kakao/skill", json=payload(QUESTION, user="intruder"), headers=headers)
    assert resp.status_code == 401
    assert assistant.desk.conversation_id_for("kakao", "intruder") is None


def test_malformed_payload_is_a_400(kakao: tuple[TestClient, Any]) -> None:
    client, _ = kakao
    assert client.post("/kakao/skill", json={"userRequest": {}}, headers=HEADERS).status_code == 400
    assert client.post("/kakao/skill", content=b"not json", headers=HEADERS).status_code == 400


def _ticket_count(assistant: Any) -> int:
    from sqlalchemy import func, select

    from assistant.db.models import Ticket

    with assistant.db.session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(Ticket)) or 0)


def test_duplicate_deliveries_open_one_ticket(kakao: tuple[TestClient, Any]) -> None:
    client, assistant = kakao
    body = payload("전문가와 직접 상담하고 싶어요", user="dup-user")
    first = client.post("/kakao/skill", json=body, headers=HEADERS).json()
    second = client.post("/kakao/skill", json=body, headers=HEADERS).json()
    assert first == second and labels(first) == [r.Q_EXPERT_CHECK]
    assert _ticket_count(assistant) == 1
    assert len(assistant.desk.history(assistant.desk.conversation_id_for("kakao", "dup-user"))) == 2


def test_concurrent_duplicates_share_one_answer(slow_kakao: tuple[TestClient, Any], receiver: CallbackReceiver) -> None:
    client, assistant = slow_kakao
    results: list[dict[str, Any]] = []

    def send(task: str) -> None:
        body = payload("전문가와 직접 상담하고 싶어요", user="dup-user-2", callback=f"{receiver.url}/cb/{task}")
        results.append(client.post("/kakao/skill", json=body, headers=HEADERS).json())

    threads = [threading.Thread(target=send, args=(f"t{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    callbacks = sum(1 for b in results if b.get("useCallback"))
    deadline = time.monotonic() + 20
    while len(receiver.requests) < callbacks and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(receiver.requests) == callbacks >= 1
    assert all(texts(rec.body) == texts(receiver.requests[0].body) for rec in receiver.requests)
    assert _ticket_count(assistant) == 1
    assert len(assistant.desk.history(assistant.desk.conversation_id_for("kakao", "dup-user-2"))) == 2


def test_a_duplicate_stored_after_the_answer_gets_that_answer_not_a_second_one(
    slow_kakao: tuple[TestClient, Any], receiver: CallbackReceiver,
) -> None:
    """A duplicate whose callback request reaches the inbox only after the answer was made (a
    slow database write on a loaded machine) gets the same answer; the question is not asked
    a second time."""
    from assistant.delivery.received import Received
    from channels.kakao.handler import utterance_key

    client, assistant = slow_kakao
    text, user = "전문가와 직접 상담하고 싶어요", "dup-user-3"
    first = client.post("/kakao/skill", json=payload(text, user=user, callback=f"{receiver.url}/cb/t0"),
                        headers=HEADERS).json()
    assert first.get("useCallback")
    deadline = time.monotonic() + 20
    while not receiver.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(receiver.requests) == 1
    late = Received(id="late", channel="kakao", key="late", attempt=1, received_at=datetime.now(UTC), payload={
        "user_id": user, "text": text, "callback_url": f"{receiver.url}/cb/t1", "received": time.time(),
        "notices": [], "ids": [], "key": utterance_key(user, text)})
    client.portal.call(client.app.state.kakao.finish, late)  # type: ignore[attr-defined,union-attr]
    assert len(receiver.requests) == 2
    assert texts(receiver.requests[1].body) == texts(receiver.requests[0].body)
    assert _ticket_count(assistant) == 1
    assert len(assistant.desk.history(assistant.desk.conversation_id_for("kakao", user))) == 2


def test_duplicates_on_two_web_processes_are_asked_once(tmp_path: Path, knowledge_stores: Stores) -> None:
    """The same delivery sent at once to two web processes on one database (a load balancer
    retrying on the other one): asked once, one ticket, both replies the same answer or the
    second saying it is being prepared."""
    settings = channel_settings(tmp_path / "var", kakao_callback_hosts="kakao.com", kakao_answer_wait_s=3.0)
    with assistant_for(settings, knowledge_stores) as one, assistant_for(settings, knowledge_stores) as two:
        with TestClient(build_app(settings, one)) as first, TestClient(build_app(settings, two)) as second:
            body = payload("전문가와 직접 상담하고 싶어요", user="dup-user-3")
            results: list[dict[str, Any]] = []
            threads = [threading.Thread(target=lambda c=c: results.append(
                c.post("/kakao/skill", json=body, headers=HEADERS).json())) for c in (first, second)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert len(results) == 2
            assert results[0] == results[1] or any(PREPARING in texts(b)[0] for b in results)
            assert _ticket_count(one) == 1
            assert len(one.desk.history(one.desk.conversation_id_for("kakao", "dup-user-3"))) == 2


class _LongDesk:
    """The desk of `_LongAnswers`: no conversation yet, one oversized pending delivery."""

    def conversation_id_for(self, channel: str, user_id: str) -> None:
        return None

    def pending_deliveries(self, channel: str, user_id: str) -> list[dict[str, Any]]:
        return [{"id": "d1", "text": "전문가 답변 " * 500, "expert": "김전문", "question": "이전 질문"}]

    def mark_delivered(self, user_id: str, ids: list[str]) -> int:
        return len(ids)


class _LongAnswers:
    """A stand-in service whose answers break every limit unless the converters hold them."""

    db = None
    desk = _LongDesk()

    async def aask(self, question: Any) -> Any:
        from assistant.types import Answer, Citation, Decision

        cites = [Citation(n=n, chunk_id=str(n), title=f"아주 긴 출처 제목 {n} " * 5, source=f"s{n}.md",
                          snippet="x", url=f"https://example.go.kr/{n}") for n in range(1, 13)]
        return Answer(answer=("스마트공장 도입 절차를 자세히 설명드립니다. " * 400), decision=Decision.answered,
                      confidence=0.9, citations=cites, conversation_id="c", message_id="m",
                      follow_ups=[f"후속 질문 {n}번은 무엇인가요 아주 길게" for n in range(20)],
                      suppliers=[{"n": n, "company": f"(주)공급기업{n} " * 6, "reason": "이유 " * 80}
                                 for n in range(1, 13)])


def test_limits_hold_for_an_oversized_answer(tmp_path: Path) -> None:
    settings = channel_settings(tmp_path / "var")
    app = build_app(settings, _LongAnswers())  # type: ignore[arg-type]
    with TestClient(app) as client:
        body = client.post("/kakao/skill", json=payload("긴 답변을 주세요"), headers=HEADERS).json()
    assert_limits(body)
    outputs = body["template"]["outputs"]
    assert len(outputs) == 3 and outputs[0]["simpleText"]["text"].startswith("🧑‍🔧 김전문님의 답변")
    assert "carousel" in outputs[-1] and len(body["template"]["quickReplies"]) == 10


def _expert(assistant: Any) -> Any:
    from assistant.db.models import User
    from tests.integration.channel_app import add_staff

    user_id = add_staff(assistant, name="김전문")
    with assistant.db.session_scope() as s:
        user = s.get(User, user_id)
        s.expunge(user)
        return user


@pytest.mark.xfail("kakao" not in IN_APP_CHANNELS, strict=True,
                   reason="core: deliveries for channel kakao must be filed in the inbox (IN_APP_CHANNELS)")
def test_expert_answer_arrives_with_the_next_message(kakao: tuple[TestClient, Any]) -> None:
    client, assistant = kakao
    expert = _expert(assistant)
    asked = client.post("/kakao/skill", json=payload("전문가와 직접 상담하고 싶어요", user="waiting"), headers=HEADERS)
    assert labels(asked.json()) == [r.Q_EXPERT_CHECK]
    early = client.post("/kakao/skill", json=payload(r.Q_EXPERT_CHECK, user="waiting"), headers=HEADERS).json()
    assert texts(early) == ["아직 전문가 답변이 도착하지 않았습니다. 조금만 기다려 주세요."]
    assert labels(early) == [r.Q_EXPERT_CHECK]
    (ticket,) = assistant.desk.list_tickets(expert)
    # the expert cites a passage they found (an answer cites only what the expert chose)
    [passage] = assistant.desk.search_knowledge(expert, "스마트공장 지원사업 신청 자격 중소기업", k=1)
    assistant.desk.answer_ticket(expert, ticket.id, "신청 자격은 중소기업기본법상 중소기업입니다.",
                                 citations=[{"n": 1, "chunk_id": passage.chunk_id}])
    deadline = time.monotonic() + 20
    while not assistant.desk.pending_deliveries("kakao", "waiting") and time.monotonic() < deadline:
        time.sleep(0.1)  # the app's outbox worker files it for the next message
    body = client.post("/kakao/skill", json=payload("감사합니다", user="waiting"), headers=HEADERS).json()
    assert_limits(body)
    notice = texts(body)[0]
    assert notice.startswith("🧑‍🔧 김전문님의 답변 (질문: 전문가와 직접 상담하고 싶어요)\n"
                             "신청 자격은 중소기업기본법상 중소기업입니다.")
    assert "\n출처: [1] " in notice  # the expert's chosen sources, as a short list
    again = client.post("/kakao/skill", json=payload(r.Q_EXPERT_CHECK, user="waiting"), headers=HEADERS).json()
    assert texts(again) == ["아직 전문가 답변이 도착하지 않았습니다. 조금만 기다려 주세요."]  # shown once
