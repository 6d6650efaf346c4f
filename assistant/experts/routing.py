"""Which topic a question is about, and which expert should answer it.

Topic: keyword rules over the expertise tags, scored on the question (weight 2), the
titles of the retrieved sources (weight 1) and their kinds (a subsidy document points to
지원사업, a supplier profile to 공급기업 선정). No hit: `GENERAL_TOPIC`.

Expert: among active, accepting experts with that expertise (or a generalist tag), under
capacity, prefer specialists, then the asker's region, then the fewest open tickets
(open, reopened or claimed); remaining ties by id, so routing is stable. Nobody fits:
None, and the ticket waits in the queue for a mentor or any expert to claim it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.models import Expert, Ticket, TicketStatus, User
from assistant.types import Citation

logger = logging.getLogger(__name__)

GENERAL_TOPIC = "일반"
GENERALIST_TAGS = frozenset({"일반", "전체", "*"})
LOAD_STATUSES: tuple[str, ...] = (TicketStatus.open, TicketStatus.reopened, TicketStatus.claimed)

# tag -> keywords (matched case-insensitively as substrings); the order breaks ties
TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "정책자금": ("정책자금", "융자", "대출", "보증", "금리", "정책금융", "운전자금", "시설자금"),
    "지원사업": (
        "지원사업",
        "보조금",
        "지원금",
        "정부지원",
        "정부 지원",
        "공고",
        "매칭",
        "부담금",
        "바우처",
        "보급사업",
        "보급·확산",
        "수준확인",
        "사업계획서",
        "선정평가",
        "신청",
    ),
    "공급기업 선정": (
        "공급기업",
        "공급사",
        "업체 선정",
        "업체 추천",
        "업체를",
        "벤더",
        "구축업체",
        "견적",
        "도입업체",
        "유지보수 업체",
        "폐업",
        "솔루션 업체",
    ),
    "MES": ("mes", "생산관리", "작업지시", "공정관리", "생산실적", "실적관리", "pop", "로트", "lot", "추적"),
    "ERP": ("erp", "회계", "재고", "구매", "발주", "자재", "원가", "영업관리"),
    "PLM": ("plm", "설계", "도면", "bom", "cad", "설계변경", "제품개발"),
    "품질": ("품질", "불량", "검사", "수율", "spc", "haccp", "ppm", "클레임", "iso"),
    "자동화": (
        "자동화",
        "로봇",
        "plc",
        "센서",
        "iot",
        "설비",
        "비전",
        "예지보전",
        "보전",
        "데이터 수집",
        "가동률",
    ),
}
KIND_TOPICS: dict[str, str] = {"subsidy": "지원사업", "supplier": "공급기업 선정"}


def _hits(text: str, keywords: Iterable[str]) -> int:
    lowered = text.casefold()
    return sum(1 for k in keywords if k in lowered)


def _source_fields(source: Citation | Mapping[str, Any]) -> tuple[str, str]:
    if isinstance(source, Citation):
        return source.title or "", source.kind or ""
    return str(source.get("title") or ""), str(source.get("kind") or "")


def topic_for(question: str, sources: Sequence[Citation | Mapping[str, Any]] = ()) -> str:
    """The expertise tag a question belongs to, or `GENERAL_TOPIC`."""
    scores = {tag: 2 * _hits(question, words) for tag, words in TOPIC_KEYWORDS.items()}
    for source in sources:
        title, kind = _source_fields(source)
        for tag, words in TOPIC_KEYWORDS.items():
            scores[tag] += _hits(title, words)
        if kind in KIND_TOPICS:
            scores[KIND_TOPICS[kind]] += 1
    best = max(scores, key=lambda tag: scores[tag])  # first in TOPIC_KEYWORDS order on ties
    return best if scores[best] > 0 else GENERAL_TOPIC


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
