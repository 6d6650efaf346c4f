"""Per-file budgets: what one file may cost the ingest, checked while it is read, not after.

`Limits` are set by the user (settings `FM_INGEST_*`); a `Budget` is one file's running account
against them. Every check raises `BudgetExceeded`, a LoadError with a Korean reason, so the
pipeline reports the file and goes on with the rest of the folder."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ingestion.documents import LoadError

if TYPE_CHECKING:
    from assistant.settings import Settings

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 32 * MB  # size on disk; larger files are refused before reading
    max_unzipped_bytes: int = 64 * MB  # all members of a DOCX/HWPX (or HWP sections) once inflated
    max_chars: int = 2_000_000  # extracted characters; structural items (XML elements...) half of it
    max_pages: int = 2000  # PDF pages, counted on the page tree before any page is read
    max_yaml_aliases: int = 100  # YAML alias uses (*name) in one file
    max_seconds: float = 60.0  # wall time to read one file

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_file_bytes=int(settings.ingest_max_file_mb * MB),
            max_unzipped_bytes=int(settings.ingest_max_unzipped_mb * MB),
            max_chars=settings.ingest_max_chars,
            max_pages=settings.ingest_max_pages,
            max_yaml_aliases=settings.ingest_max_yaml_aliases,
            max_seconds=settings.ingest_max_seconds,
        )


class BudgetExceeded(LoadError):
    """A file went over one of its budgets; `message` names the budget in Korean."""


def _mb(n: float) -> str:
    return f"{n / MB:,.0f}MB" if n >= MB else f"{n / 1024:,.0f}KB"


class Budget:
    """One file's account: characters, inflated bytes, items and time spent so far."""

    def __init__(self, limits: Limits, name: str, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self.name = name
        self._clock = clock
        self._deadline = clock() + limits.max_seconds
        self.chars_used = 0
        self.unzipped_used = 0
        self.items_used = 0
        self.max_items = max(10_000, limits.max_chars // 2)

    def refuse(self, what: str, detail: str) -> BudgetExceeded:
        return BudgetExceeded(f"{self.name}: {what} 처리하지 않았습니다. 파일을 나누거나 관리자에게 한도 조정을 요청해 주세요.",
                              detail)

    def tick(self) -> None:
        """Wall-time check; call it in every loop that walks a file's content."""
        if self._clock() > self._deadline:
            raise self.refuse(f"읽는 데 {self.limits.max_seconds:g}초 넘게 걸려", f"time budget {self.limits.max_seconds}s")

    def file_size(self, size: int) -> None:
        if size > self.limits.max_file_bytes:
            raise self.refuse(
                f"파일이 너무 커서({_mb(size)}, 한도 {_mb(self.limits.max_file_bytes)})",
                f"file of {size} bytes over {self.limits.max_file_bytes}",
            )

    def chars(self, n: int) -> None:
        """Charge `n` extracted characters."""
        self.chars_used += n
        if self.chars_used > self.limits.max_chars:
            raise self.refuse(
                f"추출한 글자 수가 한도({self.limits.max_chars:,}자)를 넘어",
                f"over {self.limits.max_chars} characters",
            )
        self.tick()

    def expect_chars(self, n: int) -> None:
        """Refuse early when one piece alone (a decoded text file) is over the character budget."""
        if n > self.limits.max_chars:
            raise self.refuse(
                f"글자 수({n:,}자)가 한도({self.limits.max_chars:,}자)를 넘어", f"{n} characters over {self.limits.max_chars}"
            )

    def items(self, n: int = 1) -> None:
        """Charge structural items (XML elements, HWP records, YAML nodes, PDF page-tree nodes),
        capped at half the character budget: parsers hold a tree of them in memory."""
        self.items_used += n
        if self.items_used > self.max_items:
            raise self.refuse(
                f"문서 구조(요소 {self.max_items:,}개 초과)가 지나치게 커서", f"over {self.max_items} structural items"
            )
        if self.items_used % 1024 == 0:
            self.tick()

    def unzipped(self, n: int) -> None:
        """Charge `n` bytes inflated from an archive or a compressed stream."""
        self.unzipped_used += n
        if self.unzipped_used > self.limits.max_unzipped_bytes:
            raise self.refuse(
                f"압축을 풀면 너무 커서(한도 {_mb(self.limits.max_unzipped_bytes)})",
                f"over {self.limits.max_unzipped_bytes} bytes uncompressed",
            )
        self.tick()

    @property
    def unzipped_left(self) -> int:
        return max(0, self.limits.max_unzipped_bytes - self.unzipped_used)

    def pages(self, n: int) -> None:
        if n > self.limits.max_pages:
            raise self.refuse(
                f"쪽수가 한도({self.limits.max_pages:,}쪽)를 넘어", f"over {self.limits.max_pages} pages"
            )

    def aliases(self, n: int) -> None:
        if n > self.limits.max_yaml_aliases:
            raise self.refuse(
                f"YAML 별칭(*이름)을 너무 많이 써서({n}개, 한도 {self.limits.max_yaml_aliases}개)",
                f"{n} YAML aliases over {self.limits.max_yaml_aliases}",
            )


def default_budget(name: str) -> Budget:
    """A budget at the default limits, for callers that pass no settings (scripts, tests)."""
    return Budget(Limits(), name)
