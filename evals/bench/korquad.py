"""KorQuAD 1.0 dev set as a retrieval benchmark (read at run time, never modified).

KorQuAD 1.0 by LG CNS (korquad.github.io), CC BY-ND 2.0 KR. Corpus = its 964 paragraphs
(one document each, titled by article); queries = its 5,774 questions; a hit = a retrieved
chunk from the paragraph that holds the answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ATTRIBUTION = "KorQuAD 1.0 dev set (LG CNS, korquad.github.io, CC BY-ND 2.0 KR), unmodified"


@dataclass
class Paragraph:
    pid: str
    title: str
    text: str


@dataclass
class Query:
    question: str
    pid: str


def default_path() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "datasets" / "korquad-1.0" / "KorQuAD_v1.0_dev.json"
        if candidate.exists():
            return candidate
    return Path("../shared/datasets/korquad-1.0/KorQuAD_v1.0_dev.json")


def load(path: Path | None = None) -> tuple[list[Paragraph], list[Query]]:
    data = json.loads((path or default_path()).read_text(encoding="utf-8"))
    paragraphs: list[Paragraph] = []
    queries: list[Query] = []
    for a, article in enumerate(data["data"]):
        for p, para in enumerate(article["paragraphs"]):
            pid = f"korquad/{a:03d}-{p:02d}"
            paragraphs.append(Paragraph(pid, article["title"], para["context"]))
            queries.extend(Query(qa["question"], pid) for qa in para["qas"])
    return paragraphs, queries
