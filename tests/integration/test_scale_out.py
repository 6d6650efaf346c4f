"""The production layout (deploy/compose.yaml) on one machine: one real PostgreSQL, one real
`chroma run` server, the one-shot `factory-mentor ingest`, two `factory-mentor serve` on
different data dirs, one `factory-mentor worker`, and nginx with deploy/nginx.conf, each
started from the compose file's own command, environment and health check (see cluster.py).

Against it: the same question gets the same answer and citations from both web processes and
through the proxy; a re-ingested change is in the very next answer of each; a Slack event and
its retries on other processes are answered once; a Kakao request delivered to both processes
is answered once; a worker killed with SIGKILL while Slack holds its post loses nothing and
posts nothing twice once a new worker runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from assistant.db.models import OutboxItem, OutboxStatus, Ticket
from assistant.service import Assistant
from assistant.settings import Settings
from channels.runtime import build_assistant
from tests.conftest import make_settings
from tests.integration.channel_app import KAKAO_SECRET, SIGNING_SECRET, event_body, signed_headers
from tests.integration.cluster import Cluster
from tests.integration.compose_file import COMPOSE, ENV_EXAMPLE, Compose, read_env_file, variables
from tests.integration.fake_servers import FakeSlack
from tests.integration.pg_server import PostgresServer
from tests.integration.servers import free_port
from tests.integration.test_kakao_e2e import payload
from tests.integration.test_postgres_storage import pg_server  # noqa: F401  (the module's PostgreSQL)
from tests.integration.test_worker_delivery import EXPERT_ANSWER, THREAD, _answered_for_slack_asker

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WEB = ("web1", "web2")
VOUCHER = """---
kind: subsidy
title: 스마트공장 클라우드 바우처
region: 전국
---

# 스마트공장 클라우드 바우처

클라우드 바우처는 중소 제조기업이 클라우드 기반 MES와 ERP를 구독할 때 사용료를 지원하는 사업입니다.

## 지원 한도

클라우드 바우처의 지원 한도는 기업당 최대 {limit}이며, 구독료의 70%까지 지원합니다.

## 신청 방법

신청은 스마트공장 사업관리시스템에서 하며, 공급기업과 함께 도입 계획서를 제출합니다.
"""
LEVEL = """---
kind: policy
title: 스마트공장 수준확인 제도
region: 전국
---

# 스마트공장 수준확인 제도

수준확인은 공장의 스마트화 수준을 기초, 중간1, 중간2, 고도화의 네 단계로 판정하는 제도입니다.

## 유효 기간

