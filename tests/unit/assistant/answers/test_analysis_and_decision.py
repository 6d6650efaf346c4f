"""The question analysed once (language, query, terms) and the decision rules."""

from __future__ import annotations

import pytest

from assistant.answers.analysis import analyse, language_of
from assistant.answers.decision import Evidence, calibration_for, confidence, decide, held, priority
from assistant.answers.followup import changes_an_input, cited_first, follows_on
from assistant.answers.intent import classify
from assistant.answers.retrieval import Hit
from assistant.settings import Settings
from assistant.stores.catalog import Chunk
from assistant.types import Citation, Decision, Turn


def test_english_questions_get_korean_terms_for_the_korean_sources() -> None:
    analysis = analyse("How do I calculate PPM?", [])
    assert analysis.language == "en" and analysis.intent.in_domain
    assert "불량" in analysis.terms and "계산" in analysis.terms
    assert "how" not in analysis.terms  # English function words would only dilute the evidence
    assert analysis.query.startswith("How do I calculate PPM?")
    # an industry or a machine named in English reaches the case that names it in Korean
    sewing = analyse("How much cash did the small sewing shop put in out of pocket?", [])
    assert "봉제" in sewing.terms
    assert "사출" in analyse("Our injection molding machines are old. Where do we start?", []).terms


def test_korean_follow_up_carries_the_subject_but_keeps_its_own_terms() -> None:
    history = [Turn(role="user", text="스마트공장 수준확인 제도가 뭐예요?", subject="스마트공장 수준확인 제도가 뭐예요?"),
               Turn(role="assistant", text="...", decision=Decision.answered)]
    analysis = analyse("그럼 확인서 유효기간은요?", history)
    assert analysis.followed and "수준확인" in analysis.query
    assert "유효" in analysis.own_terms and "수준" not in analysis.own_terms and "수준" in analysis.terms


@pytest.mark.parametrize(("text", "language"), [("OEE 계산법", "ko"), ("What is OEE?", "en"), ("MES", "ko")])
def test_language(text: str, language: str) -> None:
    assert language_of(text) == language


@pytest.mark.parametrize(
    "text",
    ["호퍼 드라이어가 자꾸 과열돼요", "철 팔레트에 RFID 태그 붙이면 인식이 안 돼요", "레이저 절단 파라미터 좀 알려주세요",
     "How do I calculate PPM?", "What does OEE mean for a small injection molding plant?",
     # the subsidy's own duties: weak evidence sends these to an expert, never "out of scope"
     "성과보고 깜빡하고 안 내면 어떻게 돼요?", "협약 끝나고 사후관리 때 뭐 해요?", "대납 제안 받았는데요"],
)
def test_plant_questions_are_in_domain(text: str) -> None:
    intent = classify(text)
    assert intent.in_domain and not intent.out_of_scope


@pytest.mark.parametrize("text", ["What is the weather in Spain tomorrow?", "Any good stock tips?", "김치찌개 끓이는 법"])
def test_off_topic_questions_are_out_of_scope(text: str) -> None:
    intent = classify(text)
    assert intent.out_of_scope and not intent.in_domain


@pytest.mark.parametrize("text", ["작업일보를 종이로 쓰고 저녁마다 엑셀로 옮겨요. 이거 없앤 데 있어요?",
                                  "로트 추적에 사흘 걸리는데 이거 줄인 화장품 회사 있나",
                                  "불량률 반으로 줄인 공장 있어요?"])
def test_a_plant_that_has_done_it_is_a_case_not_a_supplier(text: str) -> None:
    assert not classify(text).supplier


@pytest.mark.parametrize("text", ["MES 잘하는 업체 있어요?", "사출 불량 줄여 줄 수 있는 업체 있나요?",
                                  "HACCP 일지 전산화 해주는 업체 추천해주세요"])
def test_a_supplier_asked_for_is_a_supplier(text: str) -> None:
    assert classify(text).supplier


def test_confidence_rises_with_every_kind_of_evidence() -> None:
    weak = Evidence(coverage=0.3, support=0.3, dense=0.3, agreement=0.0, has_text=True)
    base = confidence(weak)
    for name in ("coverage", "support", "dense", "agreement"):
        stronger = Evidence(**{**weak.__dict__, name: getattr(weak, name) + 0.5})
        assert confidence(stronger) > base, name
    assert confidence(Evidence()) == 0.0  # nothing drafted: nothing to be confident about
    assert confidence(Evidence(exact=True, has_text=True)) == 1.0


