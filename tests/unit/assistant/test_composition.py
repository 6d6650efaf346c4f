"""Answer-first composition on hand-written chunks, scored by the real embedding model:
what the owner reads first, what never shows, what a list question gets."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.answers.candidates import analyse
from assistant.answers.composition import compose, question_terms
from assistant.answers.drafting import extractive_text
from assistant.answers.retrieval import Hit
from assistant.answers.scoring import EmbeddingScorer
from assistant.korean import morphemes
from assistant.stores.catalog import Chunk
from ingestion.documents import Block, LoadedDocument
from ingestion.splitter import KoreanSentenceSplitter, split_document

GLYPHS = re.compile(r"[□■☐☑☒✓✔▢◻•①-⑳]")


@pytest.fixture(scope="module")
def scorer() -> EmbeddingScorer:
    from assistant.settings import DEFAULT_EMBEDDING_MODEL
    from assistant.stores.embeddings import make_embeddings

    return EmbeddingScorer(make_embeddings(DEFAULT_EMBEDDING_MODEL))


def _hit(n: int, text: str, heading: str | None = None, title: str = "기업 부담금 안내",
         metadata: dict | None = None) -> Hit:
    path = f"{title} > {heading}" if heading else None
    chunk = Chunk(chunk_id=f"c{n}", source=f"doc{n}.md", title=title, kind="subsidy", text=text,
                  heading=path, metadata=metadata or {})
    return Hit(chunk=chunk, score=1.0 - n / 10)


def _answer(question: str, hits: list[Hit], scorer: EmbeddingScorer) -> str:
    comp = compose(question, question_terms(morphemes(question)), hits, lambda t: 2.0, scorer=scorer)
    return extractive_text(comp, hits).text


def _first_line(answer: str) -> str:
    return answer.split("\n")[0]


def test_the_amount_asked_for_comes_first(scorer: EmbeddingScorer) -> None:
    hits = [
        _hit(0, "기업 부담금은 총사업비에서 정부 지원금을 뺀 나머지입니다. 사장님들이 이 부분을 자주 묻습니다. "
                "기업 부담금 가운데 현금은 30% 이상이어야 합니다(예시).", "기업 부담금이란"),
        _hit(1, "현금은 협약 후 사업 전용 계좌에 입금합니다. 입금이 늦으면 구축 착수가 미뤄집니다.", "현금 부담"),
    ]
    answer = _answer("부담금 중에 현금은 몇 퍼센트 내야 돼요?", hits, scorer)
    assert "30%" in _first_line(answer), answer
    assert len(re.findall(r"\[\d+\]", answer)) <= 3  # the answer and at most two supporting lines


def test_a_list_question_gets_a_short_clean_list(scorer: EmbeddingScorer) -> None:
    text = ("■ 1. 공통 필수 서류\n□ (1) 사업 신청서\n- 대표자 서명 또는 직인\n□ (2) 사업계획서\n□ (3) 공급기업 견적서\n"
            "□ (4) 재무제표\n□ (5) 4대보험 가입자 명부\n□ (6) 사업자등록증 사본\n□ (7) 중소기업 확인서")
    hits = [_hit(0, text, title="제출 서류 점검표"), _hit(1, "서류는 온라인 신청 시스템에 올립니다.", "제출 방법")]
    answer = _answer("신청할 때 서류 뭐 챙겨가요?", hits, scorer)
    lines = answer.split("\n")
    items = [ln for ln in lines if ln.startswith("- ") and "그 밖에" not in ln]
    assert 3 <= len(items) <= 6, answer
    assert items[0] == "- 사업 신청서 [1]"  # the first item carries the list's source
    assert lines[0].startswith("공통 필수 서류") and lines[0].endswith(":")  # the title introduces the list
    assert not GLYPHS.search(answer), answer


def test_a_what_not_to_do_item_is_never_a_bare_recommendation(scorer: EmbeddingScorer) -> None:
    hits = [
        _hit(0, "- 공급기업이 기업 부담금을 대신 내 주는 것\n- 현물 인건비를 실제보다 부풀려 적는 것\n"
                "적발되면 지원금 전액을 돌려줘야 합니다.", "절대 하면 안 되는 것: 부담금 대납"),
        _hit(1, "현물 부담\n- 인정되는 예: 과제에 참여하는 자사 직원의 인건비, 사업에 쓰이는 기존 장비의 잔존가치\n"
                "- 현물은 기업 부담금의 최대 70%까지 인정됩니다.", "현금과 현물"),
    ]
    answer = _answer("그럼 현물로는 뭘 인정받을 수 있어요?", hits, scorer)
    assert "부풀려" not in _first_line(answer), answer
    for line in answer.split("\n"):
        for part in re.split(r"\[\d+\]", line):
            if "부풀려" in part or "대신 내 주는" in part:
                assert "하면 안 되는 것" in part, answer


def test_table_rows_read_as_label_and_value(scorer: EmbeddingScorer) -> None:
    hits = [_hit(0, "구분 | 금액(예시)\n총사업비 | 4,800만 원\n정부 지원(50%) | 2,400만 원\n기업 부담(50%) | 2,400만 원\n"
                    "기업 부담 가운데 현금은 1,700만 원이었습니다.", "비용", title="반찬 공장 사례")]
    answer = _answer("그 공장은 정부 지원을 얼마 받았어요?", hits, scorer)
    assert "정부 지원(50%): 2,400만 원" in _first_line(answer), answer
    assert "|" not in answer


def test_a_complaint_is_never_quoted_as_the_answer(scorer: EmbeddingScorer) -> None:
    hits = [
        _hit(0, "1. 우리 공장에 무엇부터 해야 할지 모른다.\n2. 적정 가격이 얼마인지, 기업 부담금이 얼마인지 헷갈린다.",
             "사장님들이 자주 막히는 지점"),
        _hit(1, "기본 구조는 정부 50%, 기업 50%입니다(예시). 단계별 한도를 넘는 금액은 기업이 부담합니다.", "비용 분담"),
    ]
    answer = _answer("기업 부담금은 얼마인가요?", hits, scorer)
    assert "헷갈린다" not in answer and "모른다" not in answer, answer
    assert "50%" in _first_line(answer)


def test_the_coverage_note_names_the_users_own_words_only_when_needed(scorer: EmbeddingScorer) -> None:
    hits = [_hit(0, "현물 부담\n- 인정되는 예: 과제에 참여하는 자사 직원의 인건비\n- 현물은 기업 부담금의 최대 70%까지 "
                    "인정됩니다.", "현금과 현물")]
    covered = _answer("현물은 최대 몇 %까지 인정돼요?", hits, scorer)
    assert "※" not in covered, covered
    oee = [_hit(0, "데이터를 처음 모으기 시작한 중소 공장은 OEE가 50~65%(예시)로 나오는 경우가 많습니다.", "OEE 수준",
                title="설비종합효율")]
    said_as_owners_do = _answer("OEE 60프로 나오면 잘하는거에요?", oee, scorer)
    assert "50~65%" in said_as_owners_do and "※" not in said_as_owners_do, said_as_owners_do  # 프로 is the owner's %
    uncovered = _answer("현물로 드론 장비도 인정돼요?", hits, scorer)
    note = [ln for ln in uncovered.split("\n") if ln.startswith("※")]
    assert note and "'드론" in note[0], uncovered
    named = re.search(r"'([^']+)'", note[0]).group(1)
    assert all(word in "현물로 드론 장비도 인정돼요?" for word in named.split(", "))  # surface forms, no lemmas
    # the owner's spelling of the sources' word ("윈도우" for "윈도") is no uncovered word
    pc = [_hit(0, "오래된 운영체제(지원 종료된 윈도)를 쓰는 설비 PC는 교체가 어렵다면 망에서 최대한 격리하고 USB를 "
                  "막는 것으로 위험을 줄입니다.", "설비 PC", title="작은 공장을 위한 네트워크 보안")]
    windows = _answer("설비 PC가 윈도우7인데 바꾸기 어려우면 어떻게 해요?", pc, scorer)
    assert "※" not in windows, windows
    # "본 안뜨고": a negated verb the owner wrote as one word is no topic to say is missing
    lab = [_hit(0, "평균 납기 - 도입 전: 5일, 도입 후(8개월): 2.5일\n구강 스캐너로 받은 파일은 운송 중 변형이 없어 재제작이 "
                   "줄었습니다.", "결과", title="치과기공소 사례")]
    negated = _answer("인트라오럴 스캐너로 본 안뜨고 파일로 받으면 보철물 납기 진짜 줄어요?", lab, scorer)
    assert "안뜨고" not in negated and "보철물" in negated.split("※")[-1], negated  # 보철물 is missing


def test_a_chunk_cut_inside_a_table_keeps_the_column_names(scorer: EmbeddingScorer) -> None:
    seasons = ["봄 모집 | 2월 초 | 3월 말", "여름 모집 | 5월 초 | 6월 말", "가을 모집 | 8월 초 | 9월 말",
               "겨울 모집 | 11월 초 | 12월 말"]
    doc = LoadedDocument(source="schedule.md", title="모집 일정", metadata={"kind": "subsidy"},
                         blocks=[Block("구분 | 공고 | 신청 마감\n" + "\n".join(seasons), heading="모집 일정 > 연간 일정")])
    chunks = split_document(doc, KoreanSentenceSplitter(chunk_size=50, chunk_overlap=0))
    assert len(chunks) > 1
    later = chunks[-1]
    assert later.metadata["table_header"] == "구분 | 공고 | 신청 마감"
    assert "table_header" not in chunks[0].metadata  # the first chunk holds the header itself
    answer = _answer("겨울 모집 신청 마감은 언제예요?", [Hit(chunk=later, score=1.0)], scorer)
    assert _first_line(answer).startswith("겨울 모집 - 공고: 11월 초, 신청 마감: 12월 말"), answer
    assert "|" not in answer and "※" not in answer, answer


def test_the_scorer_encodes_each_sentence_once(scorer: EmbeddingScorer) -> None:
    sentences = ["현금은 30% 이상입니다.", "현물은 최대 70%까지 인정됩니다."]
    first = scorer.score("현금 비율은?", sentences)
    cached = scorer.cached
    again = scorer.score("현금 비율은?", sentences)
    assert scorer.cached == cached and first.tolist() == again.tolist()
    assert first[0] > first[1]  # the model, not the order, says which one is about cash


def test_a_case_question_prefers_what_came_out_over_the_problem_it_started_from() -> None:
    """The same line under a story's 결과 ranks above its twin under 상황 (found first) for
    "줄인 사례 있어요?" and for a question about what to do (a plant's problem as it was,
    told back to an owner with the same problem, answers nothing); asked what the situation
    was, the first found stays first."""
    from assistant.answers.candidates import analyse, clean, collect, score

    line = "용지는 주간 사용량을 보고 발주합니다."
    hits = [_hit(0, line, "상황", title="인쇄소 사례"), _hit(0, line, "결과", title="인쇄소 사례")]
    for question, outcome_first in (("용지 재고 줄인 사례 있어요?", True), ("용지는 어떻게 발주해요?", True),
                                    ("그 인쇄소는 처음에 용지를 어떻게 발주했어요?", False)):
        asked = analyse(question, question_terms(morphemes(question)), lambda t: 2.0)
        ranked = score(clean(collect(hits), asked), asked, None, 12)
        by_section = {c.context.split(" > ")[-1]: c.score for c in ranked}
        assert (by_section["결과"] > by_section["상황"]) is outcome_first, question


def test_the_owners_word_is_read_as_the_sources_word(scorer: EmbeddingScorer) -> None:
    """"공급업체" is what the sources call 공급기업: its line answers, and the note never says
    the owner's word was not found."""
    from assistant.answers.analysis import analyse as analyse_message

    hits = [_hit(0, "공급기업은 약 1,500개가 등록돼 있습니다. 비교 견적: 최소 2곳 이상의 공급기업에서 같은 과업 범위로 "
                    "견적을 받습니다.", "공급기업 선정", title="공급기업 고르기")]
    question = "공급업체 견적 몇군데서 받아야 돼요?"
    analysis = analyse_message(question, [])
    assert "공급기업" in analysis.query
    comp = compose(question, analysis.own_terms, hits, lambda t: 2.0 if t != "공급업체" else 9.0, scorer=scorer)
    answer = extractive_text(comp, hits).text
    assert "2곳" in _first_line(answer), answer
    assert "공급업체" not in answer, answer


