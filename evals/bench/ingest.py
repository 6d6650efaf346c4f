"""`factory-mentor bench ingest`: chunks per second, peak memory, and a no-change re-run."""

from __future__ import annotations

import os
import random
import resource
import shutil
import time
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from assistant.stores import open_stores
from ingestion.pipeline import Ingestor

_SUBJECTS = ["스마트공장", "MES", "ERP", "설비종합효율", "불량률", "로트 추적", "예지보전", "재고 관리", "수준확인"]
_VERBS = ["도입했습니다", "개선했습니다", "점검했습니다", "측정했습니다", "정리했습니다", "검토했습니다"]


def cpu_seconds() -> float:
    """CPU time of this process, all threads: on a shared machine, wall time measures the
    neighbours as much as us; chunks per CPU second does not."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _synthetic_corpus(folder: Path, documents: int, seed: int = 7) -> None:
    """Markdown documents of realistic length built from Korean sentence templates."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(documents):
        sections = []
        for s in range(3):
            sentences = [
                f"{rng.choice(_SUBJECTS)} 관련 {rng.randint(1, 99)}번 공정을 {rng.choice(_VERBS)}. "
                f"가동률은 {rng.randint(50, 95)}%, 불량률은 {rng.randint(1, 30) / 10}%였습니다."
                for _ in range(rng.randint(4, 8))
            ]
            sections.append(f"## {s + 1}. {rng.choice(_SUBJECTS)} 점검\n\n" + " ".join(sentences))
        body = f"---\nkind: mentoring\ntitle: 합성 문서 {i:04d}\n---\n\n# 합성 문서 {i:04d}\n\n" + "\n\n".join(sections)
        (folder / f"doc-{i:04d}.md").write_text(body, encoding="utf-8")


def knowledge_from_empty(settings: Settings, knowledge: Path, work: Path) -> dict[str, Any]:
    """The shipped knowledge into an empty data dir (empty vector cache: every chunk and
    sentence embedded), then into a second empty data dir sharing that cache."""
    cache = work / "knowledge-cache.sqlite"
    out: dict[str, Any] = {}
    for label in ("from_empty", "second_data_dir_same_cache"):
        data = settings.model_copy(update={"data_dir": work / f"knowledge-{label}", "chroma_url": None,
                                           "embedding_cache_path": cache})
        stores = open_stores(data)
        stores.embed_query("준비")  # model load and warm-up are not ingestion
        embedded: list[int] = []
        t0, c0 = time.perf_counter(), cpu_seconds()
        report = Ingestor(stores, on_embed=lambda _q, d, seen=embedded: seen.append(d)).sync(knowledge)
        out[label] = {"seconds": round(time.perf_counter() - t0, 2), "cpu_seconds": round(cpu_seconds() - c0, 2),
                      "chunks": report.chunks_written, "texts_embedded": sum(embedded),
                      "failed": len(report.failed)}
        stores.close()
    return out


def run(settings: Settings, *, documents: int = 1000, work_dir: Path | None = None,
        knowledge: Path | None = None) -> dict[str, Any]:
    work = work_dir or settings.data_dir / "bench-ingest"
    shutil.rmtree(work, ignore_errors=True)
    corpus = work / "corpus"
    _synthetic_corpus(corpus, documents)
    bench_settings = settings.model_copy(update={"data_dir": work / "data", "chroma_url": None})
    stores = open_stores(bench_settings)
    ingestor = Ingestor(stores)
    stores.embed_query("준비")  # model loading is not ingestion throughput: warm it up first
    t0, c0 = time.perf_counter(), cpu_seconds()
    first = ingestor.sync(corpus)
    first_s, first_cpu = time.perf_counter() - t0, cpu_seconds() - c0
    t0 = time.perf_counter()
    second = ingestor.sync(corpus)
    rerun_s = time.perf_counter() - t0
    stores.close()
    return {
        "benchmark": "ingest",
        "embedding_model": stores.model_name,
        "sentence_vectors": bench_settings.sentence_vectors,
        "knowledge": knowledge_from_empty(settings, knowledge, work) if knowledge else None,
        "documents": documents,
        "chunks": first.chunks_written,
        "first_run_seconds": round(first_s, 2),
        "chunks_per_second": round(first.chunks_written / first_s, 1),
        "cpu_seconds": round(first_cpu, 2),
        "chunks_per_cpu_second": round(first.chunks_written / first_cpu, 2) if first_cpu else None,
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "no_change_rerun_seconds": round(rerun_s, 3),
        "no_change_rerun_wrote": second.chunks_written,
        "failed": len(first.failed),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "targets": {"chunks_per_second": ">= 150", "no_change_rerun_seconds": "< 3 (1,000 documents)"},
    }


def to_markdown(r: dict[str, Any]) -> str:
    text = (
        f"# Ingestion benchmark ({r['documents']} documents, model `{r['embedding_model']}`, "
        f"sentence vectors {'on' if r.get('sentence_vectors') else 'off'})\n\n"
        f"| chunks | first run s | chunks/s | CPU s | chunks per CPU s | no-change re-run s | peak RSS MB |\n"
        f"|---|---|---|---|---|---|---|\n"
        f"| {r['chunks']} | {r['first_run_seconds']} | {r['chunks_per_second']} | {r.get('cpu_seconds')} | "
        f"{r.get('chunks_per_cpu_second')} | {r['no_change_rerun_seconds']} | {r['peak_rss_mb']} |\n\n"
        f"Load average during the run: {r.get('load_average')} (2 cores).\n"
    )
    if r.get("knowledge"):
        k = r["knowledge"]
        text += (
            "\n## knowledge/ from empty\n\n| run | seconds | CPU s | chunks | texts embedded |\n|---|---|---|---|---|\n"
            + "".join(f"| {name} | {v['seconds']} | {v['cpu_seconds']} | {v['chunks']} | {v['texts_embedded']} |\n"
                      for name, v in k.items())
        )
    return text
