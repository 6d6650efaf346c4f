"""Reading a file of an ingested folder: only regular files inside the root (links resolved),
and never more than the file-size budget (checked on the open file before reading)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ingestion.documents import LoadError
from ingestion.loaders.budget import Budget

OUTSIDE_ROOT = "수집 폴더 밖을 가리키는 링크라서 읽지 않았습니다."
NOT_A_FILE = "일반 파일이 아니라서(파이프, 소켓, 장치 등) 읽지 않았습니다."


def inside(path: str | Path, root: Path) -> bool:
    """True when `path`, with every link resolved, is `root` or lies under it."""
    real = os.path.realpath(path)
    base = os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def read_inside(path: Path, root: Path, budget: Budget) -> bytes:
    """A file's bytes, if it (through any link) is a regular file inside `root` within the
    size budget; LoadError with a Korean reason otherwise."""
    rel = budget.name
    if not inside(path, root):
        raise LoadError(f"{rel}: {OUTSIDE_ROOT}", f"{path} resolves outside {root}")
    try:
        fd = os.open(os.path.realpath(path), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise LoadError(f"{rel}: 파일을 열 수 없습니다.", f"open failed: {exc}") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise LoadError(f"{rel}: {NOT_A_FILE}", f"mode {info.st_mode:o}")
        budget.file_size(info.st_size)
        data = handle.read(budget.limits.max_file_bytes + 1)
    budget.file_size(len(data))  # the file grew after the check
    return data