def test_how_often_is_answered_by_the_frequency(scorer: EmbeddingScorer) -> None:
    hits = [_hit(0, "불용 재고: 6개월 이상 움직이지 않은 재고. 재고 실사는 장부와 실물을 맞추는 일입니다. "
                    "순환 실사로 A 품목은 매주, B 품목은 매월 일부씩 셉니다.", "재고 실사", title="재고 관리")]
    answer = _answer("재고 실사는 얼마나 자주 해요?", hits, scorer)
    assert "매주" in _first_line(answer), answer


def test_what_is_x_opens_with_the_sentence_that_defines_x(scorer: EmbeddingScorer) -> None:
    hits = [_hit(0, "설비종합효율(OEE)은 설비를 돌릴 수 있었던 시간 동안 실제로 만든 양품의 비율을 한 숫자로 보여 주는 "
                    "지표입니다.", "OEE란", title="OEE"),
            _hit(1, "한 가지만 보면 착시가 생깁니다. 기계가 하루 종일 돌았어도 불량이 많으면 OEE는 낮습니다.",
                 "OEE란 > 세 가지를 곱한다", title="OEE")]
    answer = _answer("OEE가 뭐예요?", hits, scorer)
    assert _first_line(answer).startswith("설비종합효율(OEE)은"), answer


