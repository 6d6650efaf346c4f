"""A standalone `factory-mentor worker` delivers what the serving side queued, to every
configured channel: here an expert's answer for a Slack asker, posted into their thread
on a local Slack Web API server, exactly once, even when a worker is lost after posting."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from assistant.db.models import OutboxItem, OutboxStatus, utcnow
from assistant.experts import staff
from assistant.service import Assistant
from assistant.stores import Stores
from assistant.types import Channel, Question
from channels.runtime import build_assistant
from tests.conftest import make_settings
from tests.integration.fake_servers import FakeSlack

pytestmark = pytest.mark.integration

THREAD = {"channel": "CQA", "thread_ts": "1700000000.000100", "team": "T1"}
EXPERT_ANSWER = "바우처 정산 서류는 전담기관 시스템에 사업 종료 후 한 달 안에 올리시면 됩니다. (전문가)"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def serving(tmp_path: Path, knowledge_stores: Stores, slack: FakeSlack) -> Iterator[Assistant]:
    """The serving side's assistant, with no in-process worker: only a separate worker can deliver."""
    settings = make_settings(tmp_path / "var", slack_bot_token=FakeSlack.TOKEN,
                             slack_api_url=f"{slack.url}/api/", worker_in_process=False)
    assistant = build_assistant(settings, stores=knowledge_stores)
    yield assistant
    assert assistant.db is not None
    assistant.db.dispose()


def _worker(assistant: Assistant, slack: FakeSlack) -> None:
    """`factory-mentor worker --once` as its own process, configured only by FM_* variables."""
    data_dir = assistant.settings.data_dir
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "FM_DATA_DIR": str(data_dir), "FM_SLACK_BOT_TOKEN": FakeSlack.TOKEN,
           "FM_SLACK_API_URL": f"{slack.url}/api/"}
    cmd = [sys.executable, "-c", "from channels.cli import main; main()", "worker", "--once"]
    result = subprocess.run(cmd, env=env, cwd=data_dir.parent, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def _answered_for_slack_asker(assistant: Assistant) -> str:
    """A Slack owner asks in a thread and hands the question to a person, who answers it."""
    answer = assistant.ask(Question(text="작년에 받은 바우처 정산 서류는 어디에 내나요?", channel=Channel.slack,
                                    user_id="UOWNER", reply_to=THREAD))
    assert answer.conversation_id
    ticket = assistant.desk.request_expert(answer.conversation_id, owner_id="UOWNER")
    assert assistant.db is not None
    with assistant.db.session_scope() as s:
        expert = staff.create_user(s, name="정전문", role="expert", expertise=["정책자금"])
        token = staff.issue_token(s, user_id=expert.id).token
    assistant.desk.answer_ticket(assistant.desk.authenticate(token), ticket.id, EXPERT_ANSWER)
    return ticket.id


def _posts_in_thread(slack: FakeSlack) -> list[Any]:
    return [r for r in slack.calls("/chat.postMessage") if r.body.get("channel") == THREAD["channel"]]


def test_a_separate_worker_delivers_the_expert_answer_to_slack_once(serving: Assistant, slack: FakeSlack) -> None:
    ticket_id = _answered_for_slack_asker(serving)
    assert _posts_in_thread(slack) == []  # queued by the serving side, not sent by it

    _worker(serving, slack)
    (post,) = _posts_in_thread(slack)
    assert post.body["thread_ts"] == THREAD["thread_ts"]
    assert EXPERT_ANSWER in str(post.body["blocks"]) and "전문가 답변" in post.body["text"]

    _worker(serving, slack)  # nothing is due any more
    assert len(_posts_in_thread(slack)) == 1

    # a worker lost after posting but before recording it: the row is claimed again once its
    # lease has expired, and the Slack sender's record of posted keys keeps it from a second post
    assert serving.db is not None
    with serving.db.session_scope() as s:
        s.execute(update(OutboxItem).where(OutboxItem.channel == "slack", OutboxItem.ticket_id == ticket_id)
                  .values(status=OutboxStatus.sending, locked_until=utcnow(), attempts=1, locked_by="lost"))
    _worker(serving, slack)
    assert len(_posts_in_thread(slack)) == 1
    with serving.db.session_scope() as s:
        rows = list(s.scalars(select(OutboxItem).where(OutboxItem.channel == "slack")))
    assert [(r.kind, r.status) for r in rows] == [("expert_answer", OutboxStatus.sent)]
