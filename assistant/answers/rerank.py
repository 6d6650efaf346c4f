"""Which of the top hits are read: the fused ranking, with each hit's best line counted.

A chunk's vector stands for a whole section: a section about the question in general can
outrank the one holding the line that answers it, and push it out of the few hits that are
read. Each of the top hits is scored by its best line's relevance to the question (the vectors
ingest stored for composition); the best `k` by fused score plus that relevance are read, in
their fused order. A hit read for its line alone lends the answer supporting lines but does not
lead it: e5 rates "대표 업종은 식품, 화학, 전자, 기계부품입니다" above the list of what the
기계부품 track manages for "자동차 부품은 뭘 주로 관리해요?", and only retrieval's rank
keeps that list first. A list question is answered by a whole section, which the chunk's own
vector stands for: its top `k` stand. Golden and held-out dev suites with e5 in
docs/benchmarks.md.

An owner describes their problem, and retrieval finds the section of a document that tells the
same problem ("상황", "진단"): what was done about it, what it cost and what came of it are in
the document's other sections. Those are read too (`with_rest_of_document`), as supporting hits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import numpy as np

from assistant.answers.candidates import is_problem_section, line_texts, own_heading, spread
from assistant.answers.question_types import QType, question_type
from assistant.answers.retrieval import Hit
from assistant.answers.scoring import SentenceScorer
from assistant.stores.catalog import Chunk


def read_first(
    question: str, hits: list[Hit], k: int, scorer: SentenceScorer, weight: float, *,
    analysed: Callable[[list[str]], Mapping[str, str]] | None = None,
) -> list[Hit]:
    """The `k` of `hits` (best first by fused score) with the best fused score (min-max over
    them) plus `weight` times their best line's relevance (spread over them), in fused order;
    a hit below the fused top `k` is marked `by_line`."""
    if len(hits) <= k or weight <= 0 or question_type(question) == QType.list:
        return hits[:k]
    analyses = analysed([h.chunk.chunk_id for h in hits]) if analysed else {}
    texts = [line_texts(h.chunk, analyses.get(h.chunk.chunk_id)) for h in hits]
    cosines = scorer.score(question, [t for lines in texts for t in lines])
    parts = np.split(cosines, np.cumsum([len(lines) for lines in texts])[:-1])
    # a chunk with no line of its own (a bare table, a fragment) counts by its own vector's cosine;
    # its text is never encoded here: ingest stored every line, and an answer encodes only its question
    best_of = [float(part.max()) if len(part) else h.dense_score for part, h in zip(parts, hits, strict=True)]
    floor = min((b for b in best_of if b is not None), default=0.0)
    best = np.array([floor if b is None else b for b in best_of])
    fused = np.array([h.score for h in hits])
    low, high = float(fused.min()), float(fused.max())
    total = (fused - low) / (high - low) if high > low else np.zeros(len(hits))
    total = total + weight * spread(best)
    chosen = sorted(np.argsort(-total, kind="stable")[:k])
    return [replace(hits[i], by_line=True) if i >= k else hits[i] for i in chosen]


def with_rest_of_document(read: list[Hit], documents_of: Callable[[list[str]], list[Chunk]]) -> list[Hit]:
    """`read`, then the other chunks of each document whose read chunk tells a plant's problem
    (its section is "상황", "진단", …), in document order, marked `by_line`: they lend the
    answer what was done and what came of it, and lead only when clearly better."""
    telling = [h.chunk.chunk_id for h in read if is_problem_section(own_heading(h.chunk.heading))]
    if not telling:
        return read
    seen = {h.chunk.chunk_id for h in read}
    rest = [Hit(chunk, 0.0, by_line=True) for chunk in documents_of(telling) if chunk.chunk_id not in seen]
    return [*read, *rest]