def test_what_is_x_in_a_longer_question_opens_with_the_definition_of_x(scorer: EmbeddingScorer) -> None:
    # the owner says why they ask; the sentence that says what PPM is still answers first
    hits = [_hit(0, "자동차·전자 고객사는 대개 PPM으로 요구합니다. PPM은 백만 개당 불량 개수입니다. "
                    "%와 PPM은 단위만 다릅니다.", "불량률과 PPM 계산", title="불량률·PPM과 품질 기록 관리"),
            _hit(1, "공정 불량률은 높은데 고객 PPM이 낮다면 검사로 막고 있는 상태입니다.", "어떤 불량률을 볼 것인가",
                 title="불량률·PPM과 품질 기록 관리")]
    answer = _answer("고객사에서 PPM 관리하라는데 PPM이 정확히 뭐예요?", hits, scorer)
    assert _first_line(answer).startswith("PPM은 백만 개당"), answer


def test_what_is_x_under_a_heading_naming_x_opens_with_the_sentence_that_says_what_it_is(
        scorer: EmbeddingScorer) -> None:
    # "기록하는 양식입니다" has no topic of its own (its 는 is an ending, not 8D는): under the heading
    # "8D 보고서" it says what an 8D report is
    hits = [_hit(0, "고객 클레임이 생기면 고객사가 8D 보고서를 요구하는 경우가 많습니다. 여덟 단계로 문제를 풀고 "
                    "기록하는 양식입니다. 흔한 실수는 D4에서 작업자 부주의로 끝내는 것입니다.", "8D 보고서",
                 title="불량률·PPM과 품질 기록 관리")]
    answer = _answer("고객사가 8D 보고서 써 오라는데 이게 뭐예요?", hits, scorer)
    assert _first_line(answer).startswith("여덟 단계로 문제를 풀고 기록하는 양식입니다."), answer


def test_a_hit_read_for_one_line_leads_when_that_line_is_clearly_the_answer(scorer: EmbeddingScorer) -> None:
    case = _hit(0, "2019년에 기초 과제로 MES를 구축했습니다(총사업비 3,800만 원, 예시). 담당자가 퇴사한 뒤 MES를 아무도 "
                   "쓰지 않았습니다.", "상황", title="방치된 MES 다시 돌리기")
    steps = replace(_hit(1, "보통 기초 MES는 계약부터 본 가동까지 4~6개월(예시)이 걸립니다. 공급기업과 일정을 먼저 "
                            "맞춥니다.", "도입 10단계", title="MES 도입 가이드"), by_line=True)
    assert "4~6개월" in _first_line(_answer("MES 계약하고 실제 돌리기까지 몇달 걸림?", [case, steps], scorer))



def test_a_line_about_the_document_itself_never_answers(scorer: EmbeddingScorer) -> None:
    hits = [_hit(0, "스마트공장 수준확인은 스마트제조혁신추진단이 운영하는 제도로, 지정된 수준확인기관이 공장을 방문해 "
                    "1~5단계 중 어디에 있는지 확인하고 확인서를 발급합니다. 제도 자체의 설명은 정책 문서(스마트공장 "
                    "수준확인 제도와 5단계)를 보시고, 이 문서는 \"그 확인서를 지원사업에서 어떻게 쓰는가\"에 집중합니다.",
                 "확인서 한 장이 쓰이는 곳", title="수준확인 확인서와 지원사업 연계"),
            _hit(1, "스마트공장 수준확인 제도는 우리 공장이 스마트화 단계 중 어디쯤 와 있는지를 제3자가 현장에서 확인해 "
                    "주는 제도입니다. 결과는 1~5단계 중 하나로 나오고, 확인서가 발급됩니다.", "수준확인 제도란",
                 title="스마트공장 수준확인 제도와 5단계")]
    answer = _answer("우리 공장이 수준 몇인지 알고 싶은데 어떻게 확인해요?", hits, scorer)
    assert "문서" not in answer, answer


