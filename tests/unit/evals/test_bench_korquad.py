"""The KorQuAD retrieval benchmark: a passage the dev set repeats counts once, whichever copy is found."""

from __future__ import annotations

import json
from pathlib import Path

from evals.bench import korquad, retrieval
from tests.conftest import make_settings

PASSAGE = ("2009년 8월에는 현대그룹 회장이 방북하여 민간 차원에서의 개성공단 활성화와 금강산 관광 문제 등의 현안을 "
           "논의하였다. 같은 달 김대중 전 대통령의 서거를 계기로 고위급 조문단이 서울을 방문하였다.")
OTHER = "세종대왕은 1443년에 훈민정음을 창제하였고 1446년에 이를 반포하였다. 집현전 학자들이 창제 과정에 참여하였다."


def _dev_set(folder: Path) -> Path:
    copy = PASSAGE.replace("방문하였다", "찾았다")  # the same passage with a word changed, as the dev set repeats them
    data = {"data": [
        {"title": "개성공단", "paragraphs": [
            {"context": PASSAGE, "qas": [{"question": "2009년 방북한 현대그룹 회장은 무엇을 논의했나?"}]},
            {"context": OTHER, "qas": [{"question": "훈민정음은 언제 반포되었나?"}]},
        ]},
        {"title": "남북관계", "paragraphs": [
            {"context": copy, "qas": [{"question": "2009년 개성공단 활성화를 논의하러 방북한 사람은?"}]},
        ]},
    ]}
    path = folder / "dev.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_copies_groups_a_repeated_passage_and_nothing_else(tmp_path: Path) -> None:
    paragraphs, _ = korquad.load(_dev_set(tmp_path))
    same = korquad.copies(paragraphs)
    assert same == {"korquad/000-00": {"korquad/000-00", "korquad/001-00"},
                    "korquad/001-00": {"korquad/000-00", "korquad/001-00"}}


def test_a_question_on_one_copy_is_found_through_the_other(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", embedding_model="hashing-bigrams")
    result = retrieval.run(settings, path=_dev_set(tmp_path), with_baseline=False)
    # the searcher keeps one of two near-identical chunks, so one of the two questions on the
    # repeated passage finds the other copy: a hit for the passage, a miss for the paragraph id
    assert result["results"]["keyword"]["hit@1"] == 1.0
    assert result["results_own_paragraph_only"]["keyword"]["hit@1"] < 1.0
    assert result["repeated_passages"] == [("korquad/000-00", "korquad/001-00")]
    assert "Passages the dev set repeats: 1" in retrieval.to_markdown(result)
