"""Run one ingest of a folder in a child process and measure it: wall time, peak memory, the
report, and whether the good file (and nothing from outside the folder) is searchable.

`python -m tests.unit.ingestion.hostile_run FOLDER DATA_DIR` prints one JSON line; `measure`
starts that child, watches its memory and kills it past a time or memory cap."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from tests.unit.ingestion.hostile_files import GOOD_NAME, GOOD_QUERY

MB = 1024 * 1024


@dataclass
class Run:
    seconds: float  # wall time of the whole child (model load included)
    peak_rss_mb: float  # highest resident memory of the child over its life (model loading included)
    killed: str | None  # "time" or "memory" when the cap stopped it
    result: dict[str, Any]  # what the child printed (empty when killed)


def measure(folder: Path, data_dir: Path, *, timeout_s: float = 180, rss_cap_mb: float = 3000,
            env: dict[str, str] | None = None) -> Run:
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.unit.ingestion.hostile_run", str(folder), str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    proc = psutil.Process(child.pid)
    peak, killed = 0.0, None
    while child.poll() is None:
        try:
            peak = max(peak, proc.memory_info().rss / MB)
        except psutil.Error:
            break
        if peak > rss_cap_mb or time.perf_counter() - started > timeout_s:
            killed = "memory" if peak > rss_cap_mb else "time"
            child.kill()
            break
        time.sleep(0.05)
    out, err = child.communicate()
    seconds = time.perf_counter() - started
    if killed:
        return Run(seconds, peak, killed, {})
    if child.returncode != 0:
        raise AssertionError(f"ingest child failed ({child.returncode}): {err.decode(errors='replace')[-3000:]}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    return Run(seconds, max(peak, result["maxrss_mb"]), None, result)


class _PeakSampler(threading.Thread):
    """Highest resident memory while the sync runs, sampled every 5 ms (ru_maxrss cannot
    tell the sync from the model loading before it)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.peak = 0.0

    def run(self) -> None:
        proc = psutil.Process()
        while not self.stop.is_set():
            self.peak = max(self.peak, proc.memory_info().rss / MB)
            self.stop.wait(0.005)


def _main(folder: Path, data_dir: Path) -> None:
    from assistant.answers.retrieval import HybridSearcher
    from assistant.settings import Settings
    from assistant.stores import open_stores
    from ingestion.pipeline import Ingestor

    stores = open_stores(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    ingestor = Ingestor(stores)
    warmup = data_dir / "warmup"  # one small ingest first: the baseline holds every model loaded
    warmup.mkdir(parents=True, exist_ok=True)
    (warmup / "warmup.md").write_text("# 준비\n\n모델과 형태소 분석기를 미리 불러옵니다.", encoding="utf-8")
    ingestor.sync(warmup)
    baseline = psutil.Process().memory_info().rss / MB
    sampler = _PeakSampler()
    sampler.start()
    started = time.perf_counter()
    report = ingestor.sync(folder)
    sync_s = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    searcher = HybridSearcher(stores)
    good = [h.chunk.source for h in searcher.search(GOOD_QUERY, 3)]
    leaked = [h.chunk.text[:80] for h in searcher.search("root nologin bash", 5, mode="keyword")]
    stores.close()
    print(json.dumps({
        "report": report.as_dict(), "sync_s": round(sync_s, 2), "baseline_mb": round(baseline),
        "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "sync_peak_mb": round(max(sampler.peak, baseline)),
        "good_found": bool(good) and good[0] == GOOD_NAME, "leaked": leaked,
    }, ensure_ascii=False))


if __name__ == "__main__":
    _main(Path(sys.argv[1]), Path(sys.argv[2]))
