"""Owners' figures from their own numbers: result first, formula with the numbers, the
rule's document cited; a missing input is asked for by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answers.calculators import calculate
from assistant.answers.calculators import subsidy as rules
from assistant.answers.calculators.numbers import quantities

KNOWLEDGE = Path(__file__).resolve().parents[4] / "knowledge"


def test_oee_from_load_time_cycle_and_good_parts() -> None:
    calc = calculate("부하시간 450분, 사이클 30초, 양품 582개면 OEE 얼마예요?")
    assert calc is not None and calc.sources == ["policies/oee.md"] and not calc.missing
    assert calc.lines[0] == "OEE(설비종합효율)는 64.7%입니다 [1]."
    assert "582개 × 사이클 타임 30초 ÷ 부하시간 450분 = 291 ÷ 450 = 64.7%" in calc.text
    assert "정지시간과 총 생산량" in calc.text  # what it would need for the three parts


def test_oee_and_its_three_parts() -> None:
    calc = calculate("근무시간 480분, 계획 정지 30분, 비가동 75분, 사이클타임 30초, 생산량 600개 중 불량 18개. OEE는?")
    assert calc is not None and calc.lines[0].startswith("OEE(설비종합효율)는 64.7%")
    assert "가동률 = 가동시간 375분 ÷ 부하시간 450분 = 83.3%" in calc.text
    assert "성능가동률 = 사이클 타임 30초 × 생산량 600개 ÷ 가동시간 375분 = 80.0%" in calc.text
    assert "양품률 = 양품 582개 ÷ 생산량 600개 = 97.0%" in calc.text


def test_oee_in_an_owners_words() -> None:
    calc = calculate("근무 8시간 중에 점심 1시간 빼고, 고장으로 40분 섰고, 사이클 타임 20초, 하루 1,100개 만들어서 "
                     "불량 22개 나왔어요. OEE 얼마예요?")
    assert calc is not None and not calc.missing
    # 1,078 good x 1/3 min / 420 min; parts 90.5% x 96.5% x 98.0%
    assert calc.lines[0] == "OEE(설비종합효율)는 85.6%입니다 [1]."
    assert "가동률 = 가동시간 380분 ÷ 부하시간 420분 = 90.5%" in calc.text
    assert "양품률 = 양품 1,078개 ÷ 생산량 1,100개 = 98.0%" in calc.text


def test_availability_alone_and_what_oee_still_needs() -> None:
    calc = calculate("가동률 계산해 주세요. 부하시간 8시간, 정지 1시간")
    assert calc is not None and "가동률 = 가동시간 420분 ÷ 부하시간 480분 = 87.5%" in calc.text
    assert calc.missing == ["이론 사이클 타임", "양품 수"]


def test_availability_from_the_planned_time_an_owner_names() -> None:
    calc = calculate("지난달 계획시간 9600분에 고장으로 1200분 섰어요 가동률 얼마예요?")
    assert calc is not None and calc.text.startswith("가동률은 87.5%입니다")
    assert "가동률 = 가동시간 8400분 ÷ 부하시간 9600분 = 87.5%" in calc.text


def test_oee_asks_for_exactly_the_missing_inputs() -> None:
    calc = calculate("OEE 계산해 주세요. 양품 582개예요")
    assert calc is not None and calc.missing == ["부하시간(분)", "이론 사이클 타임"]
    assert calc.lines[0] == "OEE를 계산하려면 부하시간(분), 이론 사이클 타임을 알려 주세요."
    assert "[1]" in calc.text


def test_ppm_and_defect_rate() -> None:
    calc = calculate("한 달에 5만 개 납품했는데 35개 불량이면 PPM이 얼마예요?")
    assert calc is not None and calc.lines[0] == "PPM은 700 PPM입니다 (불량률 0.07%) [1]."
    assert calc.sources == ["policies/quality-defect-records.md"]
    assert calculate("PPM 계산 좀, 불량 12개") is not None and calculate("PPM 계산 좀, 불량 12개").missing


def test_good_and_defective_counts_add_up_to_what_was_made() -> None:
    # 950 good and 50 defective: 1,000 made, so 5%, not 50 of 950; the rate asked for comes first
    calc = calculate("양품 950개 불량 50개면 불량률 몇 프로예요?")
    assert calc is not None and calc.lines[0] == "불량률은 5%입니다 (50,000 PPM) [1]."
    assert "- 불량률 = 불량 50개 ÷ 총 1,000개 × 100 = 5%" in calc.lines


def test_what_monitoring_costs_is_no_plant_figure() -> None:
    # "8대" and "가동률" are in it, but it asks what the monitoring costs, not the availability
    assert calculate("CNC 8대 있는 가공공장인데 설비 가동률 모니터링만 하고 싶어요. 얼마나 들어요?") is None
    assert calculate("부하시간 450분, 사이클 30초, 양품 582개면 OEE 몇 프로예요?") is not None


def test_inventory_accuracy() -> None:
    calc = calculate("실사 200품목 중에 장부랑 실물이 일치한 게 184개면 재고 정확도는?")
    assert calc is not None and calc.lines[0] == "재고 정확도는 92.0%입니다 [1]."
    wrong = calculate("재고 정확도 알려줘. 실사 250개 품목, 틀린 품목 10개")
    assert wrong is not None and wrong.lines[0] == "재고 정확도는 96.0%입니다 [1]."
    owner = calculate("재고 실사 150품목 했는데 장부랑 안 맞는 게 12개였어요. 재고 정확도 몇 %예요?")
    assert owner is not None and owner.lines[0] == "재고 정확도는 92.0%입니다 [1]."  # 12 are the wrong ones


@pytest.mark.parametrize(
    ("text", "share", "matching"),
    [
        ("대구, 총사업비 6천만원이면 기업 부담금 얼마예요?", "2,580만 원", "420만 원"),
        ("경기도 고도화1 총사업비 3억이면 우리가 내는 돈은?", "1억 4,000만 원", "1,000만 원"),  # capped
        ("부산 공장 기초 과제 총사업비 1억 원 부담금은?", "4,500만 원", "500만 원"),
        ("기초 과제 총사업비 1억 2천이면 자부담이 얼마죠", "7,000만 원", None),  # stage cap
        ("고도화2 총사업비 5억 원 기업 부담금", "3억 원", None),
    ],
)
def test_company_share_matches_the_documents_examples(text: str, share: str, matching: str | None) -> None:
    calc = calculate(text)
    assert calc is not None
    assert calc.lines[0].startswith(f"기업 부담금은 {share}입니다")
    if matching:
        assert "subsidies/regional-matching.md" in calc.sources and f"→ {matching} [2]" in calc.text
    else:
        assert calc.sources == ["subsidies/support-levels.md", "subsidies/company-share.md"]
    assert "현금은 최소" in calc.text


def test_company_share_without_the_total_asks_for_it() -> None:
    # no amount at all: no total is made up; the region's matching rule is looked up instead
    looked_up = calculate("대구 공장인데 지방비 매칭 받으면 부담금 얼마나 줄어요? 직원 30명이에요")
    assert looked_up is not None and looked_up.topic == "지방비 매칭" and "×" not in looked_up.text
    assert "50%에서 43%로" in looked_up.text
    # an amount that is not the total is left to the sources, never taken for the total
    assert calculate("8천만원짜리 과제에서 300만원짜리 현황판을 안 달았는데 정부지원금은 얼마로 줄어요") is None
    assert calculate("기초로 5천만원 꽉 채워 받으려면 총사업비를 얼마로 잡아야돼요?") is None
    asked = calculate("부담금 계산해 주세요 견적은 1억이에요")
    assert asked is not None and asked.lines[0].startswith("기업 부담금은 5,000만 원")


def test_availability_in_an_owners_words() -> None:
    calc = calculate("근무 480분에 조회 청소 30분, 고장이랑 금형교체로 75분 섰으면 가동률 몇%에요?")
    assert calc is not None and calc.lines[0] == "가동률은 83.3%입니다 [1]."
    assert "부하시간 450분" in calc.text
    assert calculate("20년 넘은 범용선반밖에 없는데 가동률 같은거 재볼수 있어요?") is None


def test_a_known_company_share_gives_its_cash_part_not_a_new_total() -> None:
    calc = calculate("우리 자부담 2천만원인데 그중에 현금은 최소 얼마 넣어야 해요?")
    assert calc is not None and calc.lines[0] == "현금은 최소 600만 원입니다 (기업 부담금 2,000만 원의 30%) [1]."
    assert "1,400만 원까지는" in calc.text and "총사업비" not in calc.lines[0]
    total_named = calculate("총사업비 1억인데 기업 부담금은 얼마?")
    assert total_named is not None and total_named.lines[0].startswith("기업 부담금은 5,000만 원")


def test_availability_when_the_stops_are_part_of_the_time_given() -> None:
    calc = calculate("계획정지 빼고 가동시간 400분 중에 비가동 50분이면 가동률 몇이에요?")
    assert calc is not None and calc.lines[0] == "가동률은 87.5%입니다 [1]."
    assert "가동시간 350분 ÷ 부하시간 400분" in calc.text


def test_inventory_accuracy_in_an_owners_words() -> None:
    calc = calculate("재고 실사하면 정확도는 어떻게 계산해요? 장부 500개 중에 470개 맞았어요")
    assert calc is not None and calc.lines[0] == "재고 정확도는 94.0%입니다 [1]."


def test_loan_interest_default_and_given_rate() -> None:
    calc = calculate("부담금 3,000만 원을 정책자금으로 빌리면 이자 얼마나 나와요?")
    assert calc is not None and calc.lines[0] == "연 이자는 약 55만 5,000원입니다 (원금 3,000만 원, 연 1.85%) [1]."
    assert "우대 금리 연 1.85%" in calc.text
    given = calculate("운전자금 5천만원 금리 2.15%면 이자는?")
    assert given is not None and given.lines[0].startswith("연 이자는 약 107만 5,000원")


def test_questions_without_numbers_are_left_to_the_sources() -> None:
    assert calculate("OEE는 어떻게 계산하나요?") is None
    assert calculate("기업 부담금은 얼마인가요?") is None
    assert calculate("직원 30명 식품공장 MES 업체 추천해 주세요") is None


def test_the_figures_are_the_ones_the_knowledge_states() -> None:
    levels = (KNOWLEDGE / "subsidies/support-levels.md").read_text(encoding="utf-8")
    for stage, cap in rules.STAGE_CAPS.items():
        manwon = int(cap) // 10_000
        written = f"{manwon // 10_000}억 {manwon % 10_000:,}만 원" if manwon >= 10_000 and manwon % 10_000 else (
            f"{manwon // 10_000}억 원" if manwon >= 10_000 else f"{manwon:,}만 원")
        assert re.search(rf"\| {stage} \|[^|]*\| 최대 {written} \|", levels), stage
    regional = (KNOWLEDGE / "subsidies/regional-matching.md").read_text(encoding="utf-8")
    for region, (points, cap) in rules.REGIONAL_MATCHING.items():
        block = regional.split(f"{region}(예시)")[1].split("(예시)\n")[0]
        assert f"{int(points)}%p" in block and f"최대 {int(cap) // 10_000:,}만 원" in block, region
    share = (KNOWLEDGE / "subsidies/company-share.md").read_text(encoding="utf-8")
    assert "기업 부담금의 30% 이상" in share and "정부 50%, 기업 50%" in share
    loans = (KNOWLEDGE / "subsidies/policy-loans.md").read_text(encoding="utf-8")
    assert f"연 {rules.LOAN_BASE_RATE}%" in loans and f"연 {rules.LOAN_SELECTED_RATE}%" in loans
    assert f"수준 3 이상 기업: 추가 {rules.LOAN_LEVEL_DISCOUNT}%p" in loans
    assert "월 급여 × 과제 참여율 × 참여 개월 수" in share
    win_win = (KNOWLEDGE / rules.WIN_WIN_DOC).read_text(encoding="utf-8")
    state, large, own = (int(share * 100) for share in rules.WIN_WIN_SHARES)
    assert f"정부 {state}% / 대기업 {large}% / 중소기업 {own}%" in win_win
    assert f"총사업비 한도: 기업당 최대 {int(rules.WIN_WIN_CAP) // 100_000_000}억 원" in win_win


def test_every_stop_the_owner_lists_is_subtracted() -> None:
    calc = calculate("부하시간 500분 중에 고장 40분, 금형 교체 60분 섰으면 가동률이 몇 %에요?")
    assert calc is not None and calc.lines[0] == "가동률은 80.0%입니다 [1]."
    assert "가동시간 400분 ÷ 부하시간 500분" in calc.text


def test_performance_from_a_cycle_time_and_the_minutes_it_ran() -> None:
    calc = calculate("이론 사이클이 20초인 설비가 400분 돌면서 1,000개 만들었어요. 성능효율 얼마 나와요?")
    assert calc is not None and calc.lines[0] == "성능가동률은 83.3%입니다 [1]."
    assert "부하시간(분)" in calc.lines[-1]  # what OEE still needs


def test_inventory_accuracy_says_whether_the_target_is_met() -> None:
    met = calculate("순환실사로 400품목 셌고 382개가 장부랑 일치했어요. 재고정확도 목표는 넘은 건가요?")
    assert met is not None and met.lines[0] == "재고 정확도는 95.5%입니다 [1]."
    assert "넘었습니다" in met.text
    short = calculate("재고 정확도 계산해 주세요. 장부 500개 중에 470개 맞았어요")
    assert short is not None and "밑돕니다" in short.text


def test_loan_interest_with_the_level_check_discount() -> None:
    calc = calculate("지원사업 선정됐고 수준확인도 3단계 받았어요. 시설자금 2억 빌리면 1년 이자가 어떻게 돼요?")
    assert calc is not None and calc.lines[0] == "연 이자는 약 330만 원입니다 (원금 2억 원, 연 1.65%) [1]."
    lower = calculate("수준 2단계인데 1억 융자 이자는?")
    assert lower is not None and "연 1.85%" in lower.lines[0]


def test_in_kind_labour_from_pay_share_and_months() -> None:
    calc = calculate("생산관리 과장 월급 300만원이고 과제에 40% 참여로 8개월 넣으면 현물 인건비 얼마로 잡혀요?")
    assert calc is not None and calc.sources == ["subsidies/company-share.md"]
    assert calc.lines[0] == "현물 인건비로 960만 원을 잡을 수 있습니다 [1]."
    yearly = calculate("연봉 4800만원 직원 50% 참여 6개월이면 인건비 얼마 인정돼요?")
    assert yearly is not None and "1,200만 원" in yearly.lines[0]
    asked = calculate("월급 300만원 직원 30% 참여면 인건비 얼마?")
    assert asked is not None and asked.missing == ["참여 개월 수"]
    assert calculate("월급 250만원 직원 인건비도 현물로 넣을 수 있어요?") is None  # a yes/no for the sources


def test_owners_other_words_for_stops_runs_counts_and_labour() -> None:
    stops = calculate("프레스 부하시간 480분에 금형교체 35분, 자재대기 25분 섰어요. 가동률 얼마예요?")
    assert stops is not None and stops.lines[0] == "가동률은 87.5%입니다 [1]."
    ran = calculate("사이클 45초짜리 설비로 420분 돌려서 500개 뽑았는데 성능가동률은 얼마 나와요?")
    assert ran is not None and ran.lines[0] == "성능가동률은 89.3%입니다 [1]."
    counted = calculate("창고 재고 250품목 세어봤는데 장부랑 안맞는게 20개예요. 정확도 몇 % 나와요?")
    assert counted is not None and counted.lines[0] == "재고 정확도는 92.0%입니다 [1]."
    labour = calculate("품질팀 대리 월급 320만원인데 과제에 30%로 10개월 넣을 거예요. 현물로 얼마 인정돼요?")
    assert labour is not None and labour.lines[0] == "현물 인건비로 960만 원을 잡을 수 있습니다 [1]."
    share = calculate("월급 300만원 직원 10명인데 총사업비 1억이면 부담금 얼마?")  # not a labour question
    assert share is not None and share.lines[0].startswith("기업 부담금은 5,000만 원")


def test_oee_asks_only_for_what_it_still_lacks_to_split_the_parts() -> None:
    calc = calculate("부하시간 450분, 사이클 40초, 양품 540개, 불량 20개면 OEE랑 양품률 알려줘요")
    assert calc is not None and calc.lines[0] == "OEE(설비종합효율)는 80.0%입니다 [1]."
    assert "양품률 = 양품 540개 ÷ 생산량 560개 = 96.4%" in calc.text
    assert calc.lines[-1] == "가동률·성능가동률·양품률을 나눠 보려면 정지시간도 알려 주세요."


def test_ppm_from_a_defect_rate_only_when_ppm_is_asked() -> None:
    calc = calculate("불량률 0.5프로면 PPM으로 얼마예요?")
    assert calc is not None and calc.lines[0] == "불량률 0.5%는 5,000 PPM입니다 [1]."
    assert calc.sources == ["policies/quality-defect-records.md"]
    assert calculate("우리 불량률 2%인데 줄이려면 뭐부터 해요?") is None  # asks how to lower it, not a figure


@pytest.mark.parametrize("text", ["사출기 20대 있는데 불량률이 3%에서 안 내려가요 뭐부터 봐야돼요",
                                  "설비 20대 가동률이 60%밖에 안 나와요 어떻게 올려요?",
                                  "사출기 12대 OEE 올리려면 뭐부터 해요?",
                                  "재고 300품목인데 장부랑 실물이 자꾸 달라요 왜 그래요?"])
def test_a_plant_figure_told_with_what_to_do_asked_is_no_calculation(text: str) -> None:
    # the owner's 20 machines and 3% are no inputs: they ask how to improve, not for a figure
    assert calculate(text) is None


def test_availability_from_the_actual_running_minutes() -> None:
    calc = calculate("부하시간 480분에 실제 가동 400분인데 가동률은 몇이에요?")
    assert calc is not None and calc.lines[0] == "가동률은 83.3%입니다 [1]."
    assert "가동률 = 가동시간 400분 ÷ 부하시간 480분 = 83.3%" in calc.text


def test_inventory_accuracy_when_the_count_comes_before_실사() -> None:
    calc = calculate("창고 재고 300품목 실사했는데 270개 맞았어요 정확도 몇이에요?")
    assert calc is not None and calc.lines[0] == "재고 정확도는 90.0%입니다 [1]."  # not 270 of 270


def test_a_bare_천_after_the_project_cost_is_천만_원() -> None:
    calc = calculate("부산 공장인데 총사업비 5천이면 지방비 얼마 받아요?")
    assert calc is not None and "총사업비 5,000만 원 × 50%" in calc.text
    assert "5,000만 원 × 5%p = 250만 원" in calc.text
    assert calculate("재고 5천개 있는데 부담금은요?") is None  # a count stays a count


def test_a_question_about_the_loans_term_is_not_answered_with_its_interest() -> None:
    assert calculate("정책자금 1억 빌리면 몇 년 안에 갚아야 돼요?") is None  # the sources' 대출 기간 answers it
    assert calculate("정책자금 1억 빌리면 상환 기간 동안 이자는 얼마예요?") is not None


def test_a_question_about_the_cash_minimum_is_answered_with_it_first() -> None:
    calc = calculate("총사업비 7천만원 기초 과제면 부담금 중에 현금으로 꼭 넣어야 하는 최소 금액이 얼마에요?")
    assert calc is not None
    assert calc.lines[0] == "현금은 최소 1,050만 원입니다 (기업 부담금 3,500만 원의 30%) [1]."  # its rule is cited first
    assert "- 현금 = 3,500만 원 × 30% = 1,050만 원 [1]" in calc.lines  # and how it follows from the total
    assert calc.sources[0] == "subsidies/company-share.md" and calc.text.index("[1]") < calc.text.index("[2]")
    plain_share = calculate("총사업비 7천만원 기초 과제면 기업 부담금은 얼마에요?")
    assert plain_share is not None and plain_share.lines[0].startswith("기업 부담금은 3,500만 원입니다")


def test_owners_words_for_their_share_a_bare_천_and_the_wrong_count() -> None:
    share = calculate("부산인데 기초로 1억2천 하면 우리 돈 얼마 들어가요?")  # "우리 돈": the company's share
    assert share is not None and share.lines[0].startswith("기업 부담금은 6,500만 원입니다")
    cash = calculate("자부담 3천이면 현금으로 최소 얼마 넣어야돼요?")  # 3천 after 자부담: 3,000만 원
    assert cash is not None and cash.lines[0].startswith("현금은 최소 900만 원입니다")
    accuracy = calculate("재고 실사 200품목 중에 14개 틀렸으면 정확도 몇 프로예요?")
    assert accuracy is not None and accuracy.lines[0] == "재고 정확도는 93.0%입니다 [1]."
    assert calculate("우리 돈으로 산 장비도 현물로 돼요?") is None  # no amount: for the sources


def test_an_english_question_with_won_amounts_gets_the_figure() -> None:
    assert [q.value for q in quantities("100M won, KRW 1.5 billion, ₩50,000,000, 30 million won")] == [
        100_000_000, 1_500_000_000, 50_000_000, 30_000_000]
    cash = calculate("How much cash does the company need to put in for a 100 million won project?")
    assert cash is not None and cash.lines[0].startswith("현금은 최소 1,500만 원입니다")
    loan = calculate("If I borrow 30M won of working capital for our share, what's the interest in the first year?")
    assert loan is not None and loan.lines[0].startswith("연 이자는 약 55만 5,000원입니다 (원금 3,000만 원")
    assert calculate("We borrow KRW 200 million, how long can we take to repay?") is None  # the term: for the sources
    assert calculate("How much does a basic MES cost?") is None


def test_a_matching_rate_the_owner_gives_is_used_and_matching_without_a_region_is_said() -> None:
    given = calculate("With 10% regional matching on a 100M won project, what's the minimum cash we put in?")
    assert given is not None and given.lines[0].startswith("현금은 최소 1,200만 원입니다 (기업 부담금 4,000만 원")
    assert "subsidies/regional-matching.md" in given.sources
    korean = calculate("지방비 10% 매칭 받고 총사업비 1억이면 기업 부담금 얼마예요?")
    assert korean is not None and korean.lines[0].startswith("기업 부담금은 4,000만 원입니다")
    unknown = calculate("총사업비 1억인데 지방비 매칭 받으면 얼마 내요?")
    assert unknown is not None and unknown.lines[0].startswith("기업 부담금은 5,000만 원입니다")
    assert "지방비 매칭은 지역마다 비율과 한도가 달라 빼고 계산했습니다" in unknown.text
    left_out = calculate("기초 단계로 총사업비 1억4천 잡으면 우리가 얼마 내요? 지방비는 없다고 치고요")
    assert left_out is not None and "지방비 매칭은" not in left_out.text  # the owner said so already


def test_hundreds_after_thousands_the_count_that_differs_and_what_we_pay() -> None:
    cash = calculate("자부담금 4천5백인데 현금 비율 최소 얼마예요?")  # 4천5백: 4,500만 원, not 4,000만 원
    assert cash is not None and cash.lines[0].startswith("현금은 최소 1,350만 원입니다 (기업 부담금 4,500만 원")
    assert [q.value for q in quantities("1억 2천5백")] == [125_000_000]
    accuracy = calculate("재고 조사 120개 품목 했는데 9개가 장부랑 달라요 정확도 얼마예요?")
    assert accuracy is not None and accuracy.lines[0] == "재고 정확도는 92.5%입니다 [1]."
    total = calculate("경남에서 고도화1로 2억 잡으면 우리가 내는 돈은요?")  # 2억 is the total, not what we pay
    assert total is not None and total.lines[0].startswith("기업 부담금은 8,500만 원입니다")
    given = calculate("우리가 내는 돈이 2천만원인데 현금은 얼마?")
    assert given is not None and given.lines[0].startswith("현금은 최소 600만 원입니다")
    assert calculate("클라우드형 트랙 총사업비 3천만원이면 기업 부담금은?") is None  # its own shares: for the sources


def test_the_grant_asked_for_comes_first_and_총_6천_is_the_total() -> None:
    calc = calculate("우리 공장 사출기 8대인데 기초로 총 6천 잡으면 정부에서 얼마 나와요?")
    assert calc is not None and calc.lines[0] == "정부 지원은 3,000만 원입니다 (총사업비의 50.0%) [1]."
    assert "기업 부담금 = 6,000만 원 − 3,000만 원 = 3,000만 원" in calc.text  # the 8대 is not money
    calc = calculate("대구에 공장 있고 총사업비 8천이면 지원금 얼마 받아요?")
    assert calc is not None and calc.lines[0].startswith("정부 지원은 4,560만 원입니다")
    assert "국비 4,000만 원, 지방비 560만 원" in calc.lines[0]
    calc = calculate("총사업비 8천이면 정부 지원 빼고 우리 부담금은 얼마예요?")
    assert calc is not None and calc.lines[0].startswith("기업 부담금은 4,000만 원")  # the share is what is asked


def test_a_count_in_thousands_is_read_whole() -> None:
    calc = calculate("3천개 만들었는데 불량 9개면 PPM 얼마예요?")
    assert calc is not None and calc.lines[0] == "PPM은 3,000 PPM입니다 (불량률 0.3%) [1]."
    assert [q.value for q in quantities("2천5백개 중에 불량 5개")] == [2500, 5]


def test_the_grant_and_the_share_both_asked_are_both_in_the_first_line() -> None:
    calc = calculate("대구 공장 총사업비 8천이면 정부에서 얼마 받고 우리 부담은 얼마예요?")
    assert calc is not None
    assert calc.lines[0] == "정부 지원은 4,560만 원(국비 4,000만 원, 지방비 560만 원), 기업 부담금은 3,440만 원입니다 [1]."


def test_a_regions_matching_rule_is_looked_up_without_numbers() -> None:
    daegu = calculate("대구 공장인데 지방비 매칭 얼마나 받을 수 있어요?")
    assert daegu is not None and daegu.covered and daegu.sources == ["subsidies/regional-matching.md"]
    assert daegu.lines[0] == "대구의 지방비 매칭은 총사업비의 7%p, 기업당 최대 700만 원입니다(예시) [1]."
    assert "50%에서 43%로" in daegu.text  # what it does to the owner's share
    changwon = calculate("창원인데 지방비 매칭 받으면 우리 부담 몇프로로 줄어요?")
    assert changwon is not None and changwon.lines[0].startswith("경남의 지방비 매칭은 총사업비의 10%p")


def test_a_region_the_knowledge_has_no_matching_rule_for_is_said_not_guessed() -> None:
    gumi = calculate("경북 구미 공장인데 지방비 매칭도 받을 수 있어요?")
    assert gumi is not None and not gumi.covered  # the answer offers an expert
    assert gumi.lines[0].startswith("경북의 지방비 매칭 기준은 가진 자료에 없습니다")
    assert "%p" not in gumi.text  # no other region's rate passed off as 경북's


@pytest.mark.parametrize("text", [
    "대구는 지방비 매칭 어떻게 신청해요?",  # the procedure: the sources tell it
    "경남 지방비 매칭 금액은 얼마 나왔어요?",  # what a plant got: its case tells it
    "그 회사 지방비도 받았어요? 회사 부담은 얼마?",
    "지방비 매칭이 뭐예요?",  # no region named
])
def test_questions_the_matching_look_up_leaves_to_the_sources(text: str) -> None:
    assert calculate(text) is None


def test_a_tax_question_with_the_total_is_the_tax_credit_on_the_company_share() -> None:
    calc = calculate("총사업비 8천만 원으로 기초 과제 했는데 세금 깎아주는 거 있어요?")
    assert calc is not None and calc.topic == "세액공제" and calc.sources[0] == "subsidies/tax-credits.md"
    assert calc.lines[0].startswith("기본 세액공제로 약 400만 원을")
    assert "- 기업 부담금 = 총사업비 8,000만 원 − 정부 지원 4,000만 원(기초) = 4,000만 원 [2]" in calc.lines


def test_the_tax_credit_leaves_out_the_in_kind_part_the_owner_names() -> None:
    calc = calculate("총사업비 1억 원 기초 과제로 자부담 5천만 원 들어갔는데 세금 혜택 있나요? "
                     "그중 1천만 원은 우리 직원 인건비 현물이에요")
    assert calc is not None and calc.lines[0].startswith("기본 세액공제로 약 400만 원을")
    assert "기업 부담금 5,000만 원 − 현물(자사 인건비) 1,000만 원 = 4,000만 원" in calc.text
    assert "4,000만 원 × 10% = 400만 원" in calc.text


def test_the_tax_credit_takes_the_grant_and_the_regional_matching_off_a_total() -> None:
    calc = calculate("경기도에서 고도화1로 2억 하면 세액공제 얼마나 받아요?")
    assert calc is not None and calc.lines[0].startswith("기본 세액공제로 약 900만 원을")
    assert "총사업비 2억 원 − 정부 지원 1억 원(고도화1) − 지방비(경기) 1,000만 원 = 9,000만 원" in calc.text


@pytest.mark.parametrize("text", ["세금 300만원 밀렸는데 신청돼요?", "세금계산서 1억 원짜리 받았는데 총사업비에 넣어요?"])
def test_tax_arrears_and_invoices_are_no_tax_credit(text: str) -> None:
    calc = calculate(text)
    assert calc is None or calc.topic != "세액공제"


def test_the_tax_credit_rule_is_the_documents() -> None:
    from assistant.answers.calculators import tax

    doc = (KNOWLEDGE / tax.TAX_DOC).read_text(encoding="utf-8")
    assert f"중소기업 투자금액의 {tax.BASIC_CREDIT * 100:.0f}%" in doc
    assert f"초과분의 {tax.EXTRA_CREDIT * 100:.0f}%" in doc


def test_performance_without_the_time_it_ran_gives_the_time_needed_and_asks_for_it() -> None:
    # the owner's 15 machines are no running time, and "2000개밖에 안 나와요" is the output
    calc = calculate("사출기 15대 돌리는데 사이클타임 20초짜리가 실제론 하루 2000개밖에 안 나와요. 성능 얼마나 나오는 거예요?")
    assert calc is not None and calc.missing == ["가동시간(분)"]
    assert calc.lines[0] == "사이클 타임 20초로 2,000개를 만드는 데 필요한 시간은 이론상 666.67분(약 11.1시간)입니다 [1]."
    assert calc.lines[-1].startswith("성능가동률을 구하려면 그 수량을 만든 실제 가동시간")
    assert calculate("이 모터 성능 얼마나 돼요?") is None  # a machine's rating is no plant figure


def test_a_win_win_project_is_split_three_ways_as_its_document_says() -> None:
    share = calculate("상생형으로 1억짜리 하면 우리회사 부담 얼마에요")
    assert share is not None and share.covered
    assert share.lines[0] == "기업 부담금은 4,000만 원입니다 (상생형, 총사업비 1억 원의 40%) [1]."
    assert share.sources[0] == rules.WIN_WIN_DOC  # not the general track's 50 % rule
    assert "- 정부 = 1억 원 × 30% = 3,000만 원, 대기업 = 1억 원 × 30% = 3,000만 원" in share.lines
    assert "상생형이 1,000만 원 덜 냅니다" in share.text  # against the general track's 5,000만 원
    cash = calculate("상생형으로 1억 하면 현금은 최소 얼마 넣어요")
    assert cash is not None and cash.lines[0] == "현금은 최소 1,200만 원입니다 (기업 부담금 4,000만 원의 30%) [1]."
    assert cash.text.count("1,200만 원") == 2  # the lead, and the formula: not the lead said twice


def test_a_win_win_total_above_its_cap_is_computed_to_the_cap_and_the_rest_is_handed_on() -> None:
    calc = calculate("상생형 1억5천으로 하면 정부에서 얼마 나와요?")
    assert calc is not None and not calc.covered
    assert calc.lines[0].startswith("정부 지원은 3,000만 원, 대기업 출연금은 3,000만 원입니다")
    assert "넘는 5,000만 원을 누가 내는지는 자료에 없어" in calc.text


def test_safety_stock_and_the_reorder_point_from_the_owners_figures() -> None:
    calc = calculate("볼트 하루에 보통 300개 많을 땐 450개 쓰는데 입고까지 평균 3일 길면 5일 걸려요. 안전재고 몇 개예요?")
    assert calc is not None and calc.sources == ["policies/inventory-management.md"]
    assert calc.lines[0] == "안전재고는 1,350개입니다 [1]."
    assert ("- 안전재고 = (최대 일사용량 450개 × 최대 조달기간 5일) − (평균 일사용량 300개 × 평균 조달기간 3일) "
            "= 2,250 − 900 = 1,350개") in calc.lines
    reorder = calculate("1일 평균 50kg 최대 70kg, 조달 평균 4일 최대 6일이면 발주점은 얼마로 잡아요?")
    assert reorder is not None and reorder.lines[0].startswith("발주점은 420kg입니다")  # 1일 is per day, no lead time
    short = calculate("안전재고 몇 개 둬야 돼요? 하루 200개 씀")
    assert short is not None and short.missing == ["최대 일사용량", "평균 조달기간(일)", "최대 조달기간(일)"]
    assert calculate("안전재고 계산 어떻게 해요?") is None  # no figures: the document's formula answers
    document = (KNOWLEDGE / "policies/inventory-management.md").read_text(encoding="utf-8")
    assert "안전재고 = (최대 일사용량 × 최대 조달기간) − (평균 일사용량 × 평균 조달기간)" in document
    assert "발주점 = 평균 일사용량 × 평균 조달기간 + 안전재고" in document


def test_the_win_win_split_and_cap_are_looked_up_without_a_total() -> None:
    split = calculate("상생형 스마트공장은 돈을 누가 얼마씩 내요?")
    assert split is not None and split.sources == [rules.WIN_WIN_DOC]
    assert split.lines[0] == "상생형 스마트공장은 정부 30%, 대기업 30%, 중소기업 40%(예시)로 나눠 냅니다 [1]."
    cap = calculate("상생형은 총사업비 최대 얼마까지 돼요?")
    assert cap is not None and cap.lines[0].startswith("상생형 총사업비 한도는 기업당 최대 1억 원")
    for other in ("상생형 대상 회사는 누가 골라요?", "상생형 신청은 어디에 해요?", "대기업 협력사가 아니어도 상생형 신청 돼요?"):
        assert calculate(other) is None, other  # who chooses, where to apply: for the sources


def test_a_bare_천_before_짜리_or_하면_is_what_the_project_is_worth() -> None:
    win_win = calculate("상생형으로 8천짜리 과제 하면 우리는 얼마 내요?")
    assert win_win is not None and win_win.lines[0].startswith("기업 부담금은 3,200만 원입니다")
    general = calculate("기초로 6천으로 하면 우리 부담 얼마?")
    assert general is not None and general.lines[0].startswith("기업 부담금은 3,000만 원입니다")
    assert [(q.value, q.kind) for q in quantities("1억2천 하면")] == [(120_000_000, "money")]  # not 2천만 원 again
    assert [q.kind for q in quantities("부품 3천개 하면 불량 12개")] == ["count", "count"]


def test_a_part_left_out_of_the_project_is_left_to_the_sources() -> None:
    # what is settled when an item is not built depends on its price: the document's worked example
    assert calculate("8천짜리 과제에서 현황판 하나 안 달았으면 지원금 얼마로 줄어요?") is None
    share = calculate("대구 7천 과제 지방비 받으면 우리 부담 얼마로 줄어요?")  # 줄어요 alone is no part left out
    assert share is not None and share.lines[0].startswith("기업 부담금은 3,010만 원입니다")


def test_a_loans_monthly_interest_when_the_owner_asks_by_the_month() -> None:
    calc = calculate("정책자금 1억 빌리면 이자 한달에 얼마예요")
    assert calc is not None and calc.lines[0] == "한 달 이자는 약 15만 4,167원입니다 (연 이자 185만 원 ÷ 12) [1]."
    assert calculate("정책자금 1억 빌리면 이자 얼마예요").lines[0].startswith("연 이자는 약 185만 원")


def test_staff_pay_put_in_as_the_share_is_in_kind_for_the_tax_credit() -> None:
    calc = calculate("자부담 3천 넣었는데 그중에 천만원은 우리 직원 월급으로 잡았어요 세금 얼마나 돌려받아요?")
    assert calc is not None and calc.lines[0].startswith("기본 세액공제로 약 200만 원을"), calc.text