def test_decisions_follow_the_thresholds() -> None:
    settings = Settings()
    intent = classify("스마트공장 지원금 신청 서류")
    assert decide(intent, calibration_for(settings).offer_expert_below + 0.01, True, settings).decision == Decision.answered
    assert decide(intent, calibration_for(settings).offer_expert_below - 0.01, True, settings).decision == Decision.offer_expert
    assert decide(intent, calibration_for(settings).escalate_below - 0.01, True, settings).decision == Decision.escalate
    uncovered = classify("호퍼 드라이어 과열")
    assert decide(uncovered, 0.0, False, settings).decision == Decision.escalate  # an expert's question
    utility = classify("질소 발생기 순도가 99.9%에서 자꾸 떨어지는데 필터 문제일까요?")
    assert decide(utility, 0.0, False, settings).decision == Decision.escalate  # plant utilities too
    assert decide(classify("오늘 뭐 하지"), 0.0, False, settings).decision == Decision.declined
    assert decide(intent, 0.0, True, settings, exact=True).reason == "calculated"
    # a looked-up rule that does not cover the owner's case (a region without figures): a person is offered
    partial = decide(intent, 0.5, True, settings, exact=True, partial=True)
    assert (partial.decision, partial.reason, partial.text) == (Decision.offer_expert, "not_in_rules", None)


def test_a_topic_named_in_no_source_gets_an_expert_offered() -> None:
    settings = Settings()
    intent = classify("호퍼 드라이어 과열")
    middling = calibration_for(settings).offer_expert_below + 0.05
    assert decide(intent, middling, True, settings, unknown=0.4).decision == Decision.offer_expert
    assert decide(intent, middling, True, settings, unknown=0.1).decision == Decision.answered
    assert decide(intent, 0.5, True, settings, unknown=0.4).decision == Decision.answered  # strong support wins


def test_held_conversations_and_ticket_priority() -> None:
    verdict = held()
    assert verdict.decision == Decision.escalate and verdict.reason == "held_by_human" and verdict.text
    judgement = decide(classify("공급업체가 계약 위반했는데 소송 가능한가요"), 0.9, True, Settings())
    assert priority(judgement) == "high"
    assert priority(decide(classify("전문가 연결해 주세요"), 0.9, True, Settings())) == "normal"


def test_unknown_share_counts_named_things_absent_from_every_source() -> None:
    from assistant.answers.decision import unknown_share

    corpus_df = {"사출": 3, "온도": 5}
    def idf(term: str) -> float:  # BM25's idf over a 10-chunk corpus
        import math
        n = corpus_df.get(term, 0)
        return math.log((10 - n + 0.5) / (n + 0.5) + 1.0)
    share = unknown_share(["사출", "드라이어", "온도", "타다"], idf)
    expected = idf("드라이어") / sum(idf(t) for t in ("사출", "드라이어", "온도", "타다"))
    assert abs(share - expected) < 1e-9  # "타다" is unknown too, but a predicate: not counted
    assert unknown_share(["사출", "온도"], idf) == 0.0 and unknown_share([], idf) == 0.0


def test_a_follow_up_goes_on_from_the_documents_the_previous_answer_cited() -> None:
    case = Citation(n=1, chunk_id="f1", title="단조 공장 사례", source="mentoring/forging.md", snippet="…")
    history = [Turn(role="user", text="단조 공장 OEE 올린 사례 있어요?"),
               Turn(role="assistant", text="…", decision=Decision.answered, citations=[case])]
    analysis = analyse("그 회사 기업 부담은 얼마였어요?", history)
    assert analysis.followed and analysis.prior_sources == ("mentoring/forging.md",)

    def hit(source: str) -> Hit:
        return Hit(chunk=Chunk(chunk_id=source, source=source, title=source, kind="policy", text="…"), score=1.0)

    hits = [hit("subsidies/company-share.md"), hit("mentoring/forging.md"), hit("subsidies/faq.html")]
    assert [h.chunk.source for h in cited_first(hits, analysis.prior_sources)] == [
        "mentoring/forging.md", "subsidies/company-share.md", "subsidies/faq.html"]
    assert cited_first(hits, ("mentoring/other.md",)) == hits  # not found again: retrieval's order
    declined = [*history[:1], Turn(role="assistant", text="…", decision=Decision.declined, citations=[case])]
    assert analyse("그 회사 기업 부담은 얼마였어요?", declined).prior_sources == ()