def test_an_owner_describing_a_problem_is_not_told_the_problem_back(scorer: EmbeddingScorer) -> None:
    title = "멘토링 사례: ERP-MES 연동에서 생긴 품목코드 불일치 바로잡기"
    hits = [_hit(0, "MES의 품번과 ERP의 품목코드가 달라, 생산 실적이 ERP로 넘어갈 때 매일 수십 건씩 오류가 났습니다.",
                 "상황", title=title),
            _hit(1, "코드 정리: ERP 품목코드 기준으로 MES 품번 3,400개를 매핑하고, 같은 자재가 두 코드로 등록된 경우 "
                    "210건을 통합했습니다.", "실행 내용", title=title)]
    answer = _answer("MES 품번이랑 ERP 품목코드가 달라서 실적을 매일 손으로 다시 쳐요", hits, scorer)
    assert _first_line(answer).startswith("코드 정리"), answer
    # asked what the plant's situation was, the situation answers
    answer = _answer("그 공장은 처음에 상황이 어땠어요?", hits, scorer)
    assert _first_line(answer).startswith("MES의 품번과"), answer


def test_a_sentence_introducing_a_worked_example_does_not_answer(scorer: EmbeddingScorer) -> None:
    title = "클라우드(SaaS) 기반 MES 지원 트랙"
    hits = [_hit(0, "가상의 봉제 공장 '미성어패럴'(서울 중랑구, 직원 18명)이 클라우드 MES를 도입한 경우입니다. "
                    "총사업비 2,800만 원 → 정부 1,400만 원, 기업 1,400만 원 (현금 최소 420만 원)", "계산 예시", title=title),
            _hit(1, "- 우선 대상: 상시 근로자 50인 미만 소기업\n- 정부 지원 한도: 기업당 최대 2,000만 원",
                 "지원 내용(예시)", title=title)]
    answer = _answer("클라우드 MES는 몇 명 이하 회사가 우선이에요?", hits, scorer)
    assert "50인 미만" in _first_line(answer), answer


def test_a_line_that_points_to_a_list_answers_with_the_list(scorer: EmbeddingScorer) -> None:
    text = ("현장에서 바쁘다고 스캔을 건너뛰면 원자재와 제품 사이 고리가 끊깁니다. 최소한 다음 지점에서 스캔합니다.\n"
            "1. 입고: 원자재 라벨 부착\n2. 자재 투입: 어떤 로트를 어느 작업지시에 넣었는지\n3. 출하: 어느 고객에게 나갔는지")
    answer = _answer("이력추적 하려면 어느 공정에서 스캔해야 돼요? 현장에서 자꾸 빼먹어서",
                     [_hit(0, text, "어디서 찍어야 하나", title="로트 추적")], scorer)
    lines = answer.split("\n")
    assert any(line.startswith("1. 입고") for line in lines) and any(line.startswith("3. 출하") for line in lines), answer


def test_an_english_question_reaches_the_korean_line_with_its_words(scorer: EmbeddingScorer) -> None:
    """"limit" is "한도" in the sources: the glossary bridges what the relevance model misses."""
    from assistant.answers.glossary import korean_terms
    from ingestion.loaders import load

    assert {"한도", "클라우드"} <= set(korean_terms("What is the support limit of the cloud MES track?"))
    assert "서류" in korean_terms("Which documents do we submit?")  # plural read as singular
    knowledge = Path(__file__).resolve().parents[3] / "knowledge"
    (doc,) = load(knowledge / "subsidies/cloud-mes-track.md", knowledge)
    chunks = split_document(doc, KoreanSentenceSplitter(chunk_size=500, chunk_overlap=0))
    sections = ("어떤 트랙인가", "일반 기초 과제와 비교", "지원 내용(예시)")
    wanted = [c for name in sections for c in chunks if (c.heading or "").endswith(name)]
    hits = [Hit(chunk=c, score=1.0 - n / 20) for n, c in enumerate(wanted)]
    answer = _answer("What is the support limit of the cloud MES track?", hits, scorer)
    assert "2,000만 원" in answer, answer


def test_a_fact_is_said_once_and_a_repeat_is_not_replaced_by_filler(scorer: EmbeddingScorer) -> None:
    """Two documents word the same rule differently: the answer says it once, and does not
    make up the place with a weaker line."""
    hits = [_hit(0, "최종점검을 통과한 날부터 3년이 사후관리 의무기간입니다.", "사후관리 기간", title="사후관리 의무"),
            _hit(1, "최종점검 통과일부터 3년간 사후관리 의무가 있습니다. 해마다 성과를 보고합니다.", "Q14. 사후관리",
                 title="자주 묻는 질문"),
            _hit(2, "공급기업 상당수가 작은 회사라 폐업이 드물지 않습니다.", "공급기업", title="운영 연속성")]
    answer = _answer("사후관리 몇 년 해야 돼요?", hits, scorer)
    assert len(re.findall(r"3년", answer)) == 1, answer
    assert "폐업" not in answer, answer


def test_a_chunk_not_about_the_question_does_not_answer_it(scorer: EmbeddingScorer) -> None:
    """The subsidy FAQ shares only "돈" with a ransomware question; however well its lines read
    to the model, the answer comes from the chunk about ransomware."""
    hits = [
        _hit(0, "지원금은 돈으로 바로 주지 않고 공급기업에 지급합니다. 돈이 부족하면 지방비 매칭을 먼저 알아보세요. "
                "예산이 소진되면 받을 수 없으니 선정 직후 바로 확인하세요.", "지원금 지급", title="지원사업 FAQ"),
        _hit(1, "몸값을 내도 복구된다는 보장이 없습니다. 살길은 오프라인 백업뿐입니다. 감염된 PC는 먼저 네트워크에서 뺍니다.",
             "감염되면", title="랜섬웨어 복구 사례"),
    ]
    answer = _answer("랜섬웨어 걸렸는데 돈 주면 풀어주긴 하나요?", hits, scorer)
    assert any(w in _first_line(answer) for w in ("몸값", "백업", "네트워크")), answer
    assert not any(w in _first_line(answer) for w in ("지원금", "지방비", "예산")), answer


