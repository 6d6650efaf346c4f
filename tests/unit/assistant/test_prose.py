"""Chunk text as clean answer units: what a reader of the answer would otherwise trip over."""

from __future__ import annotations

import pytest

from assistant.answers import prose
from assistant.answers.question_types import QType, asks_about_cautions, asks_money, fit, question_type
from assistant.korean import noun_phrases, sentences_of_chunk


def _units(text: str, **carried: str) -> list[prose.Unit]:
    return prose.units_of_chunk(text, sentences_of_chunk(text), **carried)


def test_table_rows_become_label_value_prose_with_header_names() -> None:
    text = "구분 | 금액(예시)\n총사업비 | 5,000만 원\n정부 지원(50%) | 2,500만 원"
    units = _units(text)
    assert [u.text for u in units] == ["총사업비: 5,000만 원", "정부 지원(50%): 2,500만 원"]
    wide = _units("항목 | 도입 전 | 도입 후(8개월)\n납품 불량 | 850 PPM | 320 PPM")
    assert wide[0].text == "납품 불량 - 도입 전: 850 PPM, 도입 후(8개월): 320 PPM"
    assert all("|" not in u.text for u in units + wide)


def test_a_chunk_cut_mid_table_uses_the_carried_header() -> None:
    units = _units("고도화1 | 수준3 | 최대 1억 5,000만 원", table_header="지원 단계 | 목표 수준 | 정부 지원 한도")
    assert units[0].text == "고도화1 - 목표 수준: 수준3, 정부 지원 한도: 최대 1억 5,000만 원"


@pytest.mark.parametrize("line", ["□ (1) 사업 신청서", "☑ 사업 신청서", "✔ 사업 신청서", "• 사업 신청서",
                                  "① 사업 신청서", "- 사업 신청서", "▢ 사업 신청서", "◻ 1. 사업 신청서",
                                  "- [ ] 사업 신청서", "- [x] 사업 신청서"])
def test_checkboxes_bullets_and_numbering_go(line: str) -> None:
    assert prose.strip_markers(line) == "사업 신청서"


def test_inline_sections_and_list_runs() -> None:
    text = "■ 1. 공통 필수 서류\n□ (1) 사업 신청서\n- 대표자 서명\n□ (2) 사업계획서\n[자격]\n□ 체납이 없다"
    units = _units(text)
    by_text = {u.text: u for u in units}
    assert by_text["사업 신청서"].section == "공통 필수 서류"
    assert by_text["사업 신청서"].run == by_text["사업계획서"].run  # a deeper "-" line does not end the list
    assert by_text["대표자 서명"].kind == "sentence"
    assert by_text["체납이 없다"].section == "자격" and by_text["체납이 없다"].run != by_text["사업계획서"].run


def test_headings_that_give_lines_a_meaning() -> None:
    assert prose.caution_label("절대 하면 안 되는 것: 부담금 대납과 되돌려받기") == "하면 안 되는 것"
    assert prose.caution_label("반려 사유 TOP 6(예시)") == "반려 사유"
    assert prose.caution_label("흔한 실수") == "흔한 실수"
    assert prose.caution_label("현금과 현물") is None
    assert prose.needs_label("현물 인건비를 실제보다 부풀려 적는 것", "하면 안 되는 것")
    assert not prose.needs_label("인정되지 않는 예: 대표이사 인건비 전액", "인정되지 않는 것")
    # what not doing it brings is the label's to say
    assert prose.needs_label("정당한 이유 없이 성과 보고를 2회 이상 내지 않은 경우", "환수 사유")
    assert not prose.needs_label("보완 서류를 기한까지 내지 않은 경우", "반려 사유", own_label="서류 미비")
    assert not prose.needs_label("반려: 서류나 자격 문제로 평가를 받지 않은 경우", "반려 사유")