def test_a_question_with_no_subject_of_its_own_goes_on_from_the_last_exchange() -> None:
    case = "담당자 퇴사하고 방치된 MES 다시 살린 사례 있어요? 겸임 담당 3명이 목표를 정하고 입력 항목을 줄였습니다."
    assert follows_on("얼마나 자주 해야 돼요?", case)  # no word of its own
    assert follows_on("그때 돈은 얼마나 들었어요?", case)  # what happened, asked of the case just told
    assert follows_on("재고실사는 얼마나 자주 했대요?", case)
    assert follows_on("목표는 어떤식으로 적어야 돼요?", case)  # its one word is what the exchange was about
    assert not follows_on("가점 받을 수 있는거 뭐 있어요", case)  # one word, a new subject
    assert not follows_on("스마트공장 지원금 신청 서류 뭐예요?", case)


def test_a_figure_asked_again_with_an_input_changed_goes_on_from_the_last_question() -> None:
    figure = "고도화1로 1억 8천 하면 정부에서 얼마 나와요?"
    assert changes_an_input("경기도면 지방비도 붙어요?", figure)  # a region added
    assert changes_an_input("현금은요?", figure)
    assert not changes_an_input("경기도면 지방비도 붙어요?", "MES가 뭐예요?")  # no figure was asked before
    assert not changes_an_input("그럼 2억이면요?", figure)  # an amount of its own: `follows_on` decides


def test_a_short_question_about_an_aspect_of_the_last_answer_is_a_follow_up() -> None:
    history = [Turn(role="user", text="수준확인은 어디서 받아요?", subject="수준확인은 어디서 받아요?"),
               Turn(role="assistant", text="…", decision=Decision.answered)]
    for text in ("비용 들어요?", "기간은 얼마나 걸려요?", "서류는 뭐 내요?"):
        analysis = analyse(text, history)
        assert analysis.followed and "수준확인" in analysis.query, text
    assert not analyse("기간 연장은 어떻게 신청해요?", history).followed  # a question of its own


def test_the_owners_words_for_moving_and_not_filing_are_searched_as_the_sources_say_them() -> None:
    moving = analyse("공장 이사하려는데 지원받은 장비 가져가도 돼요?", [])
    assert "이전" in moving.terms  # the aftercare rules say 공장을 이전할 때
    assert "이전" not in analyse("이사님이 결재해야 하나요?", []).terms  # a director is no move
    assert "미제출" in analyse("성과 보고를 안 냈는데 문제 돼요?", []).terms


def test_an_english_question_is_searched_with_the_sources_everyday_words() -> None:
    terms = analyse("What happens if the only person running our MES quits?", []).terms
    assert "퇴사" in terms  # the sources' word for someone leaving the company
    assert "로트" not in analyse("We have a lot of old machines. Where do we start?", []).terms


@pytest.mark.parametrize(("text", "asked"), [
    ("MES가 뭔지 잘 모르겠어요", "MES가 뭐예요?"),
    ("PPM이 뭔지 도통 모르겠네요ㅠㅠ", "PPM이 뭐예요?"),
    ("예지보전이 뭔지 설명 좀 해주세요", "예지보전이 뭐예요?"),
    ("수준확인이 뭔지 궁금해요.", "수준확인이 뭐예요?"),
    # not knowing what something was is no question about what it is
    ("이게 뭔지 모르고 샀는데 환불 되나요?", "이게 뭔지 모르고 샀는데 환불 되나요?"),
    ("뭔지 모르겠는데 기계가 자꾸 서요", "뭔지 모르겠는데 기계가 자꾸 서요"),
])
def test_a_what_is_question_put_as_a_statement_is_asked_as_that_question(text: str, asked: str) -> None:
    assert analyse(text, []).text == asked
