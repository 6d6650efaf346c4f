"""Fuzzing every loader on mutated real files (the shipped knowledge base and the HWP samples):
a loader either returns documents or raises its own LoadError with a Korean message; any other
exception is a bug. Bounded: FUZZ_EXAMPLES cases per loader, the same cases on every run
(derandomized); run with `--hypothesis-seed=N` and a larger FUZZ_EXAMPLES to explore more."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
import zlib
from pathlib import Path

import olefile
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.documents import LoadedDocument, LoadError
from ingestion.loaders import hwp_records, load
from ingestion.loaders.budget import default_budget

KNOWLEDGE = Path(__file__).resolve().parents[3] / "knowledge"
FUZZ_EXAMPLES = 60
HANGUL = re.compile(r"[가-힣]")

FUZZ = settings(
    max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

# byte strings that mean something to one of the parsers
TOKENS = [b"<", b">", b"</", b"&", b"&a;", b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"*a", b"&a ", b"[", b"{", b"---\n",
          b"\x00", b"\xff\xff\xff\xff", b"\xff\xfe", b"\xef\xbb\xbf", b'"', b"\n", b"|", b"#", "가".encode(),
          b"\x80", b"obj", b"endobj", b"/Kids [", b"stream\n", b"<w:p>", b"<hp:p>", b"<hp:tbl>", b"\r"]


def _seeds() -> dict[str, list[bytes]]:
    profiles = yaml.safe_load((KNOWLEDGE / "suppliers" / "profiles.yaml").read_text(encoding="utf-8"))
    rows = profiles if isinstance(profiles, list) else next(v for v in profiles.values() if isinstance(v, list))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["company", "industries", "region", "summary"], extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in row.items()})
    samples = Path(__file__).resolve().parents[4] / "shared" / "datasets" / "hwp-samples"
    mds = sorted(KNOWLEDGE.rglob("*.md"))
    return {
        ".md": [p.read_bytes() for p in mds[:: max(1, len(mds) // 4)] if p.name.lower() != "readme.md"],
        ".txt": [p.read_bytes() for p in KNOWLEDGE.rglob("*.txt")],
        ".html": [p.read_bytes() for p in KNOWLEDGE.rglob("*.html")],
        ".pdf": [p.read_bytes() for p in KNOWLEDGE.rglob("*.pdf")],
        ".docx": [p.read_bytes() for p in KNOWLEDGE.rglob("*.docx")],
        ".hwpx": [p.read_bytes() for p in [*KNOWLEDGE.rglob("*.hwpx"), *samples.glob("*.hwpx")]],
        ".hwp": [p.read_bytes() for p in samples.glob("*.hwp")],
        ".yaml": [(KNOWLEDGE / "suppliers" / "profiles.yaml").read_bytes()],
        ".json": [json.dumps(rows, ensure_ascii=False, default=str).encode()],
        ".csv": [out.getvalue().encode()],
    }


SEEDS = _seeds()


@st.composite
def _mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """A real file with 1-6 edits: bytes flipped, tokens or noise inserted, ranges cut,
    repeated or truncated."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, max(0, len(buf) - 1)))
        op = draw(st.sampled_from(["flip", "token", "noise", "cut", "repeat", "truncate"]))
        if op == "flip" and buf:
            buf[pos] = draw(st.integers(0, 255))
        elif op == "token":
            buf[pos:pos] = draw(st.sampled_from(TOKENS)) * draw(st.integers(1, 50))
        elif op == "noise":
            buf[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "cut":
            del buf[pos : pos + draw(st.integers(1, 256))]
        elif op == "repeat":
            piece = bytes(buf[pos : pos + draw(st.integers(1, 512))])
            buf[pos:pos] = piece * draw(st.integers(1, 20))
        elif op == "truncate":
            del buf[pos:]
    return bytes(buf)


@st.composite
def _mutated_package(draw: st.DrawFn, data: bytes) -> bytes:
    """A zip package (DOCX, HWPX) rebuilt with one of its members mutated, so the mutation
    reaches the XML instead of failing the zip checksum."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    index = draw(st.integers(0, len(members) - 1))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (name, body) in enumerate(members):
            archive.writestr(name, draw(_mutated(body)) if i == index else body)
    return out.getvalue()


def _load_or_refuse(path: Path, root: Path) -> None:
    try:
        docs = load(path, root)
    except LoadError as exc:
        assert HANGUL.search(exc.message), exc.message  # a clear Korean reason
        return
    assert docs and all(isinstance(d, LoadedDocument) and d.blocks for d in docs)
    for doc in docs:  # what the stores will be given must be valid Unicode text
        for text in (doc.text, doc.title, *(v for v in doc.metadata.values() if isinstance(v, str))):
            text.encode("utf-8")


def _write(tmp_path: Path, suffix: str, data: bytes) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"fuzz{suffix}"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("suffix", sorted(SEEDS))
@FUZZ
@given(data=st.data())
def test_mutated_files_load_or_fail_cleanly(suffix: str, data: st.DataObject, tmp_path: Path) -> None:
    seeds = SEEDS[suffix]
    if not seeds:
        pytest.skip(f"no real {suffix} file to mutate")
    seed = data.draw(st.sampled_from(seeds))
    if suffix in {".docx", ".hwpx"} and data.draw(st.booleans()):
        mutated = data.draw(_mutated_package(seed))
    else:
        mutated = data.draw(_mutated(seed))
    _load_or_refuse(_write(tmp_path, suffix, mutated), tmp_path)


def _hwp_sections() -> list[bytes]:
    """The decompressed body records of the real HWP samples (OLE cannot be rewritten in place
    at another size, so the record parser is fuzzed on these directly)."""
    samples = Path(__file__).resolve().parents[4] / "shared" / "datasets" / "hwp-samples"
    bodies = []
    for path in samples.glob("sample_document.hwp"):
        with olefile.OleFileIO(str(path)) as ole:
            for entry in ole.listdir():
                if "/".join(entry).startswith("BodyText/Section"):
                    bodies.append(zlib.decompress(ole.openstream(entry).read(), -15))
    return bodies


HWP_SECTIONS = _hwp_sections()


@FUZZ
@given(data=st.data())
def test_mutated_hwp_records_parse_or_fail_cleanly(data: st.DataObject) -> None:
    if not HWP_SECTIONS:
        pytest.skip("HWP samples not found")
    body = data.draw(_mutated(data.draw(st.sampled_from(HWP_SECTIONS))))
    lines: list[str] = []
    try:
        for para in hwp_records.build_tree(hwp_records.iter_records(body, "fuzz.hwp", default_budget("fuzz.hwp"))):
            if para.tag == hwp_records.TAG_PARA_HEADER:
                hwp_records.paragraph_lines(para, lines.append)
    except LoadError as exc:
        assert HANGUL.search(exc.message)
    assert all(isinstance(line, str) for line in lines)
