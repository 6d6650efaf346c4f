"""Evaluators adding cases: validated against the schema, appended, bad ones refused clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from channels.cli import _register, app
from evals.casebook import CaseError, add_cases, draft, parse_cases, validate_cases
from evals.cases import GOLDEN_DIR, load_file, load_suite

_register()
runner = CliRunner()

GOOD = {
    "id": "pol-950", "type": "answer", "question": "스마트공장 수준확인은 몇 단계예요?",
    "sources": ["policies/level-check.md"], "key_facts": ["5단계"],
    "reference_answer": "수준확인은 5단계로 나뉩니다.", "expected_decision": "answered",
    "tags": {"kind": "policy", "difficulty": "easy", "topic": "수준확인"},
}


@pytest.fixture
def golden(tmp_path: Path) -> Path:
    folder = tmp_path / "golden"
    shutil.copytree(GOLDEN_DIR, folder, ignore=shutil.ignore_patterns("*.md"))
    return folder


def test_add_a_case_from_a_file(golden: Path, tmp_path: Path) -> None:
    before = (golden / "policies.yaml").read_text(encoding="utf-8")
    source = tmp_path / "new.yaml"
    source.write_text(yaml.safe_dump({"cases": [GOOD]}, allow_unicode=True), encoding="utf-8")
    assert add_cases(source, golden_dir=golden) == [("pol-950", golden / "policies.yaml")]
    after = (golden / "policies.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # appended: comments and earlier cases untouched
    added = [c for c in load_file(golden / "policies.yaml") if c.id == "pol-950"]
    assert added and added[0].fact_options() == [["5단계"]]
    assert len(load_suite(golden)) == len(load_suite()) + 1


def test_a_bad_case_is_refused_with_every_reason(golden: Path) -> None:
    bad = {**GOOD, "id": "pol-001", "key_facts": [], "expected_decision": "maybe"}
    with pytest.raises(CaseError) as err:
        validate_cases([bad], {c.id for c in load_suite(golden)})
    assert "expected_decision" in str(err.value)
    no_facts = {**GOOD, "key_facts": []}
    with pytest.raises(CaseError, match="pol-950: a answer case needs key_facts"):
        validate_cases([no_facts], set())
    with pytest.raises(CaseError, match="the id pol-001 is already in the golden set"):
        validate_cases([{**GOOD, "id": "pol-001"}], {c.id for c in load_suite(golden)})
    with pytest.raises(CaseError, match="expected a case"):
        parse_cases("- just a string\n")


def test_cli_add_case_refuses_a_bad_file_and_leaves_the_golden_set(golden: Path, tmp_path: Path) -> None:
    before = {p.name: p.read_text(encoding="utf-8") for p in golden.glob("*.yaml")}
    source = tmp_path / "bad.json"
    source.write_text('{"id": "pol-951", "type": "unanswerable", "question": "날씨?", "sources": ["x.md"],'
                      ' "expected_decision": "answered", "tags": {"kind": "policy"}}', encoding="utf-8")
    result = runner.invoke(app, ["eval", "add-case", str(source), "--golden-dir", str(golden)])
    assert result.exit_code == 2
    output = " ".join(result.output.split())  # Rich wraps long lines
    assert "refused" in output and "an unanswerable case has no sources" in output
    assert {p.name: p.read_text(encoding="utf-8") for p in golden.glob("*.yaml")} == before
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
    ok = runner.invoke(app, ["eval", "add-case", str(good), "--golden-dir", str(golden)])
    assert ok.exit_code == 0, ok.output
    assert "pol-950" in ok.output


def test_an_exported_case_is_a_draft_with_what_is_missing() -> None:
    exported = {  # the shape assistant.experts.exports returns for a conversation
        "id": "conv-1a2b3c4d-003", "type": "answer", "question": "MES 도입 비용은?", "turns": [],
        "sources": ["policies/mes-erp-adoption.md"], "key_facts": [], "reference_answer": "전문가 답변",
        "expected_decision": "answered", "suppliers": [], "tags": {"source": "conversation", "channel": "web"},
    }
    text, problems = draft(exported, set())
    assert yaml.safe_load(text)["cases"][0]["question"] == "MES 도입 비용은?"
    assert not any(": id:" in p for p in problems)  # exported ids follow the schema
    assert any("tags.kind" in p for p in problems)


class _FakeDesk:
    """Stands in for the desk's `authenticate` + `export_case` (assistant.experts.exports' shape)."""

    def authenticate(self, token: str) -> str:
        return f"user:{token}"

    def export_case(self, user: str, *, conversation_id: str | None = None,
                    ticket_id: str | None = None) -> dict:
        return {**GOOD, "id": "pol-960", "key_facts": [], "tags": {"source": "ticket", "kind": "policy"}}


class _FakeAssistant:
    desk = _FakeDesk()


def test_cli_export_writes_a_draft_and_says_what_to_complete(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import evals.runner

    monkeypatch.setattr(evals.runner, "build_eval_assistant", lambda settings: _FakeAssistant())
    out = tmp_path / "draft.yaml"
    result = runner.invoke(app, ["eval", "export", "--ticket", "t-1", "--token", "tok", "--out", str(out),
                                 "--data-dir", str(tmp_path / "var")])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["cases"][0]["id"] == "pol-960"
    assert "pol-960: a answer case needs key_facts" in " ".join(result.output.split())  # Rich wraps lines
    both = runner.invoke(app, ["eval", "export", "--ticket", "t", "--conversation", "c", "--token", "x"])
    assert both.exit_code == 2
