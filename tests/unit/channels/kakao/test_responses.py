"""Answer -> Kakao skill response: every platform limit holds, whatever the answer."""

from __future__ import annotations

import json

import pytest

from assistant.types import Answer, Citation, Decision
from channels.kakao import responses as r


def _citation(n: int, url: str | None = None) -> Citation:
    return Citation(n=n, chunk_id=f"c{n}", title=f"출처 문서 {n}", source=f"policies/d{n}.md", snippet="…", url=url)


def _answer(text: str = "답변입니다. [1]", **kw: object) -> Answer:
    data: dict[str, object] = {"answer": text, "decision": Decision.answered, "confidence": 0.8,
                               "citations": [_citation(1)], "conversation_id": "c", "message_id": "m"}
    data.update(kw)
    return Answer(**data)  # type: ignore[arg-type]


def assert_limits(body: dict) -> None:
    assert body["version"] == "2.0"
    template = body["template"]
    assert 1 <= len(template["outputs"]) <= r.MAX_OUTPUTS
    for output in template["outputs"]:
        if "simpleText" in output:
            assert 0 < len(output["simpleText"]["text"]) <= r.SIMPLE_TEXT_MAX
        if "listCard" in output:
            card = output["listCard"]
            assert card["header"]["title"] and len(card["items"]) <= r.LIST_ITEMS_MAX
        if "carousel" in output:
            assert len(output["carousel"]["items"]) <= r.LIST_CAROUSEL_MAX
            assert all(len(c["items"]) <= r.LIST_ITEMS_IN_CAROUSEL for c in output["carousel"]["items"])
    replies = template.get("quickReplies", [])
    assert len(replies) <= r.MAX_QUICK_REPLIES
    assert all(len(q["label"]) <= r.QUICK_LABEL_MAX and q["action"] == "message" for q in replies)
    assert r.size_of(body) <= r.RESPONSE_MAX_BYTES


def test_short_answer_one_text_with_sources_and_quick_replies() -> None:
    body = r.answer_response(_answer())
    assert_limits(body)
    assert body["template"]["outputs"] == [{"simpleText": {"text": "답변입니다. [1]\n\n출처: [1] 출처 문서 1"}}]
    labels = [q["label"] for q in body["template"]["quickReplies"]]
    assert labels == [r.Q_EXPERT, r.Q_SOURCES]


@pytest.mark.parametrize("length", [950, 2500, 5000, 20000])
def test_long_answers_split_into_at_most_three_parts_under_900(length: int) -> None:
    text = ("스마트공장 구축 지원사업의 신청 자격을 설명합니다. " * 800)[:length]
    body = r.answer_response(_answer(text))
    assert_limits(body)
    texts = [o["simpleText"]["text"] for o in body["template"]["outputs"]]
    assert all(len(t) <= r.PART_MAX + 2 + len("출처: [1] 출처 문서 1") for t in texts)
    assert len(texts) == (2 if length <= 1800 else 3)


def test_split_text_prefers_sentence_ends() -> None:
    text = "첫 문장입니다. " * 150
    parts = r.split_text(text)
    assert all(len(p) <= r.PART_MAX for p in parts)
    assert all(p.endswith("다.") for p in parts[:-1])


def test_follow_ups_labels_are_clipped_and_replies_capped() -> None:
    follow = [f"{i}번째 아주 긴 후속 질문 예시입니다 정말로" for i in range(15)]
    body = r.answer_response(_answer(follow_ups=follow))
    assert_limits(body)
    replies = body["template"]["quickReplies"]
    assert len(replies) == r.MAX_QUICK_REPLIES
    assert replies[2]["messageText"] == follow[0] and replies[2]["label"].endswith("…")


def test_escalated_answer_offers_expert_check() -> None:
    body = r.answer_response(_answer(decision=Decision.escalate, citations=[]))
    assert [q["label"] for q in body["template"]["quickReplies"]] == [r.Q_EXPERT_CHECK]


def test_suppliers_become_a_list_card_and_more_than_five_a_carousel() -> None:
    cites = [_citation(n, url=f"https://s{n}.example.com") for n in range(1, 8)]
    text = "조건에 맞는 공급기업 후보입니다:\n" + "\n".join(f"{n}. 회사{n}: MES" for n in range(1, 4)) + "\n더 알려 주세요."
    suppliers = [{"n": n, "company": f"(주)회사{n}", "reason": "MES 구축, 경기 소재"} for n in range(1, 4)]
    body = r.answer_response(_answer(text, citations=cites[:3], suppliers=suppliers))
    assert_limits(body)
    outputs = body["template"]["outputs"]
    assert outputs[0] == {"simpleText": {"text": "조건에 맞는 공급기업 후보입니다:\n더 알려 주세요."}}
    items = outputs[1]["listCard"]["items"]
    assert items[0] == {"title": "(주)회사1", "description": "MES 구축, 경기 소재",
                        "link": {"web": "https://s1.example.com"}}
    many = [{"n": n, "company": f"(주)회사{n}", "reason": "r"} for n in range(1, 8)]
    body = r.answer_response(_answer(text, citations=cites, suppliers=many))
    assert_limits(body)
    carousel = body["template"]["outputs"][1]["carousel"]
    assert carousel["type"] == "listCard" and [len(c["items"]) for c in carousel["items"]] == [4, 3]


def test_expert_notices_come_first_and_share_the_three_outputs() -> None:
    notices = [r.expert_notice({"id": "1", "text": "전문가 답변" * 300, "expert": "김전문", "question": "질문"})] * 3
    body = r.answer_response(_answer("새 답변 " * 400), notices=notices)
    assert_limits(body)
    outputs = body["template"]["outputs"]
    assert outputs[0]["simpleText"]["text"].startswith("🧑‍🔧 김전문님의 답변 (질문: 질문)")
    assert len(outputs) == 3 and outputs[2]["simpleText"]["text"].startswith("새 답변")


def test_sources_response_is_a_linked_list_card() -> None:
    body = r.sources_response([_citation(1, "https://example.go.kr"), _citation(2)])
    assert_limits(body)
    items = body["template"]["outputs"][0]["listCard"]["items"]
    assert items[0] == {"title": "[1] 출처 문서 1", "description": "policies/d1.md", "link": {"web": "https://example.go.kr"}}
    assert "link" not in items[1]
    body = r.sources_response([_citation(n) for n in range(1, 9)])
    assert_limits(body)
    assert "carousel" in body["template"]["outputs"][0]
    assert r.sources_response([])["template"]["outputs"][0]["simpleText"]["text"] == "직전 답변에는 출처가 없습니다."


def test_whole_response_is_shrunk_to_the_byte_limit() -> None:
    outputs = [r.simple_text("가" * 1000) for _ in range(3)]
    body = r.fit({"version": "2.0", "template": {"outputs": outputs}}, max_bytes=2000)
    assert r.size_of(body) <= 2000 and len(body["template"]["outputs"]) == 1


def test_use_callback_shape() -> None:
    body = r.use_callback("잠시만요")
    assert body == {"version": "2.0", "useCallback": True, "data": {"text": "잠시만요"}}
    json.dumps(body)
