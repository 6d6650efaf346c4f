"""Which topic a question is about, and which expert should answer it.

Topic: keyword rules over the expertise tags, scored on the question itself (the bot's
sources are not asked: a request for a person retrieves whatever is near "상담", and its
titles must not file the ticket under 품질). A keyword counts each time it occurs; a strong
keyword weighs 2, a weak one ("신청", "설계") 1. Unless some topic reaches 2 the question
alone is unsure, and the conversation's earlier questions (most recent first) are scored
the same way; still nothing: `GENERAL_TOPIC` (미분류), for a person to file. Ties go to the
earlier topic in `TOPIC_KEYWORDS`: a legal or safety judgement before the system it names.

Expert: among active, accepting experts with that expertise (or a generalist tag), under
capacity, prefer specialists, then the asker's region, then the fewest open tickets
(open, reopened or claimed); remaining ties by id, so routing is stable. Nobody fits:
None, and the ticket waits in the queue for a mentor or any expert to claim it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.models import Expert, Ticket, TicketStatus, User

logger = logging.getLogger(__name__)

GENERAL_TOPIC = "미분류"
GENERALIST_TAGS = frozenset({"일반", "전체", "*"})
LOAD_STATUSES: tuple[str, ...] = (TicketStatus.open, TicketStatus.reopened, TicketStatus.claimed)
SURE = 2  # the score a topic needs (one strong keyword, or two weak ones)

# tag -> (strong keywords, weak keywords), matched case-insensitively as substrings; the
# order breaks ties
TOPIC_KEYWORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "계약·법률": (("계약", "소송", "법적", "법률", "불법", "위반", "분쟁", "특허", "침해", "베꼈", "해고",
                 "노동청", "노무", "지체상금", "조항", "손해배상", "변호사"), ()),
    "안전·인증": (("안전장치", "안전인증", "안전 인증", "안전사고", "안전관리", "산업안전", "중대재해", "산재",
                 "펜스", "지게차", "면허", "kc "), ()),
    "정책자금": (("정책자금", "융자", "대출", "보증", "금리", "정책금융", "운전자금", "시설자금"), ()),
    "지원사업": (("지원사업", "보조금", "지원금", "정부지원", "정부 지원", "지원받", "공고", "매칭", "부담금",
                "바우처", "보급사업", "보급·확산", "수준확인", "사업계획서", "선정평가", "현장평가", "사후관리",
                "성과보고", "환수", "총사업비", "추가모집", "지원 한도", "과제"), ("신청", "접수", "심사")),
    "공급기업 선정": (("공급기업", "공급사", "업체 선정", "업체 추천", "업체를", "벤더", "구축업체", "견적",
                   "도입업체", "유지보수 업체", "폐업", "솔루션 업체"), ()),
    "MES": (("mes", "생산관리", "작업지시", "공정관리", "생산실적", "실적관리", "pop", "로트"), ("lot", "추적")),
    "ERP": (("erp", "회계", "재고", "발주", "자재", "원가", "영업관리"), ("구매",)),
    "PLM": (("plm", "도면", "bom", "cad", "설계변경", "제품개발"), ("설계",)),
    "품질": (("품질", "불량", "검사", "수율", "spc", "haccp", "ppm", "클레임", "iso"), ()),
    "자동화": (("자동화", "로봇", "plc", "센서", "iot", "설비", "비전", "예지보전", "보전", "데이터 수집",
              "가동률", "알람", "hmi", "mqtt", "rfid"), ()),
}
TICKET_TOPICS: tuple[str, ...] = (*TOPIC_KEYWORDS, GENERAL_TOPIC)


def _score(text: str, strong: Iterable[str], weak: Iterable[str]) -> int:
    lowered = f"{text.casefold()} "
    return 2 * sum(lowered.count(k) for k in strong) + sum(lowered.count(k) for k in weak)


def _sure_topic(text: str) -> str | None:
    scores = {tag: _score(text, strong, weak) for tag, (strong, weak) in TOPIC_KEYWORDS.items()}
    best = max(scores, key=lambda tag: scores[tag])  # first in TOPIC_KEYWORDS order on ties
    return best if scores[best] >= SURE else None


def topic_for(question: str, earlier: Sequence[str] = ()) -> str:
    """The expertise tag a question belongs to: from the question, else from the owner's
    earlier questions in the conversation (`earlier`, oldest first), else `GENERAL_TOPIC`."""
    for text in (question, *reversed(earlier)):
        if (topic := _sure_topic(text)) is not None:
            return topic
    return GENERAL_TOPIC


@dataclass(frozen=True)
class Candidate:
    expert: Expert
    load: int
    specialist: bool
    in_region: bool

    @property
    def user_id(self) -> str:
        return self.expert.user_id

    def reason(self, topic: str) -> str:
        parts = [f"topic={topic}", f"load={self.load}/{self.expert.capacity}"]
        parts.append("specialist" if self.specialist else "generalist")
        parts.append("in-region" if self.in_region else "other-region")
        return ", ".join(parts)


def _norm(value: str) -> str:
    return value.strip().casefold()


def open_loads(session: Session, *, user_ids: Iterable[str]) -> dict[str, int]:
    """Open, reopened and claimed tickets held by each of these users."""
    ids = list(user_ids)
    if not ids:
        return {}
    query = (
        select(Ticket.assignee_id, func.count())
        .where(Ticket.assignee_id.in_(ids), Ticket.status.in_(LOAD_STATUSES))
        .group_by(Ticket.assignee_id)
    )
    counts = {user_id: int(n) for user_id, n in session.execute(query)}
    return {user_id: counts.get(user_id, 0) for user_id in ids}


def rank_experts(
    session: Session, *, topic: str, region: str | None = None, exclude: Iterable[str] = ()
) -> list[Candidate]:
    """Every expert who could take a ticket on `topic` now, best first."""
    excluded = set(exclude)
    query = (
        select(Expert)
        .join(User, User.id == Expert.user_id)
        .where(User.active.is_(True), Expert.accepting.is_(True))
        .order_by(Expert.user_id)
        .with_for_update(of=Expert)  # serialise routing on PostgreSQL so capacity holds
    )
    experts = [e for e in session.scalars(query).unique() if e.user_id not in excluded]
    wanted = _norm(topic)
    region_key = _norm(region) if region else None
    fitting: list[tuple[Expert, bool]] = []
    for expert in experts:
        tags = {_norm(t) for t in expert.expertise or []}
        if wanted in tags:
            fitting.append((expert, True))
        elif tags & GENERALIST_TAGS:
            fitting.append((expert, False))
    loads = open_loads(session, user_ids=[e.user_id for e, _ in fitting])
    candidates = [
        Candidate(
            expert=e,
            load=loads[e.user_id],
            specialist=specialist,
            in_region=region_key is not None and region_key in {_norm(r) for r in e.regions or []},
        )
        for e, specialist in fitting
        if loads[e.user_id] < e.capacity
    ]
    candidates.sort(key=lambda c: (not c.specialist, not c.in_region, c.load, c.user_id))
    return candidates


def pick_expert(
    session: Session, *, topic: str, region: str | None = None, exclude: Iterable[str] = ()
) -> Candidate | None:
    """The best expert for a ticket, or None (the ticket waits in the queue)."""
    ranked = rank_experts(session, topic=topic, region=region, exclude=exclude)
    if not ranked:
        logger.info("no expert available for topic %s (region %s): queued", topic, region)
        return None
    return ranked[0]
