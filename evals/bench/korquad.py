"""KorQuAD 1.0 dev set as a retrieval benchmark (read at run time, never modified).

KorQuAD 1.0 by LG CNS (korquad.github.io), CC BY-ND 2.0 KR. Corpus = its 964 paragraphs
(one document each, titled by article); queries = its 5,774 questions; a hit = a retrieved
chunk from the paragraph that holds the answer, or from a copy of it: the dev set repeats a
few passages within and across articles (the same text again, or with a word changed), and
a question is written on one copy only. A searcher that keeps one of two identical passages
has found the answer's text; `copies` says which paragraphs are the same passage.
"""

from __future__ import annotations

import json
import re
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


COPY_SIMILARITY = 0.8  # character 5-gram Jaccard; the dev set's copies score 0.86 to 1.0, other pairs below 0.5


def _grams(text: str) -> set[str]:
    flat = re.sub(r"\s+", " ", text).strip()
    return {flat[i : i + 5] for i in range(max(len(flat) - 4, 1))}


def copies(paragraphs: list[Paragraph], similarity: float = COPY_SIMILARITY) -> dict[str, set[str]]:
    """For each paragraph repeated in the set, every paragraph that is the same passage (itself
    included); paragraphs with no copy are left out."""
    grams = [_grams(p.text) for p in paragraphs]
    same: dict[str, set[str]] = {}
    for i, gi in enumerate(grams):
        for j in range(i + 1, len(grams)):
            gj = grams[j]
            if min(len(gi), len(gj)) < similarity * max(len(gi), len(gj)):
                continue  # Jaccard cannot reach the bar
            if len(gi & gj) >= similarity * len(gi | gj):
                group = same.get(paragraphs[i].pid, {paragraphs[i].pid}) | same.get(paragraphs[j].pid, {paragraphs[j].pid})
                for pid in group:
                    same[pid] = group
    return same