수준확인서의 유효 기간은 발급일로부터 3년입니다.
"""
VOUCHER_QUESTION = "클라우드 바우처 지원 한도는 얼마인가요?"
# test-only speed-ups for every Factory Mentor process (not configuration the layout needs)
TUNING = {"FM_OUTBOX_POLL_INTERVAL_S": "0.2", "FM_OUTBOX_BACKOFF_BASE_S": "0.2", "FM_OUTBOX_LEASE_S": "4",
          "FM_OUTBOX_SEND_TIMEOUT_S": "3"}
LEASE_S = 4.0


def _knowledge(root: Path) -> Path:
    folder = root / "knowledge"
    (folder / "subsidies").mkdir(parents=True)
    (folder / "policies").mkdir()
    (folder / "subsidies" / "cloud-voucher.md").write_text(VOUCHER.format(limit="3,200만 원"), encoding="utf-8")
    (folder / "policies" / "level-check.md").write_text(LEVEL, encoding="utf-8")
    return folder


def _values(database_url: str, slack: FakeSlack, knowledge: Path) -> dict[str, str]:
    """env.example, with what an operator would fill in for this machine."""
    example = read_env_file(ENV_EXAMPLE)
    url = make_url(database_url)
    ours = {
        "POSTGRES_USER": str(url.username), "POSTGRES_PASSWORD": "unused0by0trust0auth",
        "POSTGRES_DB": str(url.database), "FM_EMBEDDING_MODEL": "hashing-bigrams",  # fast to ingest
        "FM_KNOWLEDGE_DIR": str(knowledge), "FM_PUBLIC_PORT": str(free_port()),
        "FM_SLACK_BOT_TOKEN": FakeSlack.TOKEN, "FM_SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "FM_SLACK_EXPERT_CHANNEL": "CEXPERTS", "FM_SLACK_API_URL": f"{slack.url}/api/",
        "FM_KAKAO_SKILL_SECRET": KAKAO_SECRET, "FM_KAKAO_CALLBACK_HOSTS": "kakao.com,127.0.0.1",
    }
    assert set(ours) <= set(example), set(ours) - set(example)  # the test invents no variable
    return {**example, **ours}


@pytest.fixture(scope="module")
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture(scope="module")
def database_url(pg_server: PostgresServer) -> Iterator[str]:  # noqa: F811
    with pg_server.fresh_database() as url:
        yield url


@pytest.fixture(scope="module")
def cluster(database_url: str, slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if shutil.which("nginx") is None:
        message = "the deployment test runs deploy/nginx.conf with nginx: apt-get install -y nginx"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set: not skipping)")
        pytest.skip(message)
    root = tmp_path_factory.mktemp("scale-out")
    values = _values(database_url, slack, _knowledge(root))
    running = Cluster(root, values, postgres_port=int(make_url(database_url).port or 5432), tuning=TUNING)
    try:
        running.up()
        yield running
    finally:
        running.down()


@pytest.fixture(scope="module")
def assistant(cluster: Cluster, database_url: str, slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory,
              ) -> Iterator[Assistant]:
    """The test's own view of the shared database (an expert answering, counting rows)."""
    settings = make_settings(tmp_path_factory.mktemp("test-side") / "var", database_url=database_url,
                             chroma_url=cluster.url("chroma"), embedding_model="hashing-bigrams",
                             slack_bot_token=FakeSlack.TOKEN, slack_api_url=f"{slack.url}/api/",
                             worker_in_process=False)
    built = build_assistant(settings)
    yield built
    if built.db is not None:
        built.db.dispose()


def _ask(url: str, question: str, owner: str = "scale-owner-0001") -> dict[str, Any]:
    resp = httpx.post(f"{url}/v1/chat", json={"message": question}, headers={"X-Owner-Id": owner}, timeout=60)
    assert resp.status_code == 200, resp.text
    return resp.json()


def _seen(body: dict[str, Any]) -> tuple[str, list[tuple[str, str, str]]]:
    """What the user sees: the answer text and the citations (title, source, snippet)."""
    return body["answer"], [(c["title"], c["source"], c["snippet"]) for c in body["citations"]]


def _chats(cluster: Cluster, name: str) -> int:
    """POST /v1/chat requests the process has logged (uvicorn's access log)."""
    return len(re.findall(r'"POST /v1/chat HTTP/1\.1" 200', cluster.processes[name].log.read_text(errors="replace")))


# -- the file itself ---------------------------------------------------------------------------

def test_every_variable_is_defined_used_and_a_real_setting() -> None:
    example = read_env_file(ENV_EXAMPLE)
    text = COMPOSE.read_text(encoding="utf-8")
    assert variables(text) <= set(example), variables(text) - set(example)
    assert set(example) <= variables(text), set(example) - variables(text)  # nothing stale in env.example
    compose = Compose.load(example)
    fields = set(Settings.model_fields)
    for service in compose.services.values():
        for name in service.environment:
            if name.startswith("FM_"):
                assert name[3:].lower() in fields, f"{service.name}: {name} is not a setting"
    # as shipped (no Slack or Kakao secret filled in) the empty values mean "off", not empty secrets
    web = {k[3:].lower(): v for k, v in compose.services["web1"].environment.items()}
    settings = Settings(_env_file=None, **web)  # type: ignore[call-arg]
    assert settings.slack_bot_token is None and settings.slack_signing_secret is None
    assert settings.kakao_skill_secret is None and settings.slack_expert_channel is None
    assert settings.worker_in_process is False and settings.database_url and settings.chroma_url


# -- the running layout ------------------------------------------------------------------------

