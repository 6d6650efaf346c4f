"""Sync a folder into the stores: load -> split -> embed -> upsert, by content hash.

Per file, in this order: new vectors are upserted into Chroma (invisible until the catalog
names them), the catalog swaps the file's chunks in one transaction (the commit point),
then the file's old vectors are deleted. A crash between steps leaves only orphan vectors,
which no search returns and the next run removes; a bad file is reported and its previous
version stays searchable.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.answers.candidates import line_analysis, scoring_texts
from assistant.korean import analyser_signature, morphemes_many
from assistant.stores import Stores
from assistant.stores.catalog import Chunk, FileRecord
from assistant.stores.health import restore_missing_vectors, vector_metadata
from ingestion.documents import LoadedDocument, LoadError
from ingestion.loaders import Limits, load
from ingestion.loaders.budget import Budget
from ingestion.loaders.files import read_inside
from ingestion.splitter import KoreanSentenceSplitter, split_document
from ingestion.walk import walk

log = logging.getLogger(__name__)

_CHROMA_BATCH = 2000
_EMBED_GROUP = 256  # chunks embedded together across small files

Progress = Callable[[int, str], None]  # (files advanced, current file)
# (texts newly queued for embedding, texts just embedded): cached texts are never queued
EmbedProgress = Callable[[int, int], None]


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, Korean reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # not read at all: (path, Korean reason)
    chunks_written: int = 0
    restored: int = 0  # vectors the store had lost, put back for unchanged files
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.restored)

    def as_dict(self) -> dict:
        return {
            "added": len(self.added), "updated": len(self.updated), "unchanged": len(self.unchanged),
            "removed": len(self.removed), "failed": [{"path": p, "reason": r} for p, r in self.failed],
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "chunks_written": self.chunks_written, "restored": self.restored, "seconds": round(self.seconds, 3),
        }


@dataclass
class _Pending:
    record: FileRecord
    chunks: list[Chunk]
    old_ids: list[str]
    is_new: bool


def file_id(root: str, relpath: str) -> str:
    return hashlib.sha1(f"{root}\x00{relpath}".encode()).hexdigest()[:24]


def scan(root: Path) -> list[Path]:
    """Ingestible files under a folder (or the file itself), in a stable order; links out of
    the folder and other unreadable entries are left out (`walk` says why)."""
    return walk(root).files


class Ingestor:
    def __init__(self, stores: Stores, *, on_embed: EmbedProgress | None = None,
                 sentence_vectors: bool | None = None):
        self.stores = stores
        settings = stores.settings
        self.sentence_vectors = settings.sentence_vectors if sentence_vectors is None else sentence_vectors
        self.splitter = KoreanSentenceSplitter(settings.chunk_size, settings.chunk_overlap)
        # what a file is indexed with: its vectors' model and the keyword analyser
        self.model = f"{stores.model_name}|{analyser_signature()}"
        self.limits = Limits.from_settings(settings)
        self.on_embed = on_embed

    # -- public --------------------------------------------------------------------------
    def sync(
        self, path: Path, *, progress: Progress | None = None, prune: bool = True, root: Path | None = None
    ) -> SyncReport:
        """Bring the stores in step with `path` (a folder, or one file; a file's source is
        relative to `root` when given, else to its folder)."""
        started = time.perf_counter()
        path = path.resolve()
        if not path.exists():
            raise LoadError(f"경로를 찾을 수 없습니다: {path}", f"no such path: {path}")
        root = root.resolve() if root is not None and path.is_file() else (path.parent if path.is_file() else path)
        catalog = self.stores.catalog
        self.stores.vector_watch.reopen_if_lost()  # a deleted Chroma directory is written afresh
        self._recover_if_interrupted()
        known = catalog.files_under(str(root))
        report = SyncReport()
        group: list[_Pending] = []
        seen: set[str] = set()

        walked = walk(path)
        report.skipped.extend(walked.skipped)
        for file in walked.files:
            rel = file.relative_to(root).as_posix()
            seen.add(rel)
            try:
                data = read_inside(file, root, Budget(self.limits, rel))
                digest = hashlib.sha256(data).hexdigest()
                old = known.get(rel)
                if old and old.content_hash == digest and old.embed_model == self.model:
                    report.unchanged.append(rel)
                else:
                    chunks = self._chunks_for(load(file, root, self.limits, data=data))
                    record = FileRecord(file_id(str(root), rel), str(root), rel, digest, self.model, len(chunks))
                    group.append(_Pending(record, chunks, catalog.chunk_ids(record.file_id), old is None))
                    if sum(len(p.chunks) for p in group) >= _EMBED_GROUP:
                        self._write(group, report)
                        group = []
            except LoadError as exc:
                log.warning("skipped %s: %s", rel, exc.detail or exc.message)
                report.failed.append((rel, exc.message))
            except Exception as exc:  # noqa: BLE001 - one bad file never stops the run
                log.exception("failed on %s", rel)
                report.failed.append((rel, f"처리 중 오류가 발생했습니다: {type(exc).__name__}"))
            if progress:
                progress(1, rel)
        self._write(group, report)

        if prune and path.is_dir():
            gone = [rec for rel, rec in known.items() if rel not in seen]
            self._remove(gone)
            report.removed.extend(rec.relpath for rec in gone)
        report.restored = restore_missing_vectors(self.stores)
        report.seconds = time.perf_counter() - started
        return report

    def ingest_documents(
        self, root: str, items: Iterable[tuple[str, list[LoadedDocument], bytes]],
        *, progress: Progress | None = None,
    ) -> SyncReport:
        """Ingest documents that do not come from a scanned folder (approved expert notes,
        benchmark corpora): `items` are (relpath, documents, content bytes for the hash)."""
        catalog = self.stores.catalog
        self._recover_if_interrupted()
        known = catalog.files_under(root)
        report = SyncReport()
        group: list[_Pending] = []
        for relpath, docs, content in items:
            digest = hashlib.sha256(content).hexdigest()
            old = known.get(relpath)
            if old and old.content_hash == digest and old.embed_model == self.model:
                report.unchanged.append(relpath)
            else:
                chunks = self._chunks_for(docs)
                record = FileRecord(file_id(root, relpath), root, relpath, digest, self.model, len(chunks))
                group.append(_Pending(record, chunks, catalog.chunk_ids(record.file_id), old is None))
                if sum(len(p.chunks) for p in group) >= _EMBED_GROUP:
                    self._write(group, report)
                    group = []
            if progress:
                progress(1, relpath)
        self._write(group, report)
        report.restored = restore_missing_vectors(self.stores)
        return report

    # -- steps ---------------------------------------------------------------------------
    def _chunks_for(self, docs: Iterable[LoadedDocument]) -> list[Chunk]:
        chunks: list[Chunk] = []
        for doc in docs:
            for ch in split_document(doc, self.splitter):
                chunks.append(ch)
        if not chunks:
            raise LoadError("문서에서 읽을 수 있는 본문을 찾지 못했습니다.", "no text after splitting")
        for ch, terms in zip(chunks, morphemes_many([c.search_text for c in chunks]), strict=True):
            ch.terms = terms
            ch.analysis = line_analysis(ch)  # answering then analyses only the question
        return chunks

    def _write(self, group: list[_Pending], report: SyncReport) -> None:
        if not group:
            return
        catalog = self.stores.catalog
        collection = self.stores.collection
        all_chunks = [c for p in group for c in p.chunks]
        vectors = self._embed(all_chunks)
        catalog.set_state("dirty", "1")
        for start in range(0, len(all_chunks), _CHROMA_BATCH):
            part = all_chunks[start : start + _CHROMA_BATCH]
            collection.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=vectors[start : start + _CHROMA_BATCH],
                metadatas=[vector_metadata(c) for c in part],
            )
        for pending in group:
            catalog.replace_file(pending.record, pending.chunks)
            stale = set(pending.old_ids) - {c.chunk_id for c in pending.chunks}
            self._delete_vectors(stale)
            (report.added if pending.is_new else report.updated).append(pending.record.relpath)
            report.chunks_written += len(pending.chunks)
        catalog.set_state("dirty", "0")

    def _embed(self, chunks: list[Chunk]) -> np.ndarray:
        """Chunk vectors (search text), plus the vectors of every line the answer composer may
        score (`scoring_texts`) into the cache: both through the vector cache, so unchanged
        text costs nothing and answering encodes only the question."""
        texts = [c.search_text for c in chunks]
        if self.sentence_vectors:
            texts += [t for c in chunks for t in scoring_texts(c)]
        encoder = self.stores.encoder
        report = self.on_embed
        if report:
            report(len(encoder.missing(texts)), 0)
        matrix = encoder.encode(texts, progress=(lambda n: report(0, n)) if report else None)
        return matrix[: len(chunks)]

    def _remove(self, records: list[FileRecord]) -> None:
        if not records:
            return
        catalog = self.stores.catalog
        ids = [cid for rec in records for cid in catalog.chunk_ids(rec.file_id)]
        catalog.remove_files(rec.file_id for rec in records)
        self._delete_vectors(ids)

    def _delete_vectors(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), _CHROMA_BATCH):
            self.stores.collection.delete(ids=ids[start : start + _CHROMA_BATCH])

    def _recover_if_interrupted(self) -> None:
        """After a crash mid-write: drop orphan vectors; re-embed files whose vectors are missing."""
        catalog = self.stores.catalog
        if catalog.get_state("dirty") != "1":
            return
        log.warning("previous ingestion was interrupted; reconciling vectors with the catalog")
        committed = catalog.all_chunk_ids()
        stored = set(self.stores.collection.get(include=[])["ids"])
        self._delete_vectors(stored - committed)
        missing = committed - stored
        if missing:
            catalog.invalidate_chunks(missing)
        catalog.set_state("dirty", "0")
