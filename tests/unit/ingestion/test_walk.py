"""The file walk is sealed to the ingested folder: links out of it are never read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingestion.documents import LoadError
from ingestion.loaders import load
from ingestion.walk import walk


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder that is not under the knowledge root (`kb` is the test's tmp_path itself)."""
    return tmp_path_factory.mktemp("outside")


def _secret(outside: Path) -> Path:
    secret = outside / "etc" / "passwd"
    secret.parent.mkdir(parents=True)
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    return secret


def test_links_out_of_the_root_are_skipped_with_a_reason(kb: Path, outside: Path) -> None:
    secret = _secret(outside)
    (kb / "policies" / "real.md").write_text("# 안내\n\n본문", encoding="utf-8")
    os.symlink(secret, kb / "policies" / "passwd.txt")
    os.symlink(secret.parent, kb / "linked-folder")
    os.symlink(kb / "policies" / "real.md", kb / "mentoring" / "alias.md")  # inside: allowed
    os.symlink(kb / "policies" / "gone.md", kb / "policies" / "broken.md")
    os.mkfifo(kb / "policies" / "pipe.txt")
    walked = walk(kb)
    rels = [p.relative_to(kb).as_posix() for p in walked.files]
    assert rels == ["mentoring/alias.md", "policies/real.md"]
    reasons = dict(walked.skipped)
    assert "수집 폴더 밖" in reasons["policies/passwd.txt"]
    assert "폴더를 가리키는 링크" in reasons["linked-folder"]
    assert "가리키는 파일이 없어" in reasons["policies/broken.md"]
    assert "일반 파일이 아니라서" in reasons["policies/pipe.txt"]
    # a link inside the root keeps its own name as the source
    (doc,) = load(kb / "mentoring" / "alias.md", kb)
    assert doc.source == "mentoring/alias.md" and doc.metadata["kind"] == "mentoring"


def test_load_refuses_a_link_out_of_the_root(kb: Path, outside: Path) -> None:
    os.symlink(_secret(outside), kb / "policies" / "passwd.txt")
    with pytest.raises(LoadError) as info:
        load(kb / "policies" / "passwd.txt", kb)
    assert "수집 폴더 밖" in info.value.message


def test_a_sidecar_linked_out_of_the_root_is_not_read(kb: Path, outside: Path) -> None:
    sidecar = outside / "outside.meta.yaml"
    sidecar.write_text("title: 바깥 제목\n", encoding="utf-8")
    doc = kb / "policies" / "doc.md"
    doc.write_text("# 안내\n\n본문", encoding="utf-8")
    os.symlink(sidecar, kb / "policies" / "doc.md.meta.yaml")
    with pytest.raises(LoadError) as info:
        load(doc, kb)
    assert "수집 폴더 밖" in info.value.message


def test_a_file_name_that_is_not_utf8_is_skipped(kb: Path) -> None:
    (kb / "policies" / "good.md").write_text("# 안내\n\n본문", encoding="utf-8")
    (Path(os.fsdecode(bytes(kb / "policies") + b"/\xbe\xc8\xb3\xbb.md"))).write_text("# 안내", encoding="utf-8")  # EUC-KR name
    walked = walk(kb)
    assert [p.name for p in walked.files] == ["good.md"]
    ((rel, reason),) = walked.skipped
    assert "UTF-8이 아니라서" in reason
    rel.encode("utf-8")  # the summary can print it
