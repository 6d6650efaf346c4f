"""The question analysed once: its intent, its language, the retrieval query and its terms.

Everything after this step (retrieval, composition, the decision) reads the `Analysis`;
nothing downstream re-tokenises the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant.answers.composition import question_terms
from assistant.answers.followup import resolve
from assistant.answers.glossary import source_words
from assistant.answers.intent import Intent, classify
from assistant.korean import morphemes
from assistant.types import Turn

ENGLISH_NOTE = "The sources are in Korean, so the answer below quotes them in Korean."

_HANGUL = re.compile(r"[가-힣]")
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")

# English words an owner uses for the topics the knowledge covers -> the Korean terms the
# sources use (the keyword side of retrieval and the sentence picking read these)
GLOSSARY: dict[str, str] = {
    "calculate": "계산", "calculation": "계산", "compute": "계산", "formula": "계산식",
    "oee": "OEE 설비종합효율", "availability": "가동률", "performance": "성능효율", "yield": "양품률",
    "quality": "품질", "ppm": "PPM 불량", "defect": "불량", "defects": "불량", "reject": "불량",
    "inventory": "재고", "stock": "재고", "accuracy": "정확도", "warehouse": "창고",
    "subsidy": "지원금 지원사업", "grant": "지원금", "support": "지원", "funding": "지원금",
    "smart": "스마트", "factory": "스마트공장", "factories": "스마트공장", "plant": "공장",
    "share": "부담금", "contribution": "부담금", "co-payment": "부담금", "copay": "부담금",
    "cost": "비용", "costs": "비용", "price": "비용", "budget": "예산",
    "regional": "지방비", "matching": "매칭", "local": "지방비", "government": "정부",
    "loan": "정책자금 융자", "loans": "정책자금 융자", "interest": "금리 이자", "rate": "비율 금리",
    "apply": "신청", "application": "신청", "deadline": "마감 일정", "schedule": "일정",
    "eligible": "신청 자격", "eligibility": "신청 자격", "checklist": "서류",
    "level": "수준", "assessment": "수준확인", "certificate": "확인서",
    "mes": "MES", "erp": "ERP", "plc": "PLC", "sensor": "센서", "sensors": "센서", "iot": "IoT",
    "maintenance": "보전 유지보수", "predictive": "예지보전", "downtime": "비가동 정지",
    "breakdown": "고장", "vision": "비전검사", "inspection": "검사 점검", "final": "최종점검",
    "tax": "세액공제", "credit": "세액공제", "security": "보안", "cloud": "클라우드",
    "supplier": "공급기업", "suppliers": "공급기업", "vendor": "공급기업", "vendors": "공급기업",
    "training": "교육", "workforce": "인력", "consulting": "컨설팅", "mentor": "멘토",
    "aftercare": "사후관리", "clawback": "환수", "refund": "환수", "rejection": "반려",
    "evaluation": "평가", "business": "사업계획서", "plan": "사업계획서", "lot": "로트",
    "traceability": "추적", "barcode": "바코드", "haccp": "HACCP", "energy": "에너지",
    "pay": "부담금", "company": "기업", "project": "총사업비", "own": "자부담", "documents": "제출 서류",
}


@dataclass
class Analysis:
    """What the rest of the pipeline needs to know about one message."""

    text: str  # the message as typed
    intent: Intent
    query: str  # what is retrieved (a follow-up carries its subject; English adds Korean terms)
    terms: list[str] = field(default_factory=list)  # content terms of the query
    own_terms: list[str] = field(default_factory=list)  # content terms of what is asked now
    language: str = "ko"  # "ko" or "en" (any Latin-script question without Hangul)
    followed: bool = False  # resolved as a follow-up of the previous turn

    def with_query(self, query: str) -> Analysis:
        """The same analysis for another retrieval query (an LLM rewrite of a follow-up)."""
        terms = question_terms(morphemes(query))
        return replace(self, query=query, terms=terms, own_terms=self.own_terms or terms)


def language_of(text: str) -> str:
    hangul, latin = len(_HANGUL.findall(text)), len(_LATIN.findall(text))
    return "en" if latin >= 4 and hangul == 0 else "ko"


def korean_terms(text: str) -> str:
    """The Korean words the sources use for the English words of `text` (glossary order)."""
    found: list[str] = []
    for word in _WORD.findall(text.lower()):
        korean = GLOSSARY.get(word) or GLOSSARY.get(word.rstrip("s"))
        if korean and korean not in found:
            found.append(korean)
    return " ".join(found)


def analyse(text: str, history: list[Turn]) -> Analysis:
    """Intent, language, retrieval query and terms of `text` in its conversation."""
    intent = classify(text)
    language = language_of(text)
    query, followed = resolve(text, history)
    if language == "en":
        bridge = korean_terms(text)
        query = f"{query} {bridge}".strip()
        intent.in_domain = intent.in_domain or bool(bridge)
    if followed:
        prev = classify(query)
        intent.supplier = intent.supplier or (prev.supplier and not intent.human_request)
        intent.in_domain = intent.in_domain or prev.in_domain
    if language == "en":  # the Korean sources share no words with English but the bridge's
        terms = question_terms(morphemes(korean_terms(query)))
        return Analysis(text, intent, query, terms, terms, language, followed)
    bridge = " ".join(source_words(text))  # "공급업체" is searched as the sources' "공급기업" too
    if bridge:
        query, text_and_bridge = f"{query} {bridge}", f"{text} {bridge}"
    else:
        text_and_bridge = text
    terms = question_terms(morphemes(query))
    own_terms = question_terms(morphemes(text_and_bridge)) if query != text_and_bridge else terms
    return Analysis(text, intent, query, terms, own_terms or terms, language, followed)
