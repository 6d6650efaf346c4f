"""HWP 5.0 (.hwp): an OLE compound file. FileHeader gives the version and flags; the text
is in BodyText/Section0..N, raw-deflate compressed when flag bit 0 is set. Password-protected,
DRM and distribution (ViewText) documents are refused with a clear message."""

from __future__ import annotations

import io
import logging
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import olefile

from ingestion.documents import LoadError
from ingestion.loaders import hwp_records, hwpx
from ingestion.loaders.base import BlockBuilder, Extracted, collapse_spaces
from ingestion.loaders.budget import Budget

log = logging.getLogger(__name__)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURE = b"HWP Document File"
_SECTION = re.compile(r"^BodyText/Section(\d+)$")

FLAG_COMPRESSED = 1 << 0
FLAG_PASSWORD = 1 << 1
FLAG_DISTRIBUTION = 1 << 2
FLAG_DRM = 1 << 4
FLAG_CERT_ENCRYPTED = 1 << 8
FLAG_CERT_DRM = 1 << 10


@dataclass
class FileHeader:
    version: tuple[int, int, int, int]
    flags: int

    @property
    def compressed(self) -> bool:
        return bool(self.flags & FLAG_COMPRESSED)


def extract(data: bytes, name: str, budget: Budget) -> Extracted:
    if data.startswith(b"PK\x03\x04"):  # an HWPX package saved under a .hwp name
        return hwpx.extract(data, name, budget)
    if not data.startswith(_OLE_MAGIC):
        if data.startswith(_SIGNATURE):
            raise LoadError(
                f"{name}: HWP 3.0 이하의 옛 형식은 읽을 수 없습니다. 한글에서 HWP 5.0 이상이나 HWPX로 저장해 올려 주세요.",
                "HWP 3.x file",
            )
        raise LoadError(f"{name}: HWP 파일이 손상되었거나 HWP 형식이 아닙니다.", "not an OLE compound file")
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError and others on damaged containers
        raise LoadError(f"{name}: HWP 파일이 손상되어 읽을 수 없습니다.", f"olefile: {exc}") from exc
    with ole:
        header = _file_header(ole, name)
        _refuse_protected(header, ole, name)
        sections = sorted(
            ("/".join(entry) for entry in ole.listdir() if _SECTION.match("/".join(entry))),
            key=lambda s: int(m.group(1)) if (m := _SECTION.match(s)) else 0,
        )
        if not sections:
            raise LoadError(f"{name}: HWP 문서의 본문을 찾을 수 없습니다.", "no BodyText/Section* stream")
        builder = BlockBuilder(budget)
        for section in sections:
            raw = ole.openstream(section).read()
            body = _inflate(raw, name, budget) if header.compressed else raw
            for para in hwp_records.build_tree(hwp_records.iter_records(body, name, budget)):
                if para.tag == hwp_records.TAG_PARA_HEADER:
                    hwp_records.paragraph_lines(para, builder.add)
            builder.flush()  # one block per section
        metadata = _summary(ole)
    return Extracted(builder.blocks, metadata, None)


def _file_header(ole: olefile.OleFileIO, name: str) -> FileHeader:
    if not ole.exists("FileHeader"):
        raise LoadError(f"{name}: HWP 문서 정보(FileHeader)가 없어 읽을 수 없습니다.", "no FileHeader stream")
    raw = ole.openstream("FileHeader").read()
    if len(raw) < 40 or not raw.startswith(_SIGNATURE):
        raise LoadError(f"{name}: HWP 파일이 손상되었거나 HWP 형식이 아닙니다.", "bad FileHeader signature")
    version_word, flags = struct.unpack_from("<II", raw, 32)
    version = (version_word >> 24 & 0xFF, version_word >> 16 & 0xFF, version_word >> 8 & 0xFF, version_word & 0xFF)
    if version[0] != 5:
        raise LoadError(
            f"{name}: 지원하지 않는 HWP 버전({'.'.join(map(str, version))})입니다. HWP 5.0 이상이나 HWPX로 저장해 올려 주세요.",
            f"HWP version {version}",
        )
    return FileHeader(version, flags)


def _refuse_protected(header: FileHeader, ole: olefile.OleFileIO, name: str) -> None:
    if header.flags & FLAG_PASSWORD:
        raise LoadError(
            f"{name}: 암호가 걸린 HWP 문서는 읽을 수 없습니다. 암호를 해제한 뒤 다시 올려 주세요.",
            f"password-protected HWP (flags {header.flags:#x})",
        )
    if header.flags & (FLAG_DRM | FLAG_CERT_ENCRYPTED | FLAG_CERT_DRM):
        raise LoadError(
            f"{name}: 보안(DRM)이나 인증서 암호화가 적용된 HWP 문서는 읽을 수 없습니다. 보안을 해제한 뒤 다시 올려 주세요.",
            f"DRM/certificate-protected HWP (flags {header.flags:#x})",
        )
    if header.flags & FLAG_DISTRIBUTION or (ole.exists("ViewText") and not ole.exists("BodyText")):
        raise LoadError(
            f"{name}: 배포용으로 보호된 HWP 문서는 읽을 수 없습니다. 일반 문서로 저장한 뒤 다시 올려 주세요.",
            f"distribution HWP document (ViewText, flags {header.flags:#x})",
        )


def _inflate(raw: bytes, name: str, budget: Budget) -> bytes:
    """Inflate a section, never past what is left of the file's decompressed-size budget."""
    for wbits in (-15, 15):  # raw deflate per the spec; some writers add a zlib header
        try:
            inflater = zlib.decompressobj(wbits)
            body = inflater.decompress(raw, budget.unzipped_left + 1)
        except zlib.error:
            continue
        budget.unzipped(len(body))  # raises when the section alone went past the budget
        return body
    raise LoadError(f"{name}: HWP 본문 압축을 풀 수 없습니다. 파일이 손상되었을 수 있습니다.", "deflate error")


def _summary(ole: olefile.OleFileIO) -> dict[str, Any]:
    """Title (and subject, keywords) from the \\x05HwpSummaryInformation property set."""
    stream = "\x05HwpSummaryInformation"
    if not ole.exists(stream):
        return {}
    try:
        props = ole.getproperties(stream)
    except Exception as exc:  # optional: a broken summary only costs the title
        log.debug("unreadable HWP summary: %s", exc)
        return {}
    meta: dict[str, Any] = {}
    for pid, key in ((2, "title"), (3, "subject"), (5, "tags")):
        value = props.get(pid)
        if isinstance(value, bytes):
            value = value.decode("utf-16-le", errors="ignore")
        if isinstance(value, str):
            # olefile reads VT_LPWSTR lengths as bytes: the real value ends at the first NUL
            value = collapse_spaces(value.split("\x00", 1)[0])
            if value:
                meta[key] = value
    return meta
