"""Answer / ticket -> Block Kit converters: content, links, buttons, Slack's limits."""

from __future__ import annotations

import json

from assistant.types import Answer, Citation, Decision
from channels.slack import blocks


def _citation(n: int, url: str | None = None, page: int | None = None) -> Citation:
    return Citation(n=n, chunk_id=f"c{n}", title=f"제목 <{n}> & 기타", source=f"policies/doc{n}.md",
                    page=page, snippet="...", url=url)


def _answer(**kw: object) -> Answer:
    data: dict[str, object] = {"answer": "스마트공장 지원사업은 중소기업이 신청할 수 있습니다. [1]",
                               "decision": Decision.answered, "confidence": 0.8,
                               "citations": [_citation(1, url="https://example.go.kr/a"), _citation(2, page=3)],
                               "conversation_id": "conv-1", "message_id": "msg-1"}
    data.update(kw)
    return Answer(**data)  # type: ignore[arg-type]


def test_answer_blocks_text_citations_and_buttons() -> None:
    out = blocks.answer_blocks(_answer())
    assert [b["type"] for b in out] == ["section", "context", "actions"]
    assert out[0]["text"] == {"type": "mrkdwn", "text": "스마트공장 지원사업은 중소기업이 신청할 수 있습니다. [1]"}
    cites = [e["text"] for e in out[1]["elements"]]
    assert cites == ["[1] <https://example.go.kr/a|제목 &lt;1&gt; &amp; 기타>",
                     "[2] 제목 &lt;2&gt; &amp; 기타 (policies/doc2.md, p.3)"]
    buttons = out[2]["elements"]
    assert [b["action_id"] for b in buttons] == [blocks.A_FEEDBACK_UP, blocks.A_FEEDBACK_DOWN, blocks.A_EXPERT]
    assert [b["text"]["text"] for b in buttons] == ["👍", "👎", "전문가 연결"]
    assert all(json.loads(b["value"]) == {"c": "conv-1", "m": "msg-1"} for b in buttons)


def test_escalated_answer_has_no_expert_button_but_says_so() -> None:
    out = blocks.answer_blocks(_answer(decision=Decision.escalate, citations=[]))
    assert [b["type"] for b in out] == ["section", "context", "actions"]
    assert "전문가에게 전달" in out[1]["elements"][0]["text"]
    assert blocks.A_EXPERT not in [b["action_id"] for b in out[2]["elements"]]


def test_declined_answer_offers_no_expert() -> None:
    out = blocks.answer_blocks(_answer(decision=Decision.declined, citations=[]))
    assert [b["action_id"] for b in out[-1]["elements"]] == [blocks.A_FEEDBACK_UP, blocks.A_FEEDBACK_DOWN]


def test_long_answers_are_split_into_sections_under_the_limit() -> None:
    text = "\n".join(["가" * 1000] * 7) + "\n" + "나" * 7000
    out = blocks.answer_blocks(_answer(answer=text, citations=[]))
    sections = [b for b in out if b["type"] == "section"]
    assert all(len(b["text"]["text"]) <= blocks.SECTION_LIMIT for b in sections)
    assert "".join(b["text"]["text"].replace("\n", "") for b in sections) == text.replace("\n", "")


def test_context_block_holds_at_most_ten_citations() -> None:
    out = blocks.answer_blocks(_answer(citations=[_citation(n) for n in range(1, 15)]))
    assert len(out[1]["elements"]) == blocks.CONTEXT_LIMIT


def test_strip_mentions_and_fallback() -> None:
    assert blocks.strip_mentions("<@U123ABC> 스마트공장  지원 <@U9|fm>?") == "스마트공장 지원 ?"
    assert len(blocks.fallback("가" * 1000)) == blocks.FALLBACK_LIMIT


def test_ticket_blocks_show_question_sources_draft_state_and_buttons() -> None:
    card = blocks.TicketCard(id="t-1", question="MES 도입 비용은?", status="open", topic="MES", priority="high",
                             due_at="2030-01-01T00:00:00+00:00", draft="초안입니다.",
                             sources=[{"n": 1, "title": "MES 안내", "source": "mentoring/mes.md"}])
    out = blocks.ticket_blocks(card, note="새 문의", mention="UEXP")
    assert out[0]["text"]["text"] == "전문가 문의 · MES · 높음"
    assert out[1]["text"]["text"] == "<@UEXP> 새 문의"
    texts = json.dumps(out, ensure_ascii=False)
    assert "질문: MES 도입 비용은?" in texts and "봇 초안:\\n초안입니다." in texts
    assert "[1] MES 안내 (mentoring/mes.md)" in texts
    assert "상태: *대기 중*" in texts and "기한: 01/01 09:00" in texts
    assert [b["action_id"] for b in out[-1]["elements"]] == [blocks.A_CLAIM, blocks.A_ANSWER]


def test_claimed_ticket_only_offers_answer_and_answered_offers_nothing() -> None:
    card = blocks.TicketCard(id="t-1", question="q", status="claimed", assignee="김전문")
    out = blocks.ticket_blocks(card)
    assert [b["action_id"] for b in out[-1]["elements"]] == [blocks.A_ANSWER]
    card.status = "answered"
    out = blocks.ticket_blocks(card)
    assert out[-1]["type"] == "context" and "답변 완료" in out[-1]["elements"][0]["text"]
    assert "담당: 김전문" in out[-1]["elements"][0]["text"]


def test_ticket_card_from_view_or_summary_and_merge() -> None:
    summary = {"ticket_id": "t-9", "status": "open", "question": "질문", "topic": "ERP"}
    card = blocks.TicketCard.of_summary(summary)
    assert (card.id, card.status, card.topic) == ("t-9", "open", "ERP")
    newer = blocks.TicketCard(id="t-9", question="", status="answered").over(
        blocks.TicketCard(id="t-9", question="질문", draft="초안"))
    assert (newer.status, newer.question, newer.draft) == ("answered", "질문", "초안")


def test_answer_modal_carries_the_ticket_and_the_draft() -> None:
    view = blocks.answer_modal("t-1", "질문?", {"ch": "CEXP", "ts": "1.2"}, draft="초안")
    assert view["callback_id"] == blocks.V_ANSWER
    assert json.loads(view["private_metadata"]) == {"t": "t-1", "ch": "CEXP", "ts": "1.2"}
    assert view["blocks"][1]["block_id"] == blocks.B_ANSWER_INPUT
    assert view["blocks"][1]["element"]["initial_value"] == "초안"
