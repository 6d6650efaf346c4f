"""Pure converters: Answer / expert answer / ticket -> Slack Block Kit.

Limits kept here (Block Kit): <= 50 blocks a message, section text <= 3000 chars,
context block <= 10 elements, button text <= 75 chars, button value <= 2000 chars.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from assistant.types import Answer, Citation, Decision, TicketView
from channels.calls import plain

SECTION_LIMIT = 3000
CONTEXT_LIMIT = 10
MAX_BLOCKS = 50
FALLBACK_LIMIT = 300

A_FEEDBACK_UP = "fm_feedback_up"
A_FEEDBACK_DOWN = "fm_feedback_down"
A_EXPERT = "fm_expert"
A_ASK_BOT = "fm_ask_bot"
A_CLAIM = "fm_ticket_claim"
A_ANSWER = "fm_ticket_answer"
V_ANSWER = "fm_ticket_answer_modal"
B_ANSWER_INPUT = "fm_answer"
A_ANSWER_INPUT = "text"

_KST = ZoneInfo("Asia/Seoul")
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
STATUS_LABEL = {
    "open": "대기 중",
    "reopened": "다시 열림",
    "claimed": "처리 중",
    "answered": "답변 완료",
    "closed": "종료",
}
PRIORITY_LABEL = {"urgent": "긴급", "high": "높음", "normal": "보통", "low": "낮음"}
ACTIVE_STATUSES = ("open", "reopened", "claimed")


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: only &, < and > are special."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def strip_mentions(text: str) -> str:
    return " ".join(_MENTION.sub(" ", text or "").split())


def _chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split on line ends so every piece fits a section."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        pieces.append(current)
    return pieces or [" "]


def _sections(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in _chunks(escape(text))]


def citation_text(citation: Citation | Mapping[str, Any]) -> str:
    """`[n] <url|title>` when the source has a URL, else `[n] title (source, p.N)`."""
    c = plain(citation)
    n, title, url = c.get("n"), escape(str(c.get("title") or c.get("source") or "")), c.get("url")
    if url and str(url).startswith(("http://", "https://")):
        return f"[{n}] <{url}|{title}>"
    page = c.get("page")
    where = escape(str(c.get("source") or "")) + (f", p.{page}" if page else "")
    return f"[{n}] {title} ({where})" if where else f"[{n}] {title}"


def citations_block(citations: Sequence[Citation | Mapping[str, Any]]) -> dict[str, Any] | None:
    if not citations:
        return None
    elements = [{"type": "mrkdwn", "text": citation_text(c)} for c in citations[:CONTEXT_LIMIT]]
    return {"type": "context", "block_id": "fm_citations", "elements": elements}


def _button(text: str, action_id: str, value: dict[str, Any], style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": json.dumps(value, separators=(",", ":")),
    }
    if style:
        button["style"] = style
    return button


def fallback(text: str) -> str:
    """The notification text that goes with blocks."""
    flat = " ".join(text.split())
    return flat if len(flat) <= FALLBACK_LIMIT else flat[: FALLBACK_LIMIT - 1] + "…"


def answer_blocks(answer: Answer) -> list[dict[str, Any]]:
    """The bot's answer: text, citations as a context block, then 👍 / 👎 / 전문가 연결."""
    blocks = _sections(answer.answer)
    cites = citations_block(answer.citations)
    if cites:
        blocks.append(cites)
    value = {"c": answer.conversation_id, "m": answer.message_id}
    buttons = [
        _button("👍", A_FEEDBACK_UP, value),
        _button("👎", A_FEEDBACK_DOWN, value),
    ]
    if answer.decision == Decision.escalate:
        note = "전문가에게 전달되었습니다. 답변이 오면 이 스레드로 알려 드립니다."
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    elif answer.decision != Decision.declined:
        buttons.append(_button("전문가 연결", A_EXPERT, value, "primary"))
    if answer.offer_ask_bot:  # the message went to the expert: the owner may still ask the bot
        buttons.append(_button("봇에게 묻기", A_ASK_BOT, value, "primary"))
    blocks.append({"type": "actions", "block_id": "fm_answer_actions", "elements": buttons})
    return blocks[:MAX_BLOCKS]


def expert_answer_blocks(text: str, expert: str | None, citations: list[Any]) -> list[dict[str, Any]]:
    who = escape(expert) if expert else "전문가"
    blocks: list[dict[str, Any]] = [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"🧑‍🔧 *{who}* 님의 답변"}]},
        *_sections(text),
    ]
    cites = citations_block(citations)
    if cites:
        blocks.append(cites)
    return blocks[:MAX_BLOCKS]


