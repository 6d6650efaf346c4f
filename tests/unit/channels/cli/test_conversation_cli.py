"""`factory-mentor ask` tells how to read an expert's answer later, and `conversation show`
prints it, through Typer's CliRunner over a real data dir and SQLite database."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import channels.cli.ask  # noqa: F401  (registers `ask` and `chat`)
import channels.cli.conversation  # noqa: F401  (registers `conversation`)
from assistant.conversations import SqlConversationStore
from assistant.db import open_database
from assistant.experts.staff import create_user
from assistant.experts.workflow import answer_ticket
from assistant.settings import Settings
from channels.cli import app
from tests.conftest import make_settings

runner = CliRunner()
DISPUTE = "공급업체가 계약 위반했는데 소송 가능한가요"
EXPERT_ANSWER = "계약서의 해지 조항과 지체상금 조항부터 확인하시고, 내용증명을 먼저 보내세요."
SHOW = re.compile(r"factory-mentor conversation show (\S+) --data-dir (\S+)")


@pytest.fixture
def data_dir(knowledge_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the ingested knowledge with an empty database of its own."""
    for name in ("FM_DATABASE_URL", "FM_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FM_EMBEDDING_CACHE_PATH", str(make_settings(tmp_path).embedding_cache_path))
    data = tmp_path / "var"
    shutil.copytree(knowledge_settings.data_dir, data, ignore=shutil.ignore_patterns("*.sqlite-*", "factory_mentor.sqlite"))
    return data


def _expert_answers(data: Path, ticket_id: str) -> None:
    settings = make_settings(data)
    db = open_database(settings)
    with db.session_scope() as s:
        expert = create_user(s, name="박전문", role="expert", expertise=["계약·법률"])
        answer_ticket(s, settings=settings, ticket_id=ticket_id, user=expert, answer=EXPERT_ANSWER)
    db.dispose()


def test_an_escalated_question_can_be_read_later_with_the_expert_answer(data_dir: Path) -> None:
    asked = runner.invoke(app, ["ask", DISPUTE, "--data-dir", str(data_dir)])
    assert asked.exit_code == 0, asked.output
    assert "전문가 답변이 오면 이 명령으로 볼 수 있습니다" in asked.output
    command = SHOW.search(asked.output)
    assert command is not None and command.group(2) == str(data_dir), asked.output
    conversation_id = command.group(1)
    ticket_id = re.search(r"티켓 (\S+)", asked.output).group(1)  # type: ignore[union-attr]

    before = runner.invoke(app, ["conversation", "show", conversation_id, "--data-dir", str(data_dir)])
    assert before.exit_code == 0, before.output
    assert DISPUTE in before.output and "전문가 답변을 기다리는 중입니다" in before.output
    assert EXPERT_ANSWER not in before.output

    _expert_answers(data_dir, ticket_id)
    after = runner.invoke(app, ["conversation", "show", conversation_id, "--data-dir", str(data_dir)])
    assert after.exit_code == 0, after.output
    assert "전문가 답변 · 사람이 직접 작성" in after.output and "내용증명" in after.output
    assert "기다리는 중" not in after.output
    as_json = json.loads(runner.invoke(
        app, ["conversation", "show", conversation_id, "--json", "--data-dir", str(data_dir)]).output)
    assert [t["role"] for t in as_json["turns"]] == ["user", "assistant", "expert"]
    assert as_json["turns"][2]["text"] == EXPERT_ANSWER and as_json["waiting_for_expert"] is False


def test_an_answered_question_prints_no_expert_command(data_dir: Path) -> None:
    asked = runner.invoke(app, ["ask", "스마트공장 수준확인 제도가 무엇인가요?", "--data-dir", str(data_dir)])
    assert asked.exit_code == 0, asked.output
    assert "대화 ID" in asked.output and "conversation show" not in asked.output


def test_only_terminal_conversations_are_shown(data_dir: Path) -> None:
    db = open_database(make_settings(data_dir))
    web = SqlConversationStore(db.sessions).new_conversation(channel="web", user_id="owner-aaaa1111")
    db.dispose()
    refused = runner.invoke(app, ["conversation", "show", web, "--data-dir", str(data_dir)])
    assert refused.exit_code == 2 and "터미널(ask/chat)에서 시작한 대화가 아닙니다" in refused.output
    missing = runner.invoke(app, ["conversation", "show", "no-such-id", "--data-dir", str(data_dir)])
    assert missing.exit_code == 2
