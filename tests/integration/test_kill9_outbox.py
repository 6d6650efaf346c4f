"""Kill -9 during `chat.postMessage`: an expert's answer for a Slack asker is being posted by
a `factory-mentor worker` when the worker is killed with SIGKILL (the local Slack server
has kept the message but is slow to answer, so the worker never learns the outcome). A
worker started again takes the row once its lease has expired, finds the message in the
thread by its metadata, and does not post it again. The same holds when the call times out
instead."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from assistant.db.models import OutboxItem, OutboxStatus
from assistant.service import Assistant
from assistant.stores import Stores
from channels.runtime import build_assistant
from tests.conftest import make_settings
from tests.integration.fake_servers import FakeSlack
from tests.integration.test_worker_delivery import EXPERT_ANSWER, THREAD, _answered_for_slack_asker

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LEASE_S = 4.0
SEND_TIMEOUT_S = 3.0


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def serving(tmp_path: Path, knowledge_stores: Stores, slack: FakeSlack) -> Iterator[Assistant]:
    settings = make_settings(tmp_path / "var", slack_bot_token=FakeSlack.TOKEN, slack_api_url=f"{slack.url}/api/",
                             worker_in_process=False)
    assistant = build_assistant(settings, stores=knowledge_stores)
    yield assistant
    assert assistant.db is not None
    assistant.db.dispose()


def _worker(assistant: Assistant, slack: FakeSlack, *args: str) -> subprocess.Popen[str]:
    data_dir = assistant.settings.data_dir
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "FM_DATA_DIR": str(data_dir), "FM_SLACK_BOT_TOKEN": FakeSlack.TOKEN, "FM_SLACK_API_URL": f"{slack.url}/api/",
           "FM_OUTBOX_LEASE_S": str(LEASE_S), "FM_OUTBOX_SEND_TIMEOUT_S": str(SEND_TIMEOUT_S),
           "FM_OUTBOX_POLL_INTERVAL_S": "0.2", "FM_OUTBOX_BACKOFF_BASE_S": "0.2"}
    cmd = [sys.executable, "-c", "from channels.cli import main; main()", "worker", *args]
    return subprocess.Popen(cmd, env=env, cwd=data_dir.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def _once(assistant: Assistant, slack: FakeSlack) -> None:
    proc = _worker(assistant, slack, "--once")
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out


def _answers_in_thread(slack: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in slack.posted(THREAD["channel"]) if EXPERT_ANSWER in str(m.get("blocks"))]


def _row(assistant: Assistant) -> OutboxItem:
    assert assistant.db is not None
    with assistant.db.session_scope() as s:
        (row,) = s.scalars(select(OutboxItem).where(OutboxItem.channel == "slack"))
        return row


def test_worker_killed_during_post_message_posts_once(serving: Assistant, slack: FakeSlack) -> None:
    _answered_for_slack_asker(serving)
    slack.post_delay_s, slack.slow_posts = 60.0, 1
    worker = _worker(serving, slack)
    slack.wait_for("/chat.postMessage", timeout=240)  # the post reached Slack; its answer has not come back
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    row = _row(serving)
    assert (row.status, row.attempts) == (OutboxStatus.sending, 1)  # uncertain: Slack has it, we do not know
    assert len(_answers_in_thread(slack)) == 1

    time.sleep(LEASE_S + 0.5)  # the dead worker's lease runs out
    _once(serving, slack)
    (post,) = _answers_in_thread(slack)
    assert post["thread_ts"] == THREAD["thread_ts"]
    assert post["metadata"] == {"event_type": "fm_delivery", "event_payload": {"ref": row.id}}
    assert len(slack.calls("/conversations.replies")) == 1  # looked for, found, not posted again
    assert len(slack.calls("/chat.postMessage")) == 1
    row = _row(serving)
    assert (row.status, row.attempts) == (OutboxStatus.sent, 2)


def test_a_timed_out_post_is_not_posted_again(serving: Assistant, slack: FakeSlack) -> None:
    _answered_for_slack_asker(serving)
    slack.post_delay_s, slack.slow_posts = SEND_TIMEOUT_S + 3, 1  # Slack keeps it, answers after our timeout
    _once(serving, slack)  # attempt 1 times out: a retry is scheduled
    assert _row(serving).status == OutboxStatus.pending
    time.sleep(0.5)  # the backoff
    _once(serving, slack)  # attempt 2 finds the post in the thread
    assert len(_answers_in_thread(slack)) == 1
    assert len(slack.calls("/chat.postMessage")) == 1
    row = _row(serving)
    assert row.status == OutboxStatus.sent and row.attempts == 2