@dataclass
class TicketCard:
    """What a ticket message shows, from a TicketView or an outbox ticket summary."""

    id: str
    question: str
    status: str = "open"
    topic: str | None = None
    priority: str | None = None
    due_at: str | None = None
    channel: str | None = None
    draft: str | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    assignee: str | None = None

    @classmethod
    def of_view(cls, view: TicketView, **extra: Any) -> TicketCard:
        """The card of a ticket as the service shows it to a staff member."""
        card = cls(id=view.id, question=view.question, status=view.status, topic=view.topic,
                   priority=view.priority, due_at=view.due_at.isoformat() if view.due_at else None,
                   channel=view.channel, draft=view.draft, sources=[dict(s) for s in view.sources],
                   assignee=view.assignee)
        return card.with_(**extra)

    @classmethod
    def of_summary(cls, summary: Mapping[str, Any], **extra: Any) -> TicketCard:
        """The card of the ticket summary an outbox notice carries (`ticket_id`, `question`...)."""
        card = cls(id=str(summary.get("ticket_id") or ""), question=str(summary.get("question") or ""),
                   status=str(summary.get("status") or "open"), topic=summary.get("topic"),
                   priority=summary.get("priority"), due_at=summary.get("due_at"), channel=summary.get("channel"),
                   draft=summary.get("draft"), sources=[dict(s) for s in summary.get("sources") or []])
        return card.with_(**extra)

    def with_(self, **extra: Any) -> TicketCard:
        """This card with the given fields set (None leaves a field as it is)."""
        for key, value in extra.items():
            if value is not None:
                setattr(self, key, value)
        return self

    def over(self, older: TicketCard) -> TicketCard:
        """This card, with what it lacks (sources, draft...) taken from an older one."""
        merged = {k: v if v not in (None, "", []) else getattr(older, k) for k, v in self.__dict__.items()}
        return TicketCard(**merged)


def _due(due_at: str | None) -> str | None:
    if not due_at:
        return None
    try:
        return datetime.fromisoformat(due_at).astimezone(_KST).strftime("%m/%d %H:%M")
    except ValueError:
        return due_at


def ticket_blocks(card: TicketCard, *, note: str | None = None, mention: str | None = None) -> list[dict[str, Any]]:
    """An expert-channel ticket: question, sources, the bot's draft, state, Claim / Answer."""
    priority = PRIORITY_LABEL.get(card.priority or "", card.priority)
    title = " · ".join(x for x in ("전문가 문의", card.topic, priority) if x)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150], "emoji": True}},
    ]
    if note or mention:
        lead = " ".join(x for x in (f"<@{mention}>" if mention else None, escape(note) if note else None) if x)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": lead}})
    blocks += _sections(f"질문: {card.question}")
    cites = citations_block(card.sources)
    if cites:
        blocks.append(cites)
    if card.draft:
        draft = card.draft if len(card.draft) <= 1500 else card.draft[:1499] + "…"
        blocks += _sections(f"봇 초안:\n{draft}")
    state = [f"상태: *{STATUS_LABEL.get(card.status, card.status)}*"]
    if card.assignee:
        state.append(f"담당: {escape(card.assignee)}")
    if _due(card.due_at):
        state.append(f"기한: {_due(card.due_at)}")
    if card.channel:
        state.append(f"채널: {card.channel}")
    state.append(f"ID: `{card.id}`")
    blocks.append({"type": "context", "block_id": "fm_ticket_state",
                   "elements": [{"type": "mrkdwn", "text": " | ".join(state)}]})
    if card.status in ACTIVE_STATUSES:
        value = {"t": card.id}
        buttons = [_button("답변하기 (Answer)", A_ANSWER, value, "primary")]
        if card.status != "claimed":
            buttons.insert(0, _button("맡기 (Claim)", A_CLAIM, value))
        blocks.append({"type": "actions", "block_id": "fm_ticket_actions", "elements": buttons})
    return blocks[:MAX_BLOCKS]


def ticket_text(card: TicketCard) -> str:
    return fallback(f"[전문가 문의 · {STATUS_LABEL.get(card.status, card.status)}] {card.question}")


def answer_modal(ticket_id: str, question: str, metadata: dict[str, Any], draft: str | None = None) -> dict[str, Any]:
    """The modal an expert writes the answer in."""
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": A_ANSWER_INPUT, "multiline": True,
                               "max_length": 3000}
    if draft:
        element["initial_value"] = draft[:3000]
    return {
        "type": "modal",
        "callback_id": V_ANSWER,
        "private_metadata": json.dumps({"t": ticket_id, **metadata}, separators=(",", ":")),
        "title": {"type": "plain_text", "text": "전문가 답변"},
        "submit": {"type": "plain_text", "text": "보내기"},
        "close": {"type": "plain_text", "text": "취소"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": escape(fallback(f"질문: {question}"))}},
            {"type": "input", "block_id": B_ANSWER_INPUT, "element": element,
             "label": {"type": "plain_text", "text": "답변"}},
        ],
    }
