"""The artifact check on crafted answers: each kind is caught in a bad answer and left alone
in a good one, and the "what not to do" items come from the documents' own headings."""

from __future__ import annotations

import pytest

from evals.artifacts import dont_items, dont_items_in, find_artifacts, score_artifacts
from evals.metrics import summarize
from tests.conftest import KNOWLEDGE
from tests.unit.evals.factories import make_case, make_record

DOC = """# 기업 부담금

## 현금과 현물

현물 부담
- 인정되는 예: 과제에 참여하는 자사 직원의 인건비(참여율만큼), 기존 장비의 잔존가치
- 인정되지 않는 예: 대표이사 인건비 전액, 과제와 무관한 직원 인건비, 사무실 임차료

## 절대 하면 안 되는 것: 부담금 대납

- 공급기업이 기업 부담금을 대신 내 주는 것 (대납)
- 현물 인건비를 실제보다 부풀려 적는 것

## 총사업비

넣을 수 있는 것(예시)
- 솔루션 소프트웨어 라이선스와 구축비

넣을 수 없는 것(예시)
- 단순 생산설비 구매(프레스, 사출기 자체 등), 건물 공사, 토지
"""


def kinds(answer: str, question: str = "", dont: tuple[str, ...] = ()) -> list[str]:
    return [a.kind for a in find_artifacts(answer, question, dont)]


@pytest.mark.parametrize("bad", [
    "월 비용 | 전기료·유지보수 외 적음 | 월 이용료 발생 [1]",
    "| 기초 | 수준1~2 | 최대 5,000만 원 |",
])
def test_table_pipes_are_caught(bad: str) -> None:
    assert set(kinds(bad)) == {"table_pipe"}
    assert kinds(bad.replace("|", ",")) == []


@pytest.mark.parametrize("bad", [
    "□ 업로드 용량 제한을 확인하세요 [1]",
    "제출 전에 점검하세요. ☑ 서명 확인",
    "● 수입검사: 원자재가 들어올 때 [1]",
    "서류를 준비합니다.\n▪ 사업계획서 [1]",
    "◆ 이 문서의 금액은 데모용 예시입니다. [1]",
    "체크리스트:\n- [ ] 핵심 관리 항목을 3~5개로 추렸다 [1]",
])
def test_checkbox_and_bullet_glyphs_are_caught(bad: str) -> None:
    assert "glyph" in kinds(bad)


def test_a_reference_mark_and_middle_dots_are_not_glyph_artifacts() -> None:
    assert kinds("전기료·유지보수 비용이 듭니다 [1].\n※ 찾은 자료로는 질문의 일부만 확인됩니다.") == []


def test_lemma_lists_in_a_coverage_note_are_caught_but_the_users_words_pass() -> None:
    question = "MES 도입이 너무 까다로워요. 담당자도 부족해요"
    bad = "MES는 단계적으로 도입합니다 [1]. 일부 내용만 확인했습니다 ('까다, 너무, 부족' 관련 내용은 찾지 못했습니다)"
    found = [a.text for a in find_artifacts(bad, question) if a.kind == "lemma_note"]
    assert found == ["까다"]  # '너무' is a word the user typed; '부족' is 부족해요 without its ending
    good = "MES는 단계적으로 도입합니다 [1]. ('까다로워요' 관련 내용은 찾지 못했습니다)"
    assert "lemma_note" not in kinds(good, question)


def test_a_sources_own_quote_and_an_honorific_are_not_lemma_notes() -> None:
    quote = '작업일보에 "오후 2시~3시 설비 정지"라고만 적혀 있으면 아무것도 개선할 수 없습니다. [1]'
    assert find_artifacts(quote, "비가동은 일보에 어떻게 적어요?") == []
    note = "입력은 사람이 합니다. [1]\n※ 찾은 자료로는 질문의 일부만 확인됩니다 ('미싱사, 연세'에 대한 내용은 찾지 못했습니다)"
    assert find_artifacts(note, "미싱사분들 연세가 많으셔서 태블릿 입력을 못 하세요") == []


def test_a_knowledge_file_name_in_an_answer_is_caught() -> None:
    found = find_artifacts("고도화는 확인서가 필요합니다. 자세한 내용은 level-check-link.md를 참고하세요. [1]", "고도화 신청")
    assert [(a.kind, a.text) for a in found] == [("file_name", "level-check-link.md")]
    assert find_artifacts("금리 우대를 받습니다. [1] 자료: www.smart-factory.kr, 비율 3.5%", "금리") == []


def test_bare_what_not_to_do_items_are_caught_and_a_kept_meaning_passes() -> None:
    dont = tuple(dont_items_in(DOC))
    assert "현물 인건비를 실제보다 부풀려 적는 것" in dont and "대표이사 인건비 전액" in dont
    assert "단순 생산설비 구매(프레스, 사출기 자체 등), 건물 공사, 토지" in dont
    assert not any("라이선스" in item or "참여율" in item for item in dont)  # the allowed items stay out
    bad = "현물 인건비를 실제보다 부풀려 적는 것 [1]."
    assert kinds(bad, "현물로는 뭘 인정받을 수 있어요?", dont) == ["dont_item"]
    kept = "하면 안 되는 것: 현물 인건비를 실제보다 부풀려 적는 것 [1]."
    assert kinds(kept, "현물로는 뭘 인정받을 수 있어요?", dont) == []
    assert kinds(bad, "현물로 하면 안 되는 건 뭐예요?", dont) == []  # asked for the list of don'ts itself
    allowed = "과제에 참여하는 자사 직원의 인건비(참여율만큼)와 기존 장비의 잔존가치가 현물로 인정됩니다 [1]."
    assert kinds(allowed, "현물로는 뭘 인정받을 수 있어요?", dont) == []


def test_a_clean_answer_has_no_artifacts() -> None:
    answer = ("기업 부담은 총사업비의 50%이고, 그중 30% 이상은 현금입니다 [1].\n"
              "준비할 서류:\n1. 사업계획서 [2]\n2. 공급기업 견적서 [2]\n- 재무제표 [2]")
    assert find_artifacts(answer, "기업 부담금은 얼마예요?", tuple(dont_items(KNOWLEDGE))) == []


def test_the_shipped_documents_yield_what_not_to_do_items() -> None:
    items = dont_items(KNOWLEDGE)
    assert "현물 인건비를 실제보다 부풀려 적는 것" in items
    assert "단순 생산설비 구매(프레스, 사출기 자체 등), 건물 공사, 토지" in items  # a labelled list
    assert len(items) >= 30


def test_the_share_of_answers_with_artifacts_is_a_run_metric() -> None:
    case = make_case()
    clean = make_record(case, answer="수준은 5단계입니다 [1].")
    piped = make_record(case, answer="기초 | 수준1~2 | 최대 5,000만 원 [1]")
    for record in (clean, piped):
        score_artifacts(case, record, [])
    assert (clean.scores["artifacts"], piped.scores["artifacts"]) == (0.0, 1.0)
    assert summarize([clean, piped])["artifacts"] == 0.5
