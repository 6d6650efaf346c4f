"""The file walk of an ingest, sealed to its root: nothing outside the ingested folder is read.

Links are followed only to regular files inside the root; a link out of the root, a link to a
folder, a broken link and anything that is not a regular file (FIFO, socket, device) are
skipped and reported with a Korean reason. Files are then read through
`ingestion.loaders.files.read_inside`, which checks the target again when it opens it."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.loaders import is_ingestible
from ingestion.loaders.base import valid_unicode
from ingestion.loaders.files import NOT_A_FILE, OUTSIDE_ROOT, inside

BAD_NAME = "파일 이름이 UTF-8이 아니라서 읽지 않았습니다. 이름을 바꿔 다시 올려 주세요."
LINKED_FOLDER = "폴더를 가리키는 링크는 따라가지 않습니다. 폴더를 직접 넣어 주세요."
BROKEN_LINK = "링크가 가리키는 파일이 없어 읽지 않았습니다."


@dataclass
class Walk:
    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (relpath, Korean reason)


def walk(root: Path) -> Walk:
    """Ingestible files under `root` in a stable order, and what was skipped and why."""
    out = Walk()
    if not root.is_dir():
        out.files.append(root)
        return out
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(folder)
        kept = []
        for name in sorted(dirnames):
            rel = (here / name).relative_to(root)
            if not is_ingestible(rel):
                continue
            if (here / name).is_symlink():
                out.skipped.append((valid_unicode(rel.as_posix()), LINKED_FOLDER))
            else:
                kept.append(name)
        dirnames[:] = kept  # os.walk descends only into these
        for name in filenames:
            path = here / name
            rel = path.relative_to(root)
            if not is_ingestible(rel):
                continue
            reason = _unreadable(path, root)
            if reason:
                out.skipped.append((valid_unicode(rel.as_posix()), reason))
            else:
                out.files.append(path)
    out.files.sort()
    out.skipped.sort()
    return out


def _unreadable(path: Path, root: Path) -> str | None:
    try:
        path.relative_to(root).as_posix().encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in the name: the catalog cannot store it
        return BAD_NAME
    if path.is_symlink():
        if not path.exists():
            return BROKEN_LINK
        if not inside(path, root):
            return OUTSIDE_ROOT
        if path.is_dir():
            return LINKED_FOLDER
    try:
        mode = path.stat().st_mode
    except OSError:
        return BROKEN_LINK
    return None if stat.S_ISREG(mode) else NOT_A_FILE