def test_a_line_that_needs_the_one_before_it_does_not_open_the_answer(scorer: EmbeddingScorer) -> None:
    # "많으면 관리가 안 됩니다": more of what? Its subject is in the line before
    hits = [_hit(0, "성과 지표는 3~5개만 고르세요. 많으면 관리가 안 됩니다.", "성과 지표(KPI) 정하는 법"),
            _hit(1, "정당한 이유 없이 성과 보고를 2회 이상 내지 않으면 지원금 일부를 돌려줘야 합니다(예시).", "사후관리 의무")]
    answer = _answer("스마트공장 했는데 성과 보고 안 하면 어떻게 돼요?", hits, scorer)
    assert not _first_line(answer).startswith("많으면"), answer


def test_not_and_a_connective_are_no_topic_of_the_question() -> None:
    # "안 하면" matched every "안 됩니다"; "했는데" is read 는 + 데 (a place)
    assert not {"안", "데"} & set(question_terms(morphemes("스마트공장 했는데 성과 보고 안 하면 어떻게 돼요?")))


def test_the_owners_machine_count_is_not_what_a_line_must_match() -> None:
    # "설비 20대 중에": the owner's plant; a case line that also says 20대 answered "어떤 거부터?"
    def weighed(question: str) -> set[str]:
        return set(analyse(question, question_terms(morphemes(question)), lambda t: 2.0).weights)

    assert not {"20", "대"} & weighed("설비 20대 중에 어떤 거부터 데이터 모아요?")
    assert {"설비", "데이터"} <= weighed("설비 20대 중에 어떤 거부터 데이터 모아요?")
    assert "7" in weighed("직원 7명 공장도 지원 돼요?")  # a head count may be what is asked
    assert "보험" in weighed("4대보험 가입자 명부 언제 거까지 돼요?")


_ABC = ("연간 사용 금액 기준으로 품목을 나눕니다.\n"
        "- A 품목: 사용 금액 상위 약 70~80%를 차지하는 소수 품목. 주 단위로 재고를 보고 발주점을 엄격히 관리\n"
        "- B 품목: 중간. 월 단위 점검\n"
        "- C 품목: 금액은 작고 종류는 많은 품목(볼트, 소모품). 넉넉히 두고 단순 관리(두 상자 방식 등)")


def test_what_is_x_opens_with_the_statement_that_opens_the_section_named_x(scorer: EmbeddingScorer) -> None:
    # the field after the question word ("재고관리에서") still makes it a what-is question, and the
    # section "ABC 분석" opens with what it is, on a verb other than 입니다
    hits = [_hit(0, _ABC, "ABC 분석", title="재고 관리 기본")]
    answer = _answer("ABC분석이 뭐에요 재고관리에서", hits, scorer)
    assert _first_line(answer).startswith("연간 사용 금액 기준으로 품목을 나눕니다."), answer


def test_a_list_items_later_sentence_is_shown_with_the_items_label(scorer: EmbeddingScorer) -> None:
    hits = [_hit(0, _ABC, "ABC 분석", title="재고 관리 기본")]
    answer = _answer("발주점을 엄격히 관리하는 품목은 뭐예요?", hits, scorer)
    assert "A 품목: 주 단위로 재고를 보고" in answer, answer  # not a bare "주 단위로 …" about no one knows what
    assert "A 품목: A 품목" not in answer


def test_a_step_of_a_worked_example_is_not_the_rule_unless_the_owner_gave_numbers(scorer: EmbeddingScorer) -> None:
    title = "지원 단계별 한도"
    hits = [_hit(0, "예시 3) 고도화1, 총사업비 3억 원\n- 정부 지원: 1억 5,000만 원 (50%이면서 한도와 같음)\n"
                    "- 기업 부담: 1억 5,000만 원, 그중 현금 최소 4,500만 원", "계산 예시", title=title),
            _hit(1, "정부 지원 한도는 기초 최대 5,000만 원, 고도화1 최대 1억 5,000만 원입니다(예시).",
                 "단계별 한도", title=title)]
    assert _first_line(_answer("고도화1은 한도 얼마예요", hits, scorer)).startswith("정부 지원 한도는")


def test_an_items_label_is_said_once_when_its_sentences_follow_each_other(scorer: EmbeddingScorer) -> None:
    text = ("- MES(생산관리시스템): 현장에서 무엇을 언제 얼마나 만들었는지 관리합니다. 주로 현장에서 씁니다.\n"
            "- ERP(전사적자원관리): 회사 전체의 돈과 물자의 흐름을 관리합니다. 주로 사무실에서 씁니다.")
    answer = _answer("ERP는 무엇을 관리하고 어디서 써요?", [_hit(0, text, "MES와 ERP", title="MES·ERP 도입")], scorer)
    assert "주로 사무실에서 씁니다" in answer, answer
    assert answer.count("ERP(전사적자원관리):") == 1, answer  # shown with its label once: "ERP(…): 주로 …" or after it


def test_a_made_up_examples_rows_do_not_lead_over_the_rule(scorer: EmbeddingScorer) -> None:
    # "견적 비교 예시(가상)" is one made-up comparison: its "B사: 레퍼런스 2곳" is no rule
    hits = [
        _hit(0, "A사: 6,800만 원. 사출 레퍼런스 7곳. B사: 4,900만 원. 레퍼런스 2곳.", "견적 비교 예시(가상)",
             title="공급기업 선정"),
        _hit(1, "후보를 추린 뒤 레퍼런스 현장 1곳 이상을 직접 방문해 지금도 쓰고 있는지 묻습니다.", "선정 절차",
             title="공급기업 선정"),
    ]
    answer = _answer("레퍼런스 몇 곳 봐야 돼요?", hits, scorer)
    assert _first_line(answer).startswith("후보를 추린 뒤 레퍼런스 현장 1곳 이상"), answer


