"""Pure converters: Answer -> Kakao i Open Builder skill response (version 2.0).

Every platform limit is enforced here (see CHANNELS.md):
- 1 to 3 outputs; simpleText <= 1000 chars (long answers split into <= 3 parts of <= 900);
- quickReplies <= 10, labels <= 14 chars;
- listCard: header required, <= 5 items (<= 4 inside a carousel); carousel <= 10 cards
  (5 for listCards); textCard title <= 50, description <= 400;
- the whole response <= 30,720 bytes (outputs dropped or shortened until it fits).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assistant.experts.holding import ASK_BOT
from assistant.links import safe_url
from assistant.types import Answer, Citation, Decision
from channels.calls import plain

VERSION = "2.0"
SIMPLE_TEXT_MAX = 1000
PART_MAX = 900
MAX_OUTPUTS = 3
MAX_QUICK_REPLIES = 10
QUICK_LABEL_MAX = 14
LIST_ITEMS_MAX = 5
LIST_ITEMS_IN_CAROUSEL = 4
LIST_CAROUSEL_MAX = 5
TITLE_MAX = 50
LIST_DESCRIPTION_MAX = 100
RESPONSE_MAX_BYTES = 30_720

Q_EXPERT = "전문가 연결"
Q_SOURCES = "출처 보기"
Q_EXPERT_CHECK = "전문가 답변 확인"
Q_ANSWER_CHECK = "답변 확인"
Q_ASK_BOT = ASK_BOT  # sent as the utterance; the core answers the owner's last message
# Kakao cannot push: an escalated question's owner is told where the expert's answer will appear
LATER_NOTE = "카카오톡에서는 전문가 답변이 오면 다음에 메시지를 보내실 때 먼저 보여 드려요. '전문가 답변 확인'을 눌러도 됩니다."
_NUMBERED = re.compile(r"^\s*\d{1,2}\.\s")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|(?<=다\.)|\n")


def clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, *, limit: int = PART_MAX, max_parts: int = MAX_OUTPUTS) -> list[str]:
    """Up to `max_parts` pieces of <= `limit` chars, cut at line or sentence ends; the last
    piece is clipped with an ellipsis when the text is longer still."""
    text = text.strip()
    if not text:
        return []
    parts: list[str] = []
    rest = text
    while rest and len(parts) < max_parts:
        if len(rest) <= limit:
            parts.append(rest)
            rest = ""
            break
        if len(parts) == max_parts - 1:
            parts.append(clip(rest, limit))
            rest = ""
            break
        window = rest[:limit]
        cut = max(window.rfind("\n"), *(m.end() for m in _SENTENCE_END.finditer(window)), 0)
        if cut < limit // 3:  # no good boundary: cut at a space, else hard
            cut = window.rfind(" ") if window.rfind(" ") > limit // 3 else limit
        parts.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    return [p for p in parts if p]


def simple_text(text: str) -> dict[str, Any]:
    return {"simpleText": {"text": clip(text, SIMPLE_TEXT_MAX) or " "}}


def quick_reply(label: str, message: str | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    reply: dict[str, Any] = {"label": clip(label, QUICK_LABEL_MAX), "action": "message",
                             "messageText": message or label}
    if extra:
        reply["extra"] = extra
    return reply


def quick_replies(labels: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for reply in labels:
        if reply["label"] in seen:
            continue
        seen.add(reply["label"])
        out.append(reply)
    return out[:MAX_QUICK_REPLIES]


def list_card(header: str, items: Sequence[dict[str, Any]], *, max_items: int = LIST_ITEMS_MAX) -> dict[str, Any]:
    """`items`: {title, description, url?}."""
    rows = []
    for item in items[:max_items]:
        row: dict[str, Any] = {"title": clip(str(item["title"]), TITLE_MAX)}
        if item.get("description"):
            row["description"] = clip(str(item["description"]), LIST_DESCRIPTION_MAX)
        url = safe_url(item.get("url"))  # http(s) only: never a javascript: or data: link
        if url:
            row["link"] = {"web": url}
        rows.append(row)
    return {"listCard": {"header": {"title": clip(header, TITLE_MAX)}, "items": rows}}


def list_output(header: str, items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One listCard, or a carousel of listCards when there are more than 5 items."""
    if len(items) <= LIST_ITEMS_MAX:
        return list_card(header, items)
    size = LIST_ITEMS_IN_CAROUSEL
    groups = [items[i : i + size] for i in range(0, len(items), size)][:LIST_CAROUSEL_MAX]
    cards = [list_card(header, g, max_items=size)["listCard"] for g in groups]
    return {"carousel": {"type": "listCard", "items": cards}}


def citation_label(citation: Citation | Mapping[str, Any]) -> str:
    c = plain(citation)
    return f"[{c.get('n')}] {c.get('title') or c.get('source')}"


