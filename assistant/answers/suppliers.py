"""Supplier recommendation: rank the supplier profiles by fit with what the owner needs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answers.intent import find_industry, find_region
from assistant.answers.retrieval import Hit
from assistant.stores.catalog import Chunk

# solution label -> words an owner uses for it
SOLUTION_WORDS: dict[str, tuple[str, ...]] = {
    "MES": ("mes", "작업지시", "생산관리", "생산 관리", "공정관리", "실적 집계", "작업일보"),
    "ERP": ("erp", "회계", "수주", "구매관리", "원가"),
    "PLM": ("plm", "설계 변경", "도면 관리", "bom"),
    "SCM": ("scm", "발주 연동", "협력사 발주", "공급망"),
    "설비 자동화": ("자동화", "로봇", "이송", "협동로봇", "무인"),
    "품질": ("품질", "검사 기록", "haccp", "해썹", "성적서", "spc"),
    "에너지": ("에너지", "전기요금", "전력", "보일러", "냉동창고 전기", "fems", "ems"),
    "AI 비전검사": ("비전", "외관", "카메라", "영상 검사", "불량 검사", "눈으로 보는", "육안"),
    "예지보전": ("예지", "고장 예측", "고장 예지", "진동", "이상 감지", "이상이나 고장"),
    "스마트센서/IoT": ("센서", "iot", "모니터링", "알림", "온도 관리", "온도관리"),
    "클라우드 MES": ("클라우드", "구독", "saas", "서버 없이", "서버없이", "서버 안", "폰으로", "월 구독"),
    "물류자동화": ("창고", "물류", "자동창고", "피킹", "입출고 자동"),
    "보안": ("보안", "랜섬웨어", "해킹", "망분리"),
    "치과 CAD/CAM": ("구강스캐너", "구강 스캐너", "스캐너", "밀링", "캐드", "cad"),
}
_SIZE = re.compile(r"(\d{1,4})\s*(?:명|인)|직원\s*(\d{1,4})")
_LEVEL = re.compile(r"수준\s*([1-5])")
_CORPORATE = re.compile(r"\(주\)|㈜|주식회사|\s+")  # "(주)한빛엠이에스" is asked for as "한빛엠이에스"


@dataclass
class Need:
    solutions: list[str] = field(default_factory=list)
    industry: str | None = None
    region: str | None = None
    headcount: int | None = None
    level: int | None = None
    escrow: bool = False

    @property
    def size_label(self) -> str | None:
        if self.headcount is None:
            return None
        if self.headcount < 10:
            return "소공인"
        return "소기업" if self.headcount < 50 else "중기업"

    def missing(self) -> list[str]:
        out = []
        if not self.region:
            out.append("지역")
        if not self.industry:
            out.append("업종")
        if self.headcount is None:
            out.append("직원 수")
        out.append("예산")
        return out


@dataclass
class Match:
    chunk: Chunk
    score: float
    reasons: list[str]

    @property
    def company(self) -> str:
        return str(self.chunk.metadata.get("company") or self.chunk.title)


def parse_need(text: str) -> Need:
    low = text.lower()
    need = Need(region=find_region(text), industry=find_industry(text))
    need.solutions = [label for label, words in SOLUTION_WORDS.items() if any(w in low for w in words)]
    if m := _SIZE.search(text):
        need.headcount = int(m.group(1) or m.group(2))
    if m := _LEVEL.search(text):
        need.level = int(m.group(1))
    need.escrow = "임치" in text or "소스코드" in text
    return need


def _listed(meta: dict, key: str) -> list[str]:
    return [s.strip() for s in str(meta.get(key) or "").split(",") if s.strip()]


def _fit(need: Need, chunk: Chunk, text: str) -> tuple[float, list[str]]:
    meta = chunk.metadata
    solutions = _listed(meta, "solutions")
    industries = _listed(meta, "industries")
    sizes = str(meta.get("sizes_served") or "")
    levels = _listed(meta, "levels")
    score, reasons = 0.0, []
    matched = [s for s in need.solutions if any(s.lower() in x.lower() or x.lower() in s.lower() for x in solutions)]
    if matched:
        score += 3.0 + 0.5 * (len(matched) - 1)
        reasons.append(f"{', '.join(matched)} 구축")
    elif need.solutions:
        score -= 2.0
    if need.industry and any(need.industry.split("·")[0] in i for i in industries):
        score += 2.0
        reasons.append(f"{need.industry} 업종 경험")
    if need.region and need.region == str(meta.get("region") or ""):
        score += 2.0
        reasons.append(f"{need.region} 소재")
    if need.size_label and need.size_label in sizes:
        score += 1.0
        reasons.append(f"{need.size_label} 규모 지원")
    if need.level and str(need.level) in levels:
        score += 1.0
        reasons.append(f"수준{need.level} 구축")
    if need.escrow and "임치 가입" in text:
        score += 1.5
        reasons.append("소스코드 임치")
    if "haccp" in " ".join(need.solutions).lower() or ("HACCP" in text and need.industry == "식품"):
        score += 0.5
    return score, reasons


def rank(need: Need, profiles: list[Chunk], relevance: dict[str, float], k: int = 3) -> list[Match]:
    """Best profiles first: structured fit, then retrieval relevance as a tie-breaker."""
    first_chunks: dict[str, Chunk] = {}
    texts: dict[str, list[str]] = {}
    for chunk in profiles:
        first_chunks.setdefault(chunk.source, chunk)
        texts.setdefault(chunk.source, []).append(chunk.text)
    scored = []
    for source, chunk in first_chunks.items():
        fit, reasons = _fit(need, chunk, "\n".join(texts[source]))
        scored.append(Match(chunk, fit + 1.5 * relevance.get(source, 0.0), reasons))
    scored.sort(key=lambda m: -m.score)
    return [m for m in scored[:k] if m.score > 0]


def without_unasked_profiles(hits: list[Hit], query: str) -> list[Hit]:
    """The hits an answer may quote when the owner did not ask for a supplier: only the profile
    of a company the question names, or else no profile. A profile that merely shares words
    ("사출 공장 구축 실적이 80곳을 넘습니다") does not answer "사출기 데이터를 모을 수
    있나"; the policy or case that does may sit just below it. All hits if nothing else is left."""
    asked = _CORPORATE.sub("", query)
    named = [h for h in hits if h.chunk.kind == "supplier" and _named(h.chunk, asked)]
    if named:
        return named  # "한빛엠이에스 사후관리는요?" asks about that company, not about 사후관리 in general
    return [h for h in hits if h.chunk.kind != "supplier"] or hits


def _named(profile: Chunk, asked: str) -> bool:
    name = _CORPORATE.sub("", str(profile.metadata.get("company") or profile.title))
    return bool(name) and name in asked