def test_an_effect_question_is_told_the_figure_that_moved(scorer: EmbeddingScorer) -> None:
    """"효과 있나요?" led by what the case says of itself gets, next, the row of the same case
    that says how a figure moved, however plainly the relevance model reads a row."""
    title = "멘토링 사례: 서울 아파트형 공장 봉제 업체의 작업 현황 공유"
    hits = [_hit(0, "작은 봉제 공장도 효과가 있습니다. 봉제 공장은 숙련 작업자의 손이 경쟁력입니다.", "교훈", title=title),
            _hit(1, "대표는 처음에 \"우리 같은 작은 봉제 공장에 스마트공장이 무슨 소용이냐\"며 반신반의했습니다. "
                    "외주 봉제 공장의 진행 상황을 사진과 함께 모바일로 공유했습니다.", "실행 내용", title=title),
            _hit(2, "납기 준수율 - 도입 전: 78%, 도입 후(6개월): 94%", "결과", title=title,
                 metadata={"table_header": "항목 | 도입 전 | 도입 후(6개월)"})]
    for question in ("우리도 봉제 공장인데 스마트공장 하면 효과 있나요?", "봉제 공장인데 납기 좀 좋아지나요? 줄어요?"):
        answer = _answer(question, hits, scorer)
        assert "94%" in answer, answer


def test_a_numbered_steps_name_is_read_with_its_items_and_never_answers_alone(scorer: EmbeddingScorer) -> None:
    """"2) 신청 (마감까지)" over "- … 올립니다." names a step: a question about one of its items is
    answered by the item, read under the step's name, not by the bare name."""
    title = "지원 신청 서류 목록"
    text = ("(4) 4대보험 가입자 명부\n- 신청일 기준 1개월 이내 발급분(예시)\n- 사업장 전체 인원이 나온 것\n"
            "(5) 국세 완납증명서\n- 발급 후 30일 이내(예시), 마감일 기준으로 계산")
    hits = [_hit(0, text, "공통 필수 서류", title=title)]
    answer = _answer("4대보험 명부 언제 뗀거까지 인정돼요?", hits, scorer)
    assert _first_line(answer).startswith("신청일 기준 1개월 이내"), answer
    assert "발급 후 30일" not in answer, answer  # the other document's item, told apart by its step
    # asked for the list, the documents are its items
    listed = _answer("신청할 때 내야 되는 서류 뭐뭐예요?", hits, scorer)
    assert "4대보험 가입자 명부" in listed and "국세 완납증명서" in listed, listed


def test_what_to_do_first_opens_with_the_first_of_the_steps(scorer: EmbeddingScorer) -> None:
    """"뭐부터 해야돼요?" is answered by the first of a case's numbered steps, though a lesson of
    the case from a higher chunk reads nearly as well; "시작했더니 …" asks no first step."""
    title = "멘토링 사례: 랜섬웨어로 MES·ERP가 멈춘 금속 가공 공장"
    hits = [_hit(0, "공급기업 유지보수 접속 방식을 꼭 확인하세요. 살길은 오프라인 백업뿐입니다.", "교훈", title=title),
            _hit(1, "1. 즉시 대응(1주): 감염 장비 네트워크 분리, 증거 보존, 한국인터넷진흥원(KISA) 신고.\n"
                    "2. 복구(2주): 오프라인 백업으로 서버를 새로 설치합니다.\n"
                    "3. 재발 방지(3개월): 원격접속 차단과 VPN, 계정 정리, 네트워크 분리.", "로드맵", title=title)]
    answer = _answer("랜섬웨어 걸렸는데 지금 당장 뭐부터 해야돼요?", hits, scorer)
    assert _first_line(answer).startswith("즉시 대응(1주)"), answer


def test_what_it_costs_is_answered_by_the_bills_total(scorer: EmbeddingScorer) -> None:
    """"얼마 들어요?" led by a row of a case's bill opens with the bill's total, not the state's part;
    a question about one item's cost keeps that item."""
    title = "멘토링 사례: 반찬 제조 공장의 HACCP 기록 전산화와 MES 도입"
    hits = [_hit(0, "구분 | 금액(예시) | 비율\n정부 지원 | 2,400만 원 | 50%\n기업 부담 | 2,400만 원 | 50%\n"
                    "총사업비 | 4,800만 원 | 100%", "비용", title=title),
            _hit(1, "온도센서 교정은 연 120만 원(예시)으로 따로 계약했습니다.", "실행 내용", title=title)]
    answer = _answer("반찬 공장 HACCP 기록 전산화 하면 얼마 들어요?", hits, scorer)
    assert _first_line(answer).startswith("총사업비"), answer
    item = _answer("온도센서 교정 비용은 1년에 얼마 들어요?", hits, scorer)
    assert _first_line(item).startswith("온도센서 교정은 연 120만 원"), item


