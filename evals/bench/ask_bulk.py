"""Growing `bench ask`'s corpus in bulk: the synthetic chunks written straight into the catalog
and the vector store, in a few transactions, instead of one ingest transaction per document.

Each synthetic document is one short line (at most 450 characters) and so one chunk; its row is
what ingestion would write: the same chunk id, title, kind, text and metadata, its terms the Kiwi
morphemes of its title followed by those of its sentences (each sentence analysed once for the
whole corpus, not once per chunk), its vector the normalised mean of its sentences' vectors (as
`_prefill` caches for the ingest path). On this machine the ingest path spends about 90 % of its
time in the analyser and in per-document catalog transactions (profiled), which made 100,000
chunks an hour's work; what is measured afterwards (asking) is not affected by how the rows came.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import numpy as np
from sqlalchemy import insert

from assistant.answers.candidates import line_analysis
from assistant.db.tables import catalog_chunks, catalog_files
from assistant.korean import morphemes_many
from assistant.stores.catalog import Chunk
from assistant.stores.health import vector_metadata
from ingestion.pipeline import file_id
from ingestion.splitter import chunk_id

ROOT = "synthetic"
BATCH = 5000


def _chunks(items: list[Any], made_of: dict[str, list[str]], terms_of: dict[str, list[str]]) -> list[Chunk]:
    titles = morphemes_many([docs[0].title for _source, docs, _content in items])
    chunks = []
    for (source, docs, content), title_terms in zip(items, titles, strict=True):
        doc = docs[0]
        text = content.decode()
        chunks.append(Chunk(chunk_id=chunk_id(doc.source, 0, text), source=doc.source, title=doc.title,
                            kind=str(doc.metadata.get("kind") or doc.kind), text=text, ord=0,
                            terms=[*title_terms, *(t for s in made_of[source] for t in terms_of[s])],
                            metadata=dict(doc.metadata)))
        # its lines analysed as ingestion does; the split is the sentences the line was made of
        chunks[-1].analysis = line_analysis(chunks[-1], [made_of[source]], terms=_cached_terms)
    return chunks


def _cached_terms(texts: list[str]) -> list[list[str]]:
    return morphemes_many(texts, cache=True)  # the same sentences make up many synthetic chunks


def grow(stores: Any, items: list[Any], made_of: dict[str, list[str]], terms_of: dict[str, list[str]]) -> None:
    """Write `items` (from `_synthetic`) as chunks: vectors first, then the catalog rows, then the
    generation moves (readers reload), as ingestion orders it."""
    sentences = sorted({s for group in made_of.values() for s in group})
    vectors = dict(zip(sentences, stores.encoder.encode(sentences), strict=True))  # cached at knowledge ingest
    collection, catalog = stores.collection, stores.catalog
    for start in range(0, len(items), BATCH):
        part = items[start : start + BATCH]
        chunks = _chunks(part, made_of, terms_of)
        means = np.vstack([np.mean([vectors[s] for s in made_of[source]], axis=0) for source, _d, _c in part])
        means /= np.linalg.norm(means, axis=1, keepdims=True)
        collection.upsert(ids=[c.chunk_id for c in chunks], embeddings=means.astype(np.float32),
                          metadatas=[vector_metadata(c) for c in chunks])
        now = time.time()
        files = [{"file_id": file_id(ROOT, source), "root": ROOT, "relpath": source,
                  "content_hash": hashlib.sha256(content).hexdigest(), "embed_model": stores.model_name,
                  "chunk_count": 1, "ingested_at": now} for source, _d, content in part]
        rows = [{"chunk_id": c.chunk_id, "file_id": f["file_id"], "ord": 0, "source": c.source, "title": c.title,
                 "kind": c.kind, "heading": None, "page": None, "text": c.text, "terms": " ".join(c.terms),
                 "meta": json.dumps(c.metadata, ensure_ascii=False), "analysis": c.analysis}
                for c, f in zip(chunks, files, strict=True)]
        with catalog.engine.begin() as conn:
            conn.execute(insert(catalog_files), files)
            conn.execute(insert(catalog_chunks), rows)
    catalog.touch()