def test_complaints_and_quotes_are_recognised() -> None:
    assert prose.is_complaint("적정 가격이 얼마인지, 기업 부담금이 얼마인지 헷갈린다.")
    assert prose.is_complaint("시스템을 운영할 전담 인력이 없다.", "사장님들이 자주 막히는 지점")
    assert not prose.is_complaint("휴업·폐업 상태가 아니다")
    assert not prose.is_complaint("기업 부담금의 30% 이상이어야 합니다.")
    assert prose.is_quoted_speech('"부담금은 저희가 알아서 처리해 드릴게요"라고 했습니다.')
    assert not prose.is_quoted_speech('사장님들이 가장 많이 놓치는 부분은 "현금 30%" 조건입니다.')


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("기업 부담금은 얼마인가요?", QType.how_much),
        ("2차 마감이 언제예요?", QType.when),
        ("신청 서류 뭐 챙겨야 돼요?", QType.list),
        ("절차가 어떻게 돼요?", QType.list),
        ("왜 떨어졌을까요?", QType.why),
        ("수준확인은 어디서 받아요?", QType.where),
        ("직원 7명도 신청할 수 있나요?", QType.yes_no),
        ("OEE는 어떻게 계산하나요?", QType.how),
        ("지방비 매칭이 뭐예요", QType.what),
        ("제출 서류 목록 알려주세요", QType.list),
        ("신청할 때 무슨 서류 내야 돼요?", QType.list),  # which documents: the list of them
        ("어느 자료가 맞아요?", QType.what),  # which one, not whether: no list of 자료 either
        ("최종점검 때 뭐 보는지 알려주세요", QType.list),  # what they look at: the things, one by one
        ("현장평가 때 뭐 물어봐요?", QType.list),
        ("특화 업종 목록에 없으면 지원 못 받나요?", QType.yes_no),  # whether it is on the list, not the list
        ("사후관리 하려면 전담자 꼭 있어야 돼요?", QType.yes_no),  # "하려면" on the way does not make it a how
        ("협약하면 바로 돈 나오는 거예요?", QType.yes_no),
        ("협약하면 돈은 언제 나오는 거예요?", QType.when),
        ("선정되면 구축은 몇달안에 끝내야 되요?", QType.when),  # "몇달" asks a duration, not yes or no
        ("그럼 현물로 낼 수 있는 건 뭐가 있어요?", QType.list),  # what there is: its instances, not a yes
        ("부담금이 부족한데 마련할 방법 뭐가 있어요?", QType.list),
        ("구축 끝나고 3년 동안 뭘 해야 돼요?", QType.how),  # what to do, not whether it must be done
        ("MES 깔고 나서 현장이 안 쓰면 어떡해요?", QType.how),
        ("ERP는 A사꺼 쓰고 MES는 B사꺼 들이려는데 연동할때 뭘 조심해야 돼요?", QType.how),
        # a question word in the last clause asks what, whatever the ending; not one in a clause before
        ("나중에 업체 없어질때 대비해서 계약서에 뭐 넣어야돼요", QType.what),
        ("체납이 몇십만원밖에 안되는데 그래도 안돼요?", QType.yes_no),
        ("사업계획서 몇페이지 정도 써야돼요?", QType.how_much),
        ("AI로 불량 예측 하려면 데이터가 어느정도 쌓여있어야 돼요?", QType.how_much),
        ("공장은 김해고 본사는 부산인데 어느 테크노파크에 신청해야되요?", QType.where),
        ("총사업비에 어떤 걸 넣을 수 있어요?", QType.list),
        ("목표는 어떤식으로 적어야 돼요?", QType.how),
        ("프레스가 12대인데 어느 기계부터 센서 붙여야돼요?", QType.how),
        ("예지보전 센서는 어떤 설비부터 달아요?", QType.how),
        # owners drop the question mark: the ending still asks whether it is so
        ("랜섬웨어 돈 주면 풀어주긴 하나요", QType.yes_no),
        ("최종점검때 운영 데이터 며칠치 있어야 돼요", QType.when),  # 며칠 asks how many days
        ("직원 7명 소규모 공장도 스마트공장 지원 됩니까", QType.yes_no),  # the formal ending asks it too
        ("공급기업 바꿔야 할까요? 제안서가 좀 이상해서요", QType.yes_no),  # the reason after the question asks nothing
        ("OEE 계산 어떻게 하는거에요? 실제 공장 숫자로 예 좀 들어주세요", QType.how),
        ("신청했는데 떨어졌어요? 왜요", QType.why),
        ("그 회사랑 같이 지원사업 해도 괜찮아요?", QType.yes_no),
    ],
)
def test_question_types(question: str, qtype: QType) -> None:
    assert question_type(question) == qtype