def test_how_many_is_answered_by_a_count_of_what_was_asked(scorer: EmbeddingScorer) -> None:
    """"몇 명까지?" is answered by a number of people ("기업당 최대 2명"), not by the months of a
    condition ("채용 후 6개월 이상") that reads closer to the question; "몇 개" is any count."""
    title = "스마트공장 운영 인력 지원"
    hits = [_hit(0, "조건: 채용 후 6개월 이상 고용 유지, 4대보험 가입.\n지원 금액: 1인당 월 최대 150만 원, 최대 12개월\n"
                    "인원: 기업당 최대 2명", "채용 지원", title=title)]
    answer = _answer("채용지원 몇명까지 받을수있어요", hits, scorer)
    assert _first_line(answer).startswith("인원: 기업당 최대 2명"), answer
    places = [_hit(0, "전국 19곳의 지역 테크노파크에 스마트제조혁신센터가 있습니다. 센터는 2019년에 문을 열었습니다.",
                   "지역 창구", title="테크노파크와 혁신센터")]
    assert "19곳" in _first_line(_answer("테크노파크 전국에 몇개 있어요?", places, scorer))
    # the owner's own figure is no answer to the count asked
    target = [_hit(0, "처음 재면 70%대(예시)가 나오는 공장도 많습니다. 95% 이상을 목표로 차이 원인을 하나씩 없애 갑니다.",
                   "재고 정확도", title="재고 관리")]
    answer = _answer("처음 재보니 재고 맞는게 70프로밖에 안되는데 목표는 몇프로로 잡아요?", target, scorer)
    assert _first_line(answer).startswith("95% 이상을 목표로"), answer


def test_a_yes_keeps_the_but_of_its_passage(scorer: EmbeddingScorer) -> None:
    """"대출 받을 수 있나요?" led by the FAQ's yes is also told the sentence that limits it."""
    title = "스마트공장 지원사업 자주 묻는 질문"
    hits = [_hit(0, "Q18. 부담금이 부족한데 대출도 되나요?\n정책자금 융자를 활용할 수 있습니다. 선정 기업은 기준금리에서 "
                    "0.3%p 우대를 받아 연 1.85%(예시)로 빌릴 수 있습니다. 다만 정부 지원금으로 덮이는 금액에는 융자를 받을 수 "
                    "없습니다.", "구축 중", title=title),
            _hit(1, "정부 지원금은 총사업비의 50%와 단계별 한도 중 작은 금액입니다. 기업 부담은 총사업비의 50% 이상입니다.",
                 "비용 분담의 원칙", title="단계별 지원금액과 비용 분담")]
    answer = _answer("정부지원금 나오는 부분까지 포함해서 총사업비 전체를 대출 받을 수 있나요?", hits, scorer)
    assert "덮이는 금액에는 융자를 받을 수 없습니다" in answer, answer


def test_an_effect_question_led_by_a_guide_is_told_what_a_case_measured(scorer: EmbeddingScorer) -> None:
    """"예지보전 하면 고장 진짜 줄어요?" led by the guide's general line also gets a case's measured
    outcome; a figure that moved outside what came of a case (a programme's budget) does not count."""
    hits = [_hit(0, "값싸고 고장 나도 금방 바꾸는 설비는 사후보전이 맞고, 멈추면 라인 전체가 서는 핵심 설비에 예지보전을 씁니다. "
                    "예지보전이 만능은 아닙니다. 예지보전은 고장 직전에 필요한 만큼만 손을 대 고장을 줄입니다. "
                    "예지보전으로 고장을 줄이려면 멈추면 라인이 서는 핵심 설비부터 하세요.", "보전 방식 세 가지",
                 title="예지보전 시작하기"),
            _hit(1, "2020년 계획: 5,600개 지원, 예산은 전년 대비 22% 증가", "숫자로 보는 추진 경과", title="보급 사업 개요"),
            _hit(2, "연간 돌발 고장 - 도입 전: 9건, 도입 후(1년): 3건", "결과", title="멘토링 사례: 필름 코팅 라인의 예지보전",
                 metadata={"table_header": "항목 | 도입 전 | 도입 후(1년)"})]
    answer = _answer("예지보전 하면 고장 진짜 줄어요?", hits, scorer)
    assert "9건" in answer and "22%" not in answer, answer


def test_why_opens_with_the_line_naming_the_cause(scorer: EmbeddingScorer) -> None:
    """"원인이 뭘까요?" opens with "원인은 …" of the same guide when it reads nearly as well as the
    formula whose words the question shares more."""
    title = "재고 관리 기본"
    hits = [_hit(0, "재고 정확도 = 장부와 실물이 일치한 품목 수 ÷ 실사 품목 수 × 100\n"
                    "95% 이상을 목표로 차이 원인을 하나씩 없애 갑니다.", "재고 정확도", title=title),
            _hit(1, "실사는 장부(시스템) 재고와 실물 재고를 맞추는 일입니다. 장부와 실물이 다른 품목은 다시 셉니다.",
                 "재고 실사", title=title),
            _hit(2, "장부와 실물 재고가 자꾸 다르면 실사 주기를 줄이세요.", "재고 실사 주기", title=title),
            _hit(3, "원인은 대부분 기록 습관입니다. 급하게 꺼내 쓰고 출고 처리를 안 하는 식입니다.", "재고는 왜 늘 안 맞을까",
                 title=title)]
    answer = _answer("재고가 장부랑 실물이 자꾸 달라요 원인이 뭘까요", hits, scorer)
    assert _first_line(answer).startswith("원인은 대부분 기록 습관입니다"), answer


def test_an_faq_answer_told_as_one_plants_story_still_answers_its_question(scorer: EmbeddingScorer) -> None:
    hits = [
        _hit(0, "AI 비전 검사는 데이터가 먼저입니다. 이미지와 사람의 판정이 함께 쌓여 있어야 합니다. "
                "1단계(3개월): 검사 사진을 모두 보관하고 사람이 판정을 기록합니다. "
                "2단계(4개월): 쌓인 사진으로 AI 모델을 학습합니다.", "로드맵", title="AI 비전 검사 도입 사례"),
        _hit(1, "정답은 없지만 이 회사는 불량 유형마다 사람 판정 이미지가 쌓인 뒤 학습을 시작했습니다. "
                "두 달 동안 모은 약 6만 장 가운데 불량은 2천 장이었습니다.",
             "자주 묻는 질문 > 사진이 몇 장 있어야 AI 학습을 시작하나요?", title="AI 비전 검사 도입 사례"),
    ]
    answer = _answer("불량 사진 얼마나 모아야 AI 돌릴 수 있어요", hits, scorer)
    assert "6만 장" in _first_line(answer), answer


