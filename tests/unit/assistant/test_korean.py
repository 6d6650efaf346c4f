"""Owners' colloquial Korean reaches the keyword index as the words they meant."""

from __future__ import annotations

from assistant.korean import (
    analyser_signature,
    known_parts,
    morphemes,
    noun_phrases,
    spell_apart,
    split_sentences,
)


def test_the_domain_lexicon_keeps_words_kiwi_would_misread() -> None:
    assert "재고" in morphemes("전산 재고랑 창고 실물이 맨날 안맞아요")  # not 재 + 고랑
    assert "금형" in morphemes("사출기 금형이랑 로트는 어떻게 관리해요")  # not 금 + 형
    assert "로트" in morphemes("로트는 어떻게 매겨요")  # not 로 + 트
    assert morphemes("발주점은 어떻게 잡아요")[0] == "발주점"  # not 발 + 주점 (a pub)
    assert morphemes("다운타임을 줄이려면")[0] == "다운타임"  # the same word whatever follows it
    assert "얼라이언스" in morphemes("공급기업 얼라이언스가 뭐에요?")  # the particle is not part of it
    words = morphemes("설비가 예고 없이 멈춰서 납기를 자꾸 못 맞춰요")
    assert {"설비", "납기"} <= set(words) and not {"설", "비", "납"} & set(words)  # not 설 + 비(rain), 납(lead)
    assert morphemes("돌발정지가 잦아요")[:2] == ["돌발", "정지"]  # not 돌 + 발
    assert "품번" in morphemes("MES 품번이랑 ERP 품목코드가 달라요")  # not 품 + 번
    assert "임치" in morphemes("소스코드 임치가 뭐에요")  # not 임
    assert "전산" in morphemes("전산 아는 사람을 뽑아야 하나요")  # not 저 + 산
    assert "일보" in morphemes("엑셀로 일보 쓰고 있어요")  # not 일 + 보
    assert "랜섬웨어" in morphemes("서버가 랜섬웨어 걸리면 어떡해요")  # not 랜 + 섬 + 웨어


def test_words_the_knowledge_writes_solid_stay_whole_in_a_bare_question() -> None:
    # an owner drops the particle: "재고일수 얼마나" was 재고 + 이 + ㄹ + 수 (could be stock), 한도 was 한 + 도
    assert morphemes("재고일수 얼마나 줄어요?")[:2] == ["재고", "일수"]
    assert morphemes("지방비 얼마나 받아요?")[0] == "지방비"  # not 지방 + 비 (rain)
    assert morphemes("한도 얼마나 돼요?")[0] == "한도"
    assert "보고서" in morphemes("보고서 어떻게 써요")  # not 보다
    assert "성과" in morphemes("성과 어떻게 보고해요")
    # and the knowledge's own lines keep their words
    assert {"추가", "삭제"} <= set(morphemes("과업 추가·삭제, 총사업비 변동"))
    assert "예지보전" in morphemes("거창한 예지보전 전에 기본 점검부터")


def test_a_compound_the_sources_never_use_whole_is_spelled_as_their_words() -> None:
    sources = {"단조", "공장", "온도", "관리", "기록서", "제조", "예지보전"}.__contains__
    assert spell_apart("우리 단조공장인데 온도관리 어떻게 해요?", sources) == "우리 단조 공장인데 온도 관리 어떻게 해요?"
    assert spell_apart("제조기록서 양식 있어요?", sources) == "제조 기록서 양식 있어요?"
    assert spell_apart("예지보전 하고 싶어요", sources) == "예지보전 하고 싶어요"  # used whole: left whole
    assert known_parts("하남산단", sources) == ["하남산단"]  # no known words make it up: as typed
    assert known_parts("온도", sources) == ["온도"]


def test_a_particle_kiwi_leaves_on_a_loanword_goes() -> None:
    sources = {"센서", "게이트웨이", "예지보전"}.__contains__
    assert ("센서랑", ["센서랑"]) in noun_phrases("예지보전 하려면 센서랑 게이트웨이 값 얼마에요")  # Kiwi's reading
    assert known_parts("센서랑", sources) == ["센서"]
    assert spell_apart("예지보전 하려면 센서랑 게이트웨이 값 얼마에요", sources) == "예지보전 하려면 센서 게이트웨이 값 얼마에요"


def test_the_lexicon_does_not_pull_apart_the_words_around_it() -> None:
    assert morphemes("금형 온도 몇 도")[:2] == ["금형", "온도"]
    assert {"재고", "실사"} <= set(morphemes("재고실사 하는 법"))