@pytest.mark.parametrize(("question", "cautions"), [
    ("그거 안 내면 어떻게 돼요?", True), ("목표 불량률 못 맞추면요?", True), ("보고 기한 지키지 않으면 문제 돼요?", True),
    ("성과보고는 언제 내요?", False), ("안전하게 하려면 뭐부터 해요?", False),
])
def test_what_goes_wrong_if_it_is_not_done_is_a_question_about_cautions(question: str, cautions: bool) -> None:
    assert asks_about_cautions(question) == cautions


def test_an_amount_fits_a_how_much_question_and_a_date_a_when_question() -> None:
    assert fit(QType.how_much, "현금은 기업 부담금의 30% 이상이어야 합니다.") == 1.0
    assert fit(QType.how_much, "현금은 사업 전용 계좌에 입금합니다.") == 0.0
    assert fit(QType.when, "협약 체결 후 14일 이내에 입금합니다.") == 1.0
    assert fit(QType.when, "신청서 제출: 융자 신청서, 사업계획서, 재무제표 3년치") == 0.0  # years' worth, not a time
    # what something costs is a sum; a share answers what one pays of it, not what it costs
    assert fit(QType.how_much, "설비 가동률 - 도입 전(실측): 41%, 도입 후(6개월): 55%", money=True, cost=True) == 0.0
    assert fit(QType.how_much, "전류 센서 + 소형 게이트웨이: 설비 1대당 50만~150만 원(예시)", money=True, cost=True) == 1.0
    assert fit(QType.how_much, "기본은 기업 부담 50%입니다.", money=True) == 1.0
    # figures written with Korean units of ten thousand and more
    assert fit(QType.how_much, "목표: 2022년까지 중소기업 3만 개에 스마트공장 보급") == 1.0
    assert fit(QType.how_much, "석 달 동안 모은 약 18만 장 중 실제 불량은 수천 장이었습니다.") == 1.0
    assert fit(QType.how_much, "총사업비 5천만 원이면 기업 부담은 절반입니다.", money=True) == 1.0
    assert fit(QType.how_much, "우선 대상: 상시 근로자 50인 미만 소기업") == 1.0
    # "꼭 있어야 돼요?" is answered by whether it is required
    assert fit(QType.yes_no, "고도화1·고도화2는 현재 수준을 증빙하는 수준확인 확인서가 필요합니다(예시).") == 1.0


def test_a_money_question_is_answered_by_a_sum_not_by_a_count_or_a_duration() -> None:
    row = "구축 기간 - 클라우드형 트랙: 2~4개월, 일반 기초 과제: 최대 6개월"
    assert asks_money("What is the support limit of the cloud MES track?") and asks_money("우리 돈은 얼마 들어요?")
    assert not asks_money("입력률이 얼마나 올랐어요?")
    assert fit(QType.how_much, row, money=True) == 0.0
    assert fit(QType.how_much, "정부 지원 한도 - 클라우드형 트랙: 최대 2,000만 원", money=True) == 1.0
    assert fit(QType.how_much, "고객 유출 불량 - 도입 전: 420 PPM, 도입 후: 90 PPM") == 1.0


def test_noun_phrases_keep_the_users_own_words() -> None:
    phrases = dict(noun_phrases("정책자금 대출이 까다로운데요"))
    assert "정책자금" in phrases and phrases["정책자금"] == ["정책", "자금"]
    assert all(not surface.endswith("다") for surface in phrases)


