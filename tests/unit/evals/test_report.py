"""The report files: HTML with the headline metrics and the worse cases, Markdown, plots."""

from __future__ import annotations

from pathlib import Path

from evals.evaluate import judge
from evals.report import write_report
from evals.runs import load_run
from tests.unit.evals.factories import make_case, make_record, make_run

LEVEL = "policies/level-check.md"


def _runs() -> tuple:
    first, second = make_case(), make_case(id="pol-902")
    baseline = make_run([
        make_record(first, answer="수준확인은 5단계입니다. 3만 개가 목표입니다. [1]", cited=[(1, LEVEL)]),
        make_record(second, answer="5단계입니다 [1]", cited=[(1, LEVEL)], latency_s=0.2),
    ], run_id="20260101-000000-base")
    run = make_run([
        make_record(first, answer="가지고 있는 자료에서 근거를 찾지 못했습니다.", decision="escalate",
                    retrieved=["policies/other.md"], latency_s=0.05),
        make_record(second, answer="5단계입니다 [1]", cited=[(1, LEVEL)], latency_s=0.2),
    ], run_id="20260102-000000-now")
    return run, baseline


def test_report_shows_headline_metrics_gate_and_worse_cases(tmp_path: Path) -> None:
    run, baseline = _runs()
    gate = judge(run, baseline)
    assert not gate.passed
    html_path = write_report(run, baseline, gate, tmp_path / "report")
    html = html_path.read_text(encoding="utf-8")
    assert "Gate FAILED" in html and "hit@1 dropped 1.000 → 0.500" in html
    for label in ("hit@5", "MRR@10", "key facts stated", "citation validity", "decision accuracy",
                  "latency p95 (ms)", "Faithfulness (ragas, LLM)"):
        assert label in html, label
    assert "not run" in html  # the LLM metrics without an LLM
    assert "Cases that got worse (1)" in html and "pol-901" in html
    assert "수준확인은 5단계입니다. 3만 개가 목표입니다. [1]" in html  # the baseline's answer beside ours
    assert "decision answered → escalate (expected answered)" in html
    assert html.count("data:image/png;base64,") == 5  # by kind, by type, reliability, latency, delta
    assert "Reliability of the confidence" in html and "key fact in the first sentence" in html
    md = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "**Gate: FAILED**" in md and "- **pol-901**" in md and "](delta.png)" in md
    for name in ("by_kind", "by_type", "reliability", "latency", "delta"):
        assert (tmp_path / "report" / f"{name}.png").read_bytes().startswith(b"\x89PNG")
    assert load_run(tmp_path / "report" / "run.json").run_id == run.run_id


def test_report_without_a_baseline(tmp_path: Path) -> None:
    run, _ = _runs()
    gate = judge(run, None)
    html = write_report(run, None, gate, tmp_path / "r").read_text(encoding="utf-8")
    assert "no baseline" in html and "No baseline run to compare with." in html
    assert not (tmp_path / "r" / "delta.png").exists()