def test_the_same_question_gets_the_same_answer_everywhere(cluster: Cluster) -> None:
    for name in (*WEB, "worker", "chroma"):
        assert cluster.processes[name].alive(), cluster.processes[name].tail()
    before = {name: _chats(cluster, name) for name in WEB}
    direct = [_seen(_ask(cluster.url(name), VOUCHER_QUESTION)) for name in WEB]
    proxied = [_seen(_ask(cluster.url("proxy"), VOUCHER_QUESTION)) for _ in range(2)]
    answer, citations = direct[0]
    assert "3,200만 원" in answer
    assert [source for _title, source, _snippet in citations] == ["subsidies/cloud-voucher.md"]
    assert direct[1] == direct[0] and proxied == [direct[0]] * 2
    # nginx sent one proxied question to each process (round robin shared by its workers)
    assert {name: _chats(cluster, name) - before[name] for name in WEB} == {"web1": 2, "web2": 2}


def test_the_web_processes_keep_nothing_in_their_data_dirs_that_another_needs(cluster: Cluster) -> None:
    """Each web process's data dir is scratch: no catalog, channel keys, database or vectors."""
    for name in WEB:
        folder = cluster.localizer.path(cluster.service(name), "/data")
        assert folder is not None and folder.is_dir()
        kept = {p.name for p in folder.iterdir()}
        assert not kept & {"index.sqlite", "channels.sqlite", "factory_mentor.sqlite", "chroma"}, (name, kept)


def test_a_reingested_change_is_in_the_next_answer_of_every_process(cluster: Cluster) -> None:
    voucher = Path(cluster.compose.values["FM_KNOWLEDGE_DIR"]) / "subsidies" / "cloud-voucher.md"
    voucher.write_text(VOUCHER.format(limit="4,100만 원"), encoding="utf-8")
    cluster.run("ingest")  # docker compose run --rm ingest
    for url in (*(cluster.url(name) for name in WEB), cluster.url("proxy")):
        answer, citations = _seen(_ask(url, VOUCHER_QUESTION))
        assert "4,100만 원" in answer and "3,200만 원" not in answer, (url, answer)
        assert citations and citations[0][1] == "subsidies/cloud-voucher.md"


def _slack_answers(slack: FakeSlack, channel: str, ts: str) -> list[dict[str, Any]]:
    """Posts answering the message `channel:ts`, told apart by the metadata each answer carries."""
    return [m for m in slack.posted(channel)
            if ((m.get("metadata") or {}).get("event_payload") or {}).get("ref") == f"{channel}:{ts}"]


def _send_slack(url: str, body: str, retry: int = 0) -> int:
    headers = signed_headers(body, content_type="application/json")
    if retry:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return httpx.post(f"{url}/slack/events", content=body.encode("utf-8"), headers=headers, timeout=10).status_code


def test_a_slack_event_and_its_retries_on_other_processes_are_answered_once(cluster: Cluster,
                                                                           slack: FakeSlack) -> None:
    channel, ts = "CSCALE", "1700000500.000100"
    event = {"type": "app_mention", "user": "UOWNER", "text": "<@UBOT> 수준확인서 유효 기간은 얼마인가요?", "ts": ts,
             "channel": channel, "team": "T1", "event_ts": ts}
    body = event_body(event, "EvScale1")
    assert _send_slack(cluster.url("web1"), body) == 200
    assert _send_slack(cluster.url("web2"), body, retry=1) == 200  # Slack's retry lands on the other one
    assert _send_slack(cluster.url("proxy"), body, retry=2) == 200
    deadline = time.monotonic() + 60
    while not _slack_answers(slack, channel, ts) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3.0)  # room for a second post to show up
    (post,) = _slack_answers(slack, channel, ts)
    assert post["thread_ts"] == ts and "3년" in json.dumps(post.get("blocks"), ensure_ascii=False)


def _tickets(assistant: Assistant, conversation_id: str) -> int:
    assert assistant.db is not None
    with assistant.db.session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(Ticket)
                            .where(Ticket.conversation_id == conversation_id)) or 0)


