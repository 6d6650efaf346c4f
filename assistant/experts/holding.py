"""Who answers a message in a conversation that has (or had) a ticket: the rules, decided once.

A pure function, `route(status, message, context)`, used by the answering service for every
channel. The states of the conversation's ticket and what happens to a new message:

| ticket                 | message                                   | answers | copy to the expert |
|------------------------|-------------------------------------------|---------|--------------------|
| none, or closed        | anything                                  | bot     | no                 |
| any                    | sent with "봇에게 묻기"                     | bot     | no                 |
| open/reopened (queued) | about the ticket (see below)              | expert  | yes (attached)     |
| open/reopened (queued) | a question of its own                     | bot     | only in its thread |
| claimed (expert on it) | anything                                  | expert  | yes                |
| answered               | about the ticket (a reply to the expert)  | expert  | yes                |
| answered               | a question of its own                     | bot     | only in its thread |

- The bot stays quiet only while an expert is actively on the question (claimed, not yet
  answered); the owner can still ask the bot ("봇에게 묻기" on the web page, a Slack button,
  a Kakao quick reply, or a message starting with "봇에게 묻기").
- A message is *about the ticket* when it is short (at most `ABOUT_MAX_CHARS` characters)
  and speaks of the hand-off itself: waiting for or thanking for the answer ("언제 답 와요?",
  "감사합니다"), adding material ("사진 보내 드릴게요"), or asking for the person ("담당자").
  Anything else is a question of its own and the bot answers it.
- *In the ticket's thread*: a Slack message in the thread where the ticket was raised. The
  expert gets a copy of it even when the bot answers it.
Every verdict carries a short Korean line that says plainly who is answering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ABOUT_MAX_CHARS = 40
ASK_BOT = "봇에게 묻기"
QUEUED = ("open", "reopened")
_ASK_BOT_PREFIX = re.compile(r"^\s*\[?봇에게\s*묻기\]?\s*[:：-]?\s*")
# words that speak of the hand-off itself (matched with spaces removed)
_ABOUT_WORDS = (
    "답와", "답이와", "답변", "답장", "언제쯤", "아직", "기다리", "기다릴", "기다려", "전문가", "담당자", "담당",
    "연락", "사람", "상담", "사진", "첨부", "파일", "도면", "보내드릴", "보내드려", "보내겠", "보낼게", "보낼께",
    "감사", "고맙", "고마워", "알겠", "확인했", "부탁", "수고",
)

Answerer = Literal["bot", "expert"]

HOLD_TEXT = ("{who} 이 질문의 답변을 작성하고 있어요. 남겨 주신 메시지도 전문가에게 전달했습니다. "
             f"기다리지 않고 봇의 답을 보시려면 '{ASK_BOT}'를 눌러 주세요.")
ATTACHED_TEXT = ("전문가 답변을 기다리는 문의에 이 메시지를 덧붙여 전달했어요. 다른 궁금한 점은 봇이 바로 "
                 f"답해 드립니다. 지금 봇의 답을 원하시면 '{ASK_BOT}'를 눌러 주세요.")
REPLY_TEXT = "이 메시지를 답변한 전문가에게 전달했어요. 새 질문에는 봇이 바로 답해 드립니다."
QUEUED_BOT_TEXT = "전문가 답변을 기다리는 동안, 이 질문에는 봇이 답합니다."
ASKED_BOT_TEXT = f"'{ASK_BOT}'로 봇이 답합니다. 전문가 답변은 오는 대로 이 대화에 따로 보내 드려요."
AFTER_ANSWER_TEXT = "전문가 답변이 끝난 문의와 별개의 새 질문이라 봇이 답합니다."


@dataclass(frozen=True)
class Context:
    """What the channel knows about the message."""

    ask_bot: bool = False  # sent through "봇에게 묻기"
    in_ticket_thread: bool = False  # a reply in the Slack thread where the ticket was raised
    expert_name: str | None = None  # the expert holding the ticket, for the notice


@dataclass(frozen=True)
class Routing:
    """Who answers, whether the ticket's expert gets the message, and the line saying so."""

    answerer: Answerer
    relay: bool
    reason: str
    notice: str | None = None

    @property
    def held(self) -> bool:
        """The bot does not answer (the channel offers "봇에게 묻기")."""
        return self.answerer == "expert"


def ask_bot_request(text: str) -> tuple[bool, str]:
    """(True, the question) for a message starting with "봇에게 묻기"; else (False, text)."""
    match = _ASK_BOT_PREFIX.match(text)
    if not match:
        return False, text
    return True, text[match.end():].strip()


def about_ticket(message: str) -> bool:
    """A short message about the hand-off itself, with no question of its own."""
    text = message.strip()
    if not text or len(text) > ABOUT_MAX_CHARS:
        return False
    squeezed = re.sub(r"\s+", "", text)
    return any(word in squeezed for word in _ABOUT_WORDS)


def route(status: str | None, message: str, context: Context = Context()) -> Routing:
    """The verdict for one message, from the status of the conversation's active ticket
    (None when it has none; `closed` counts as none)."""
    if status in (None, "closed"):
        return Routing("bot", False, "no_ticket")
    if context.ask_bot:
        return Routing("bot", False, "asked_bot", ASKED_BOT_TEXT)
    if status == "claimed":
        who = f"{context.expert_name} 전문가가" if context.expert_name else "전문가가"
        return Routing("expert", True, "held_by_human", HOLD_TEXT.format(who=who))
    about = about_ticket(message)
    if status in QUEUED:
        if about:
            return Routing("expert", True, "attached_to_ticket", ATTACHED_TEXT)
        return Routing("bot", context.in_ticket_thread, "queued_bot_answers", QUEUED_BOT_TEXT)
    if status == "answered":
        if about:
            return Routing("expert", True, "reply_to_expert", REPLY_TEXT)
        return Routing("bot", context.in_ticket_thread, "after_expert_answer", AFTER_ANSWER_TEXT)
    raise ValueError(f"unknown ticket status {status!r}")
