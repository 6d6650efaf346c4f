"""Kill -9 with Slack: a real `factory-mentor serve` receives ten signed `app_mention` events
and is killed with SIGKILL at several points (after the first ack, mid-batch, after all
acks, and while answers are being posted to a Slack slow to reply), then started again.
A Kakao request switched to the callback is killed right after its `useCallback` too. Every acknowledged event is answered exactly once after the
restart (posts counted at the local Slack Web API server, by the metadata each answer
carries), and Slack's retries of all ten are answered 200 without a second post (the ones
never acknowledged are answered then, once).

The figures per kill point go to `test-artifacts/kill9-slack.json`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.db import open_database
from assistant.delivery.received import ReceivedEvents
from assistant.settings import Settings
from evals.bench.server import free_port, settings_env
from tests.conftest import make_settings
from tests.integration.channel_app import KAKAO_SECRET, SIGNING_SECRET, event_body, signed_headers
from tests.integration.fake_servers import CallbackReceiver, FakeSlack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

logger = logging.getLogger(__name__)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHANNEL = "CKILL"
QUESTIONS = ["스마트공장 구축 지원사업 신청 자격은?", "MES 도입 비용은 어느 정도인가요?",
             "스마트공장 수준확인 제도가 무엇인가요?", "정책자금 신청 절차를 알려 주세요."]
EVENTS = 10


class Serve:
    """`factory-mentor serve` as a subprocess that can be killed with SIGKILL."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
               **settings_env(settings)}
        env.update(FM_SLACK_BOT_TOKEN=FakeSlack.TOKEN, FM_SLACK_SIGNING_SECRET=SIGNING_SECRET,  # dumped masked
                   FM_KAKAO_SKILL_SECRET=KAKAO_SECRET, FM_KAKAO_CALLBACK_HOSTS="kakao.com,127.0.0.1")
        self.log_path = log_path
        with log_path.open("ab") as log:
            cmd = [sys.executable, "-c", "from channels.cli import main; main()", "serve", "--host", "127.0.0.1",
                   "--port", str(self.port)]
            self.process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 240.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited: {self.log_path.read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(self.url + "/readyz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.kill()
        raise RuntimeError("serve not ready")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def _event(batch: str, i: int) -> tuple[str, str]:
    """(event id, body) of the i-th mention of a batch."""
    ts = f"17000{batch}00.{i:06d}"
    event = {"type": "app_mention", "user": "UOWNER", "text": f"<@UBOT> {QUESTIONS[i % len(QUESTIONS)]}", "ts": ts,
             "channel": CHANNEL, "team": "T1", "event_ts": ts}
    return f"Ev{batch}{i:02d}", event_body(event, f"Ev{batch}{i:02d}")


def _send(url: str, body: str, retry: int = 0) -> int | None:
    headers = signed_headers(body, content_type="application/json")
    if retry:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    try:
        return httpx.post(url + "/slack/events", content=body.encode("utf-8"), headers=headers, timeout=10).status_code
    except httpx.HTTPError:
        return None  # the server is gone: not acknowledged


def _answers(slack: FakeSlack, batch: str) -> dict[int, int]:
    """Posts per event of the batch, told apart by the metadata each answer carries."""
    counts = dict.fromkeys(range(EVENTS), 0)
    for message in slack.posted(CHANNEL):
        ref = ((message.get("metadata") or {}).get("event_payload") or {}).get("ref", "")
        for i in counts:
            if ref == f"{CHANNEL}:17000{batch}00.{i:06d}":
                counts[i] += 1
    return counts


def _wait_answered(slack: FakeSlack, batch: str, which: list[int], timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = _answers(slack, batch)
        if all(counts[i] >= 1 for i in which):
            return
        time.sleep(0.2)
    raise AssertionError(f"batch {batch}: not all of {which} answered: {_answers(slack, batch)}")


@pytest.fixture
def deployment(knowledge_settings: Settings, tmp_path: Path) -> Iterator[dict[str, Any]]:
    data = tmp_path / "var"
    shutil.copytree(knowledge_settings.data_dir, data,
                    ignore=shutil.ignore_patterns("*.sqlite-*", "factory_mentor.sqlite", "channels.sqlite"))
    with FakeSlack() as slack, CallbackReceiver() as kakao:
        settings = make_settings(data, slack_api_url=f"{slack.url}/api/", inbox_lease_s=8.0,
                                 outbox_poll_interval_s=0.2, rate_limit_per_minute=0,
                                 kakao_answer_wait_s=0.01)  # every Kakao answer goes through the callback
        yield {"settings": settings, "slack": slack, "kakao": kakao, "log": tmp_path / "serve.log"}


def _kill_point(env: dict[str, Any], server: Serve, batch: str, acks_before_kill: int,
                during_posts: int = 0) -> tuple[Serve, dict[str, Any]]:
    """Send the batch, SIGKILL after `acks_before_kill` acks (or, with `during_posts`, once that
    many answers are being posted to a Slack slow to reply), restart, check, retry; the figures."""
    slack: FakeSlack = env["slack"]
    posts_before = len(slack.calls("/chat.postMessage"))
    lookups_before = len(slack.calls("/conversations.replies"))
    if during_posts:
        slack.post_delay_s, slack.slow_posts = 20.0, EVENTS
    acked: list[int] = []
    for i in range(EVENTS):
        if _send(server.url, _event(batch, i)[1]) == 200:
            acked.append(i)
        if len(acked) == acks_before_kill:
            break
    if during_posts:
        slack.wait_for("/chat.postMessage", posts_before + during_posts, timeout=240)
    server.kill()
    slack.slow_posts = 0
    before = _answers(slack, batch)
    restarted = Serve(env["settings"], env["log"])
    with _stopped_if_failing(restarted):
        return restarted, _after_restart(env, restarted, batch, acked, before, lookups_before, during_posts)


@contextmanager
def _stopped_if_failing(server: Serve) -> Iterator[None]:
    """A check that fails after a restart stops the restarted server (the caller only knows the
    killed one): a failed run must not leave a server answering beside the rest of the suite."""
    try:
        yield
    except BaseException:
        server.stop()
        raise


def _after_restart(env: dict[str, Any], restarted: Serve, batch: str, acked: list[int], before: dict[int, int],
                   lookups_before: int, during_posts: int) -> dict[str, Any]:
    slack: FakeSlack = env["slack"]
    _wait_answered(slack, batch, acked)  # every acknowledged event, answered after the restart
    after_restart = _answers(slack, batch)
    retries = [_send(restarted.url, _event(batch, i)[1], retry=1) for i in range(EVENTS)]  # Slack retries all
    assert retries == [200] * EVENTS
    _wait_answered(slack, batch, list(range(EVENTS)))
    if during_posts:  # the killed process's leases run out, then its posts are checked for in the thread
        slack.wait_for("/conversations.replies", lookups_before + during_posts, timeout=120)
    time.sleep(2.0)  # room for any second post to show up
    final = _answers(slack, batch)
    figures = {
        "acked": len(acked),
        "answered_before_kill": sum(1 for i in acked if before[i]),
        "acked_answered_after_restart": sum(1 for i in acked if after_restart[i]),
        "retries_acked_200": retries.count(200),
        "answered_in_total": sum(1 for n in final.values() if n),
        "duplicates": sum(n - 1 for n in final.values() if n > 1),
        "thread_lookups_after_restart": len(slack.calls("/conversations.replies")) - lookups_before,
    }
    assert all(after_restart[i] == 1 for i in acked), after_restart
    if during_posts:  # the answers posted before the kill were found by their metadata, not posted again
        assert sum(before.values()) >= during_posts and figures["thread_lookups_after_restart"] >= during_posts
    assert final == dict.fromkeys(range(EVENTS), 1), f"batch {batch}: {final}"
    return figures


def _kakao_kill_point(env: dict[str, Any], server: Serve) -> tuple[Serve, dict[str, Any]]:
    """A Kakao request switched to the callback (`useCallback`), the server killed right after
    that acknowledgement: after the restart the answer is POSTed to `callbackUrl` once."""
    receiver: CallbackReceiver = env["kakao"]
    url = f"{receiver.url}/v1/callback/task-kill?token=one-time"
    body = {"userRequest": {"utterance": QUESTIONS[0], "callbackUrl": url,
                            "user": {"id": "kakao-kill-user", "type": "botUserKey"}}}
    resp = httpx.post(server.url + "/kakao/skill", json=body, headers={"X-Skill-Secret": KAKAO_SECRET}, timeout=10)
    assert resp.status_code == 200 and resp.json().get("useCallback") is True
    server.kill()
    before = len(receiver.calls("/v1/callback/task-kill"))
    restarted = Serve(env["settings"], env["log"])
    with _stopped_if_failing(restarted):
        (posted,) = receiver.wait_for("/v1/callback/task-kill", timeout=120)
        time.sleep(2.0)
        assert len(receiver.calls("/v1/callback/task-kill")) == 1
        text = posted.body["template"]["outputs"][0]["simpleText"]["text"]
        assert "신청" in text  # the answer itself, not a placeholder
    return restarted, {"acked": 1, "answered_before_kill": before, "callbacks_after_restart": 1 - before,
                       "duplicates": len(receiver.calls("/v1/callback/task-kill")) - 1}


def test_acknowledged_events_survive_sigkill_and_are_answered_once(deployment: dict[str, Any]) -> None:
    server = Serve(deployment["settings"], deployment["log"])
    results: dict[str, Any] = {}
    try:
        for name, batch, acks, during_posts in (
            ("after the first ack", "11", 1, 0), ("mid-batch", "22", 5, 0), ("after all acks", "33", EVENTS, 0),
            ("during chat.postMessage", "44", EVENTS, 3),
        ):
            server, results[name] = _kill_point(deployment, server, batch, acks, during_posts)
            logger.info("kill point %s: %s", name, results[name])
        server, results["kakao: after useCallback"] = _kakao_kill_point(deployment, server)
        logger.info("kakao kill point: %s", results["kakao: after useCallback"])
    finally:
        server.stop()
    db = open_database(deployment["settings"])
    try:
        counts = ReceivedEvents(db.sessions, settings=deployment["settings"]).counts()
    finally:
        db.dispose()
    assert counts == {"done": 4 * EVENTS + 1}, counts  # nothing left behind, nothing dead
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "kill9-slack.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