def test_an_example_line_is_not_a_list_item() -> None:
    units = _units("예) 기초 과제, 총사업비 1억 원\n- 국비 5,000만 원 / 기업 5,000만 원")
    assert [u.text for u in units] == ["국비 5,000만 원 / 기업 5,000만 원"]
    assert units[0].section == "예) 기초 과제, 총사업비 1억 원"


def test_file_references_go_and_a_pointer_to_a_file_is_no_line() -> None:
    text = ("고도화는 수준확인 확인서가 필요합니다(예시). 자세한 내용은 level-check-link.md를 참고하세요.\n"
            "1. 정책자금 융자: 선정 기업은 금리 우대를 받을 수 있습니다(policy-loans.md).\n"
            "2. 현재 수준 파악: 역량강화 컨설팅 또는 수준확인 (capability-consulting.md, level-check-link.md)\n"
            "3. 사업계획서 작성과 서류 준비 (business-plan-guide.md, 제출 서류 체크리스트)")
    assert [u.text for u in _units(text)] == [
        "고도화는 수준확인 확인서가 필요합니다(예시).",  # an owner cannot open level-check-link.md
        "정책자금 융자: 선정 기업은 금리 우대를 받을 수 있습니다.",
        "현재 수준 파악: 역량강화 컨설팅 또는 수준확인",
        "사업계획서 작성과 서류 준비 (제출 서류 체크리스트)",
    ]


def test_a_paragraph_after_a_headed_list_is_no_longer_under_the_heading() -> None:
    text = ("넣을 수 없는 것(예시)\n- 단순 생산설비 구매(프레스, 사출기 자체 등), 건물 공사, 토지\n- 부가가치세\n"
            "하드웨어는 총사업비의 50% 이내로 구성하도록 권고합니다(예시).")
    by_text = {u.text: u for u in _units(text)}
    assert prose.caution_label(by_text["부가가치세"].section) == "넣을 수 없는 것"
    assert by_text["하드웨어는 총사업비의 50% 이내로 구성하도록 권고합니다(예시)."].section is None


def test_an_faq_answer_is_under_its_question() -> None:
    text = ("Q. 고객사마다 원하는 로트 번호 규칙이 다른데요?\n"
            "내부 관리 번호 하나로 추적합니다. 고객사별 표기는 출력할 때 바꿔 찍습니다.\n"
            "**Q. 우리 업종이 목록에 없으면요?**\n"
            "A. 일반 보급 사업은 업종 제한 없이 신청할 수 있습니다.")
    by_text = {u.text: u for u in _units(text.replace("**", ""))}
    assert by_text["고객사별 표기는 출력할 때 바꿔 찍습니다."].section == "고객사마다 원하는 로트 번호 규칙이 다른데요?"
    answer = by_text["일반 보급 사업은 업종 제한 없이 신청할 수 있습니다."]
    assert answer.kind == "sentence" and answer.section == "우리 업종이 목록에 없으면요?"  # "A." is no list of one


def test_a_formula_in_words_is_a_line_even_as_a_heading() -> None:
    assert prose.states_formula("발주점 = 평균 일사용량 × 평균 조달기간 + 안전재고")
    assert prose.states_formula("OEE는 가동률 × 성능효율 × 양품률로 구합니다.")
    assert not prose.states_formula("OEE = 0.833 × 0.800 × 0.970 ≈ 64.7%")  # one worked example's figures
    assert not prose.states_formula("세 가지를 곱해서 구합니다.")  # says no rule without the line above
    units = _units("OEE = 가동률 × 성능효율 × 양품률\n- 가동률: 설비가 서 있었던 시간을 뺀 비율\n- 양품률: 불량을 뺀 비율")
    assert units[0].text == "OEE = 가동률 × 성능효율 × 양품률" and units[0].kind == "sentence"
    assert [u.section for u in units[1:]] == ["OEE = 가동률 × 성능효율 × 양품률"] * 2
