"""What a loader returns: a document as text blocks plus metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.errors import FMError

KINDS = ("policy", "subsidy", "supplier", "mentoring")
DEFAULT_KIND = "policy"

# folder name -> kind, used when a document has no `kind` in its front matter or sidecar
FOLDER_KINDS = {
    "policies": "policy",
    "policy": "policy",
    "subsidies": "subsidy",
    "subsidy": "subsidy",
    "suppliers": "supplier",
    "supplier": "supplier",
    "mentoring": "mentoring",
    "notes": "mentoring",
}


@dataclass
class Block:
    """A run of text under one heading (and on one page, where pages exist)."""

    text: str
    heading: str | None = None  # heading path, e.g. "수준확인 제도 > 신청 방법"
    page: int | None = None  # 1-based page number, where the format has pages


@dataclass
class LoadedDocument:
    """One document: a file, or one profile of a structured file (`source` then ends in `#id`)."""

    source: str  # path relative to the ingested root, or a URL; `#id` for one row/object
    title: str
    blocks: list[Block]
    metadata: dict[str, Any] = field(default_factory=dict)  # kind, region, industries, effective_date...

    @property
    def kind(self) -> str:
        return str(self.metadata.get("kind") or DEFAULT_KIND)

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks if b.text.strip())


class LoadError(FMError):
    """A file could not be read; `message` says why in Korean, `detail` in English."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__("load_failed", message, detail)


class UnsupportedFormat(LoadError):
    pass
