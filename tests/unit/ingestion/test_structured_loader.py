"""Supplier profiles in CSV, JSON and YAML: one document per row or object."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from ingestion.documents import LoadError
from ingestion.loaders import load

from .conftest import REPO

CSV = (
    "id,company,industries,solutions,region,sizes_served,levels,founded,employees,certifications,contact\n"
    'S101,(주)가람시스템,식품;음료,MES;품질,경기,소기업(10~49인),1;2,2012,35,ISO 9001,"영업팀, 031-0000-1111"\n'
    ",,금속가공,ERP,서울,,,,,,\n"
    'S102,바른정보,"금속가공, 기계부품",ERP,경남,,2,2018,12,,\n'
)


def test_csv_in_cp949(kb: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = kb / "suppliers" / "partners.csv"
    path.write_bytes(CSV.encode("cp949"))
    with caplog.at_level(logging.WARNING):
        docs = load(path, kb)
    assert [d.source for d in docs] == ["suppliers/partners.csv#S101", "suppliers/partners.csv#S102"]
    assert "no company name" in caplog.text  # the row without a company is skipped, not fatal
    first = docs[0]
    assert first.title == "(주)가람시스템"
    assert first.kind == "supplier"
    assert first.metadata["industries"] == "식품,음료"
    assert first.metadata["solutions"] == "MES,품질"
    assert first.metadata["levels"] == "1,2"
    assert first.metadata["founded"] == 2012 and first.metadata["employees"] == 35
    assert first.metadata["contact"] == "영업팀, 031-0000-1111"
    assert "회사: (주)가람시스템\n업종: 식품, 음료\n솔루션: MES, 품질\n지역: 경기" in first.text
    assert "직원 수: 35명" in first.text
    assert docs[1].metadata["industries"] == "금속가공,기계부품"


def test_json_list_and_profiles_mapping(kb: Path) -> None:
    profile = {"company": "한결테크", "industries": ["사출"], "solutions": ["MES", "설비모니터링"], "region": "인천",
               "contact": {"role": "기술영업", "phone": "032-0000-2222", "email": "sales@example.com"}}
    listed = kb / "suppliers" / "list.json"
    listed.write_text(json.dumps([profile], ensure_ascii=False), encoding="utf-8")
    mapped = kb / "suppliers" / "mapped.json"
    mapped.write_text(json.dumps({"profiles": [{**profile, "id": "H1"}]}, ensure_ascii=False), encoding="utf-8")

    (from_list,) = load(listed, kb)
    assert from_list.source == "suppliers/list.json#1"  # no id: the row number
    assert from_list.metadata["contact"] == "기술영업, 032-0000-2222, sales@example.com"
    assert "연락처: 담당 기술영업, 전화 032-0000-2222, 이메일 sales@example.com" in from_list.text
    (from_mapping,) = load(mapped, kb)
    assert from_mapping.source == "suppliers/mapped.json#H1"


def test_yaml_with_nested_fields(kb: Path) -> None:
    path = kb / "suppliers" / "profiles.yml"
    path.write_text(
        """suppliers:
  - id: Y1
    company: 누리자동화
    industries: [기계부품]
    levels: [2, 3]
    references:
      - industry: 기계부품
        project: 창원 가공 공장 설비 모니터링
        result: 비가동 시간 20% 감소
    aftercare:
      free_maintenance: 1년 무상
""",
        encoding="utf-8",
    )
    (doc,) = load(path, kb)
    assert doc.source == "suppliers/profiles.yml#Y1"
    assert doc.metadata["levels"] == "2,3"
    assert "구축 사례:\n- 업종: 기계부품 / 과제: 창원 가공 공장 설비 모니터링 / 성과: 비가동 시간 20% 감소" in doc.text
    assert "사후관리:\n- 무상 유지보수: 1년 무상" in doc.text
    assert all(isinstance(v, (str, int, float, bool)) for v in doc.metadata.values())


def test_file_without_any_company_is_a_load_error(kb: Path) -> None:
    path = kb / "suppliers" / "empty.yaml"
    path.write_text("- region: 경기\n- region: 서울\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "공급기업 프로필" in info.value.message


def test_malformed_json_is_a_load_error(kb: Path) -> None:
    path = kb / "suppliers" / "broken.json"
    path.write_text('[{"company": "끝나지 않은', encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "JSON 형식" in info.value.message


def test_shipped_supplier_profiles_load() -> None:
    path = REPO / "knowledge" / "suppliers" / "profiles.yaml"
    if not path.is_file():
        pytest.skip("knowledge/suppliers/profiles.yaml is not there")
    docs = load(path, REPO / "knowledge")
    assert docs and all(d.kind == "supplier" and d.source.startswith("suppliers/profiles.yaml#") for d in docs)
    assert len({d.source for d in docs}) == len(docs)
    assert all(d.text.startswith(f"회사: {d.title}") for d in docs)