def test_a_price_is_read_off_its_list_with_the_item_the_owner_named(scorer: EmbeddingScorer) -> None:
    hits = [
        _hit(0, "고장 이력과 센서 데이터가 충분히 쌓인 뒤 AI 분석을 검토하세요. 기준값 대비 경보만으로도 상당한 효과를 봅니다.",
             "자주 묻는 질문 > 예지보전에 꼭 AI가 필요한가요?", title="예지보전 시작하기"),
        _hit(1, "- 게이트웨이: 1대 50만~150만 원(예시), 센서 여러 개를 묶어 받음\n- 무선 진동·온도 센서: 개당 30만~80만 원(예시)\n"
                "- 설비 1대에 센서 2~4개를 붙이는 경우가 많습니다.", "비용 감각(예시)", title="예지보전 시작하기"),
    ]
    answer = _answer("예지보전 센서 값 대충 얼마에요", hits, scorer)
    # led by the gateway's price (it names 센서 too), the sensor's own price comes with it
    assert "50만~150만 원" in _first_line(answer) and "30만~80만 원" in answer, answer


def test_the_project_cost_asked_by_name_is_answered_by_the_bills_total(scorer: EmbeddingScorer) -> None:
    hits = [
        _hit(0, "고도화1 한도(최대 1억 5,000만 원, 예시) 안에서 창고 자동화는 빼고 추적과 칭량에 집중했습니다.\n"
                "- 총사업비: 1억 2,000만 원\n- 정부 지원(50%): 6,000만 원\n- 기업 부담(50%): 6,000만 원",
             "비용", title="멘토링 사례: 화장품 공장의 로트 추적"),
        _hit(1, "로트 역추적 시간 - 도입 전: 약 3일, 도입 후(9개월): 10분", "결과", title="멘토링 사례: 화장품 공장의 로트 추적"),
    ]
    answer = _answer("화장품 공장 로트추적 고도화1로 했을 때 사업비 얼마였어요?", hits, scorer)
    assert _first_line(answer).startswith("총사업비: 1억 2,000만 원"), answer


def test_the_owners_own_problem_is_not_told_back_as_a_supporting_line(scorer: EmbeddingScorer) -> None:
    title = "멘토링 사례: ERP와 MES 재고 맞추기"
    hits = [
        _hit(0, "ERP와 MES를 다른 회사에서 살 때는 계약 전에 연동 범위와 책임자를 정하세요.", "교훈", title=title),
        _hit(1, "ERP 재고와 MES 재고가 서로 달라 어느 숫자가 맞는지 아무도 몰랐습니다.", "상황", title=title),
        _hit(2, "재고 기준: 창고 재고는 ERP, 공정 중 재공은 MES가 관리하고, 매일 밤 차이를 비교하는 보고서를 만들었습니다.",
             "실행 내용", title=title),
    ]
    answer = _answer("erp 재고랑 mes 재고가 서로 안맞아요 어느게 맞는건지 모르겠음", hits, scorer)
    assert "아무도 몰랐습니다" not in answer, answer


def test_an_amount_asked_by_the_month_is_not_answered_by_a_cap(scorer: EmbeddingScorer) -> None:
    hits = [
        _hit(0, "지원받은 구독 기간(최대 2년)이 끝난 뒤 남은 기간에는 회사 돈으로 구독을 이어 가야 합니다. "
                "다른 클라우드 서비스로 옮기려면 먼저 승인을 받으세요.", "사후관리와 구독 유지", title="클라우드 MES 지원 트랙"),
        _hit(1, "- 정부 지원 한도: 기업당 최대 2,000만 원\n- 비용 분담: 정부 50% / 기업 50%", "지원 내용(예시)",
             title="클라우드 MES 지원 트랙"),
    ]
    answer = _answer("클라우드 MES 구독 2년 지원 끝나면 한달에 얼마 내야돼요", hits, scorer)
    assert "2,000만 원" not in _first_line(answer), answer  # a cap is no monthly fee


def test_a_rule_defined_by_its_list_is_answered_with_the_list(scorer: EmbeddingScorer) -> None:
    hits = [_hit(0, "- 사본 3개: 원본 외에 백업 2개\n- 매체 2종류: 예를 들어 NAS와 외장 하드\n"
                    "- 1개는 다른 장소: 사무실 금고, 본사, 또는 클라우드\n"
                    "- 복구해 본 적 없는 백업은 없는 것과 같습니다.", "4. 백업: 3-2-1 원칙", title="작은 공장의 보안")]
    answer = _answer("백업 3-2-1 원칙이 뭐에요", hits, scorer)
    assert answer.startswith("백업: 3-2-1 원칙"), answer
    assert "매체 2종류" in answer and "1개는 다른 장소" in answer, answer


def test_a_cost_is_led_by_the_bills_total_not_by_the_grant_row_that_holds_an_amount(scorer: EmbeddingScorer) -> None:
    title = "멘토링 사례: 인천 사출성형 공장의 성형 조건 관리"
    hits = [
        _hit(0, "- 공급기업: 사출기 제조사별 통신 방식을 이미 다뤄 본 곳인지가 선정 기준이었습니다.\n"
                "- 사출기 19대의 성형 조건과 사이클 타임을 모니터링합니다.", "실행 내용", title=title),
        _hit(1, "구분 | 금액(예시)\n총사업비 | 4,700만 원\n정부 지원(50%) | 2,350만 원\n기업 부담(50%) | 2,350만 원",
             "비용", title=title),
    ]
    answer = _answer("사출기 6대에 모니터링만 달면 대충 얼마 들어요", hits, scorer)
    assert "4,700만 원" in _first_line(answer), answer
