"""Bytes -> text for plain-text formats (txt, md, csv): UTF-8 (with or without BOM), UTF-16
with BOM, else Korean legacy encodings (CP949, a superset of EUC-KR), else a detector."""

from __future__ import annotations

import codecs
import logging
import re

from charset_normalizer import from_bytes

from ingestion.documents import LoadError

log = logging.getLogger(__name__)

_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
# Code pages a detector may name for Korean text; all are decoded as cp949 (their superset).
_KOREAN_CODECS = {"euc_kr", "cp949", "johab", "iso2022_kr", "ms949", "uhc"}


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file, never returning mojibake silently; line ends normalised to \\n."""
    text = _decode(data, name)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, name: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8):], "utf-8", name)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Short Korean texts are often mislabelled by detectors: if the bytes are clean cp949 and
    # contain Hangul, that is almost certainly what they are.
    try:
        text = data.decode("cp949")
        if _HANGUL.search(text):
            return text
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise LoadError(
            f"{name}: 문자 인코딩을 알 수 없어 읽을 수 없습니다. UTF-8로 저장해 다시 올려 주세요.",
            "no encoding decodes this file",
        )
    encoding = best.encoding.lower()
    if encoding in _KOREAN_CODECS:
        encoding = "cp949"
    log.info("%s: decoded as %s (detected)", name, encoding)
    return _strict(data, encoding, name)


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise LoadError(
            f"{name}: 글자가 깨진 부분이 있어 읽을 수 없습니다({encoding}). 파일을 UTF-8로 다시 저장해 주세요.",
            f"cannot decode as {encoding}: {exc}",
        ) from exc