def test_a_number_stays_with_the_word_the_owner_typed() -> None:
    assert noun_phrases("레벨3이면 공장이 어떤 모습이에요?")[0] == ("레벨3", ["레벨"])
    assert ("균일성", ["균일"]) in noun_phrases("온도 균일성 조사는 어떻게 해요?")


def test_a_verb_misread_as_a_name_is_no_noun_phrase() -> None:
    # "돌리는데" is a verb Kiwi can read as the name 돌리 before 는: no noun the sources could lack
    assert [surface for surface, _ in noun_phrases("우리 공장 사출기 12대 돌리는데 MES 넣으면 대충 얼마 들어요?")] == [
        "공장", "사출기", "MES", "얼마"]
    assert noun_phrases("공장이에요") == [("공장", ["공장"])]  # a noun before the copula stays
    assert "돌리다" in morphemes("사출기 12대 돌리는데") and "돌리" not in morphemes("사출기 12대 돌리는데")


def test_jeil_is_most_not_a_day() -> None:
    # Kiwi reads "제일 먼저" as 제 + 일: the question is about ransomware, not about a day or work
    assert "일" not in morphemes("랜섬웨어 걸리면 제일 먼저 뭐 해요?")
    assert "일" in morphemes("하루 일 평균 몇 시간")


def test_the_analyser_signature_names_kiwi_and_the_lexicon() -> None:
    signature = analyser_signature()
    assert signature.startswith("kiwi") and "+" in signature


def test_no_term_holds_a_space() -> None:
    """Kiwi can read two words as one form ("셋 업"); the catalog keeps terms space-joined, so a
    term with a space would come back as two and never match the question's."""
    terms = morphemes("금형 교체 셋업 시간을 줄이려면")
    assert "셋업" in terms and not any(" " in t for t in terms)


def test_a_full_term_cache_is_emptied_without_losing_the_texts_asked(monkeypatch) -> None:
    """When the cache passes its limit it is emptied; texts found in it before that are still
    answered (the composer asks for its lines' terms after many other questions filled it)."""
    from assistant import korean

    monkeypatch.setattr(korean, "_CACHE_LIMIT", 3)
    monkeypatch.setattr(korean, "_terms_cache", {})
    texts = ["금형 온도", "사출 속도", "불량률", "재고 실사"]
    first = korean.morphemes_many(texts, cache=True)
    again = korean.morphemes_many(["금형 온도", "정책자금 이자"], cache=True)
    assert again == [first[0], morphemes("정책자금 이자")]
    assert len(korean._terms_cache) <= 3  # noqa: SLF001 - the limit holds


def test_a_connective_ending_does_not_end_a_sentence() -> None:
    # Kiwi ends a sentence at "쉬워"; an answer quoting it would show a fragment
    text = "3. 센서 선택·설치: 고장 모드에 맞는 센서. 무선 진동·온도 복합 센서가 설치가 쉬워 작은 공장에 흔히 쓰입니다."
    assert split_sentences(text) == ["3. 센서 선택·설치: 고장 모드에 맞는 센서.",
                                     "무선 진동·온도 복합 센서가 설치가 쉬워 작은 공장에 흔히 쓰입니다."]
    # punctuation, an arrow or a table cell still ends a piece, and a line break always does
    assert split_sentences("대신 써 줌 → 현장평가에서 탈락") == ["대신 써 줌 →", "현장평가에서 탈락"]
    assert split_sentences("점검은 매월 합니다. 기록은 3년 보관합니다.\n다음 줄") == [
        "점검은 매월 합니다.", "기록은 3년 보관합니다.", "다음 줄"]


def test_a_quote_goes_with_the_particle_that_follows_it() -> None:
    # Kiwi ends the first sentence after the quote; an answer quoting it would end on '"품질 향상"'
    assert split_sentences('목표는 숫자로 씁니다. "품질 향상"이 아니라 "불량률 2.5%에서 1.5%로"처럼.') == [
        "목표는 숫자로 씁니다.", '"품질 향상"이 아니라 "불량률 2.5%에서 1.5%로"처럼.']
    assert split_sentences('기대치부터 조정했습니다. "AI 예지보전"을 하려면 데이터가 있어야 합니다.') == [
        "기대치부터 조정했습니다.", '"AI 예지보전"을 하려면 데이터가 있어야 합니다.']
    # "이" that opens a sentence as "this" stays where it is
    assert split_sentences("세법은 해마다 바뀝니다. 이 문서는 예시일 뿐입니다.") == [
        "세법은 해마다 바뀝니다.", "이 문서는 예시일 뿐입니다."]