def citations_line(citations: Sequence[Any], *, limit: int = 3) -> str:
    """The short source list under an answer: `출처: [1] 제목 · [2] 제목`."""
    labels = [clip(citation_label(c), 40) for c in citations[:limit]]
    more = f" 외 {len(citations) - limit}건" if len(citations) > limit else ""
    return "출처: " + " · ".join(labels) + more if labels else ""


def response(outputs: list[dict[str, Any]], replies: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    template: dict[str, Any] = {"outputs": outputs[:MAX_OUTPUTS] or [simple_text(" ")]}
    if replies:
        template["quickReplies"] = quick_replies(replies)
    return fit({"version": VERSION, "template": template})


def size_of(body: dict[str, Any]) -> int:
    return len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def fit(body: dict[str, Any], max_bytes: int = RESPONSE_MAX_BYTES) -> dict[str, Any]:
    """Drop trailing outputs, then halve the first text, until the response fits."""
    outputs = body.get("template", {}).get("outputs", [])
    while size_of(body) > max_bytes:
        if len(outputs) > 1:
            outputs.pop()
        elif outputs and "simpleText" in outputs[0] and len(outputs[0]["simpleText"]["text"]) > 10:
            text = outputs[0]["simpleText"]["text"]
            outputs[0] = simple_text(clip(text, len(text) // 2))
        else:
            outputs[:] = [simple_text("답변이 너무 길어 표시할 수 없습니다.")]
            break
    return body


def text_response(text: str, replies: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    return response([simple_text(p) for p in split_text(text)] or [simple_text(" ")], replies)


def use_callback(text: str = "답변을 준비하고 있어요. 잠시만 기다려 주세요.") -> dict[str, Any]:
    return {"version": VERSION, "useCallback": True, "data": {"text": text}}


def expert_notice(delivery: dict[str, Any]) -> str:
    """An expert's answer waiting for a Kakao user, as one text."""
    payload = delivery.get("payload") or delivery
    if (payload.get("kind") or payload.get("type") or "expert_answer") != "expert_answer":
        return str(payload.get("text") or "")  # a staff notice for a staff member on KakaoTalk
    who = payload.get("expert") or "전문가"
    question = payload.get("question")
    head = f"🧑‍🔧 {who}님의 답변" + (f" (질문: {clip(str(question), 40)})" if question else "")
    cites = citations_line(payload.get("citations") or [])
    return "\n".join(x for x in (head, str(payload.get("text") or ""), cites) if x)


def _supplier_items(answer: Answer) -> list[dict[str, Any]]:
    by_n = {c.n: c for c in answer.citations}
    items = []
    for s in answer.suppliers:
        n = s.get("n")
        c = by_n.get(n) if isinstance(n, int) else None
        items.append({"title": s.get("company") or (c.title if c else ""), "description": s.get("reason"),
                      "url": c.url if c else None})
    return items


def answer_response(
    answer: Answer, *, notices: Sequence[str] = (), waiting_expert: bool = False
) -> dict[str, Any]:
    """Expert answers that were waiting first, then the answer (split), sources, suppliers."""
    outputs = [simple_text(n) for n in notices[: MAX_OUTPUTS - 1]]
    tail: list[dict[str, Any]] = []
    text = answer.answer
    if answer.ticket_id:
        text = f"{text}\n\n{LATER_NOTE}"
    if answer.suppliers:
        tail.append(list_output("추천 공급기업", _supplier_items(answer)))
        text = "\n".join(line for line in text.split("\n") if not _NUMBERED.match(line))
    slots = MAX_OUTPUTS - len(outputs) - len(tail)
    parts = split_text(text, max_parts=slots) or [" "]
    cites = citations_line(answer.citations) if not answer.suppliers else ""
    if cites and len(parts[-1]) + 2 + len(cites) <= SIMPLE_TEXT_MAX:
        parts[-1] = f"{parts[-1]}\n\n{cites}"
    elif cites and len(parts) < slots:
        parts.append(cites)
    outputs += [simple_text(p) for p in parts] + tail
    replies = [quick_reply(Q_ASK_BOT)] if answer.offer_ask_bot else []
    if waiting_expert or answer.decision == Decision.escalate:
        replies.append(quick_reply(Q_EXPERT_CHECK))
    elif answer.decision in (Decision.answered, Decision.offer_expert):
        replies.append(quick_reply(Q_EXPERT))
    if answer.citations:
        replies.append(quick_reply(Q_SOURCES))
    replies += [quick_reply(f, f) for f in answer.follow_ups]
    return response(outputs, replies)


def sources_response(citations: Sequence[Any]) -> dict[str, Any]:
    """The last answer's sources as a listCard (linked where a URL exists)."""
    if not citations:
        return text_response("직전 답변에는 출처가 없습니다.")
    items = []
    for citation in citations:
        c = plain(citation)
        page = c.get("page")
        where = str(c.get("source") or "") + (f" p.{page}" if page else "")
        items.append({"title": citation_label(c), "description": where, "url": c.get("url")})
    return response([list_output("답변 출처", items)])
