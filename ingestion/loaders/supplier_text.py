"""A supplier profile (one row or object) as readable Korean text, and its field names."""

from __future__ import annotations

from typing import Any

LIST_FIELDS = frozenset({"industries", "solutions", "sizes_served", "levels", "certifications"})

# accepted column / key names -> our field names (CSV headers are often Korean)
_ALIASES = {
    "id": "id", "아이디": "id", "번호": "id",
    "company": "company", "name": "company", "회사": "company", "회사명": "company", "업체명": "company",
    "기업명": "company",
    "summary": "summary", "소개": "summary", "요약": "summary",
    "industries": "industries", "industry": "industries", "업종": "industries",
    "solutions": "solutions", "solution": "solutions", "솔루션": "solutions",
    "region": "region", "지역": "region",
    "sizes_served": "sizes_served", "sizes": "sizes_served", "대상규모": "sizes_served", "대상 규모": "sizes_served",
    "levels": "levels", "level": "levels", "수준": "levels", "지원 수준": "levels",
    "founded": "founded", "설립": "founded", "설립연도": "founded",
    "employees": "employees", "직원수": "employees", "직원 수": "employees",
    "references": "references", "구축 사례": "references", "구축사례": "references",
    "aftercare": "aftercare", "사후관리": "aftercare",
    "certifications": "certifications", "인증": "certifications",
    "contact": "contact", "연락처": "contact",
}
_LABELS = {
    "company": "회사", "summary": "소개", "industries": "업종", "solutions": "솔루션", "region": "지역",
    "sizes_served": "대상 기업 규모", "levels": "지원 가능 수준", "founded": "설립", "employees": "직원 수",
    "certifications": "인증", "references": "구축 사례", "aftercare": "사후관리", "contact": "연락처",
    "fictional": "가상 기업",
}
_SUB_LABELS = {
    "industry": "업종", "project": "과제", "result": "성과", "year": "연도",
    "free_maintenance": "무상 유지보수", "remote_support": "원격 지원", "source_escrow": "소스코드 임치",
    "response_time": "장애 대응", "role": "담당", "name": "담당자", "phone": "전화", "email": "이메일",
}
_ORDER = ("company", "summary", "industries", "solutions", "region", "sizes_served", "levels", "founded",
          "employees", "certifications", "references", "aftercare", "contact")


def normalise_keys(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = str(key).strip()
        out[_ALIASES.get(name.lower(), _ALIASES.get(name, name))] = value
    return out


def split_list(value: Any) -> list[str]:
    """A list field as items: lists as they are, strings split on ';' (else ',')."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [str(v).strip() for v in value.values() if v not in (None, "")]
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if v not in (None, "") and str(v).strip()]
    text = str(value)
    sep = ";" if ";" in text else ","
    return [part.strip() for part in text.split(sep) if part.strip()]


def render(record: dict[str, Any]) -> str:
    lines: list[str] = []
    keys = [k for k in _ORDER if k in record] + [k for k in record if k not in _ORDER and k != "id"]
    for key in keys:
        value = record[key]
        if value is None or value == "" or value == [] or value == {}:
            continue
        label = _LABELS.get(key, key)
        if key in LIST_FIELDS:
            lines.append(f"{label}: {', '.join(split_list(value))}")
        elif key == "founded":
            lines.append(f"{label}: {value}년" if str(value).isdigit() else f"{label}: {value}")
        elif key == "employees":
            lines.append(f"{label}: {value}명" if str(value).isdigit() else f"{label}: {value}")
        elif isinstance(value, bool):
            lines.append(f"{label}: {'예' if value else '아니오'}")
        elif key == "contact":
            lines.append(f"{label}: {_inline(value)}")
        elif isinstance(value, (list, dict)):
            lines.append(f"{label}:")
            lines.extend(_items(value))
        else:
            lines.append(f"{label}: {str(value).strip()}")
    return "\n".join(lines)


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{_SUB_LABELS.get(k, k)} {v}" for k, v in value.items() if v not in (None, ""))
    return ", ".join(split_list(value))


def _items(value: list | dict) -> list[str]:
    if isinstance(value, dict):
        return [f"- {_SUB_LABELS.get(k, k)}: {v}" for k, v in value.items() if v not in (None, "")]
    lines = []
    for item in value:
        if isinstance(item, dict):
            lines.append("- " + " / ".join(f"{_SUB_LABELS.get(k, k)}: {v}" for k, v in item.items() if v))
        elif item not in (None, ""):
            lines.append(f"- {item}")
    return lines