def test_a_kakao_request_delivered_to_both_processes_is_answered_once(cluster: Cluster,
                                                                      assistant: Assistant) -> None:
    body = payload("전문가와 직접 상담하고 싶어요", user="scale-dup-user")
    headers = {"X-Skill-Secret": KAKAO_SECRET}
    replies = [httpx.post(f"{cluster.url(name)}/kakao/skill", json=body, headers=headers, timeout=30) for name in WEB]
    assert [r.status_code for r in replies] == [200, 200]
    assert replies[0].json() == replies[1].json()
    cid = assistant.desk.conversation_id_for("kakao", "scale-dup-user")
    assert cid is not None
    assert len(assistant.desk.history(cid)) == 2  # one question, one answer: not asked twice
    assert _tickets(assistant, cid) == 1


def _outbox_settled(assistant: Assistant) -> bool:
    assert assistant.db is not None
    with assistant.db.session_scope() as s:
        busy = s.scalar(select(func.count()).select_from(OutboxItem).where(
            OutboxItem.status.in_([OutboxStatus.pending, OutboxStatus.sending])))
    return not busy


def _answer_row(assistant: Assistant, ticket_id: str) -> tuple[OutboxStatus, int]:
    assert assistant.db is not None
    with assistant.db.session_scope() as s:
        (row,) = s.scalars(select(OutboxItem).where(OutboxItem.channel == "slack", OutboxItem.ticket_id == ticket_id,
                                                    OutboxItem.kind == "expert_answer"))
        return row.status, row.attempts


def _in_thread(slack: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in slack.posted(THREAD["channel"]) if EXPERT_ANSWER in str(m.get("blocks"))]


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(cluster: Cluster, slack: FakeSlack,
                                                                            assistant: Assistant) -> None:
    deadline = time.monotonic() + 60
    while not _outbox_settled(assistant) and time.monotonic() < deadline:  # the earlier tests' deliveries
        time.sleep(0.2)
    posts_before = len(slack.calls("/chat.postMessage"))
    lookups_before = len(slack.calls("/conversations.replies"))
    slack.post_delay_s, slack.slow_posts = 60.0, 1  # Slack keeps the next post, answers after a minute
    ticket_id = _answered_for_slack_asker(assistant)
    slack.wait_for("/chat.postMessage", count=posts_before + 1, timeout=60)
    assert len(_in_thread(slack)) == 1
    cluster.processes["worker"].kill()
    assert _answer_row(assistant, ticket_id) == (OutboxStatus.sending, 1)  # Slack has it; nobody knows

    cluster.start("worker")  # what `restart: unless-stopped` does
    deadline = time.monotonic() + LEASE_S + 60
    while _answer_row(assistant, ticket_id)[0] != OutboxStatus.sent and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _answer_row(assistant, ticket_id) == (OutboxStatus.sent, 2)
    time.sleep(1.0)
    (post,) = _in_thread(slack)  # looked up in the thread by its metadata, not posted again
    assert post["thread_ts"] == THREAD["thread_ts"]
    assert len(slack.calls("/chat.postMessage")) == posts_before + 1
    assert len(slack.calls("/conversations.replies")) > lookups_before


def test_the_rate_limit_counts_the_real_client_across_processes(cluster: Cluster) -> None:
    """Through nginx a client cannot buy a fresh budget with a forged X-Forwarded-For (nginx
    replaces it with the address it saw), and the budget is one for all web processes: the
    limit is reached within `limit` + 1 questions although nginx spreads them over two. Last in
    the module: it spends this client's budget for a minute."""
    limit = int(cluster.compose.values["FM_RATE_LIMIT_PER_MINUTE"])
    statuses: list[int] = []
    for i in range(limit + 1):
        resp = httpx.post(f"{cluster.url('proxy')}/v1/chat", json={"message": VOUCHER_QUESTION},
                          headers={"X-Owner-Id": f"scale-owner-{i:04d}", "X-Forwarded-For": f"203.0.113.{i + 1}"},
                          timeout=60)
        statuses.append(resp.status_code)
        if resp.status_code == 429:
            assert resp.json()["error"]["code"] == "rate_limited" and int(resp.headers["Retry-After"]) >= 1
            break
    assert statuses[-1] == 429 and set(statuses[:-1]) <= {200}, statuses
