"""PDF loader on real PDFs: the committed demo file and ones written here with fpdf2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fpdf import FPDF

from ingestion.documents import LoadError
from ingestion.loaders import load

from .conftest import REPO

DEMO_PDF = REPO / "knowledge" / "policies" / "plant-network-security.pdf"


def _demo_pdf(kb: Path) -> Path:
    if not DEMO_PDF.is_file():
        pytest.skip(f"{DEMO_PDF} not built yet: run knowledge/_sources/build.py")
    target = kb / "policies" / DEMO_PDF.name
    shutil.copy(DEMO_PDF, target)
    return target


def test_committed_demo_pdf(kb: Path) -> None:
    (doc,) = load(_demo_pdf(kb), kb)
    assert doc.source == "policies/plant-network-security.pdf"
    assert doc.title == "작은 공장을 위한 데이터·네트워크 보안 기본"  # PDF info title
    assert doc.kind == "policy"
    pages = {b.page for b in doc.blocks}
    assert min(pages) == 1 and max(pages) >= 2  # several pages, 1-based
    assert "설비망과 사무망" in doc.text and "분기 1회는 백업 파일로 실제 복구 시험을 합니다." in doc.text
    backup = next(b for b in doc.blocks if b.heading and b.heading.endswith("4. 백업: 3-2-1 원칙"))
    assert "사본 3개" in backup.text
    assert not backup.text.startswith("4. 백업")  # the heading is not repeated in the text


def test_pdf_written_with_fpdf2(kb: Path, hangul_font: Path) -> None:
    pdf = FPDF()
    pdf.set_title("설비 점검 안내")
    pdf.add_font("Hangul", "", str(hangul_font))
    pdf.set_font("Hangul", size=12)
    pdf.add_page()
    pdf.start_section("일일 점검")
    pdf.multi_cell(0, 8, "일일 점검\n매일 아침 설비 가동 전에 윤활유와 공기압을 확인합니다.")
    pdf.add_page()
    pdf.start_section("주간 점검")
    pdf.multi_cell(0, 8, "주간 점검\n매주 금요일에 금형 마모 상태를 기록합니다.")
    path = kb / "policies" / "check.pdf"
    path.write_bytes(bytes(pdf.output()))

    (doc,) = load(path, kb)
    assert doc.title == "설비 점검 안내"
    assert [(b.page, b.heading) for b in doc.blocks] == [(1, "일일 점검"), (2, "주간 점검")]
    assert doc.blocks[0].text == "매일 아침 설비 가동 전에 윤활유와 공기압을 확인합니다."
    assert doc.blocks[1].text == "매주 금요일에 금형 마모 상태를 기록합니다."


def test_truncated_pdf_is_a_load_error(kb: Path) -> None:
    data = _demo_pdf(kb).read_bytes()
    path = kb / "policies" / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert info.value.message == "policies/truncated.pdf: PDF 파일이 손상되어 읽을 수 없습니다."
    assert "pypdf" in info.value.detail


def test_not_a_pdf_at_all(kb: Path) -> None:
    path = kb / "policies" / "fake.pdf"
    path.write_bytes(b"this is not a pdf, just text with a pdf name")
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "손상" in info.value.message


def _latin_pdf(user_password: str | None) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Quarterly maintenance plan")
    pdf.set_encryption(owner_password="owner-secret", user_password=user_password)
    return bytes(pdf.output())


def test_password_protected_pdf_is_refused(kb: Path) -> None:
    path = kb / "policies" / "locked.pdf"
    path.write_bytes(_latin_pdf("user-secret"))
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "암호가 걸린 PDF" in info.value.message


def test_owner_password_only_pdf_still_loads(kb: Path) -> None:
    path = kb / "policies" / "permissions.pdf"
    path.write_bytes(_latin_pdf(None))
    assert load(path, kb)[0].text == "Quarterly maintenance plan"


def test_pdf_without_text_is_refused(kb: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 50, 50)  # a drawing, no text: like a scanned page
    path = kb / "policies" / "scan.pdf"
    path.write_bytes(bytes(pdf.output()))
    with pytest.raises(LoadError) as info:
        load(path, kb)
    assert "OCR" in info.value.message
