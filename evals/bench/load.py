"""`factory-mentor bench load`: N concurrent chat clients against a real local server.

Each client is one browser: its own owner id, a few questions per conversation (taken from
the golden suite), then a new conversation. Latency is measured per request, from send to
the full answer (and, with `stream`, to the first streamed text as well). The server runs
on a copy of the data dir, so the conversations and tickets the run creates stay out of it,
with the per-client rate limit off (the limiter is not what is measured).
"""

from __future__ import annotations

import asyncio
import json
import platform
import random
import shutil
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil

from assistant.db.engine import catalog_url
from assistant.settings import Settings
from evals.bench.server import LocalServer
from evals.cases import load_suite

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
TURNS_PER_CONVERSATION = 3


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    first_text: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)


def questions() -> list[str]:
    return [case.question for case in load_suite()]


def _percentiles(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0, "mean_ms": 0.0}
    ms = np.asarray(seconds) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "p99_ms": float(np.percentile(ms, 99)), "max_ms": float(ms.max()), "mean_ms": float(ms.mean())}


async def _ask(client: httpx.AsyncClient, body: dict[str, Any], stream: bool, tally: Tally) -> dict[str, Any] | None:
    started = time.perf_counter()
    if not stream:
        response = await client.post("/v1/chat", json=body)
        if response.status_code != 200:
            tally.errors[f"HTTP {response.status_code}"] += 1
            return None
        tally.latencies.append(time.perf_counter() - started)
        return response.json()
    final: dict[str, Any] | None = None
    first_text: float | None = None
    event = ""
    async with client.stream("POST", "/v1/chat", json=body, headers={"Accept": "text/event-stream"}) as response:
        if response.status_code != 200:
            tally.errors[f"HTTP {response.status_code}"] += 1
            return None
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
                if event == "text" and first_text is None:
                    first_text = time.perf_counter() - started
            elif line.startswith("data: ") and event == "final":
                final = json.loads(line[6:])
            elif line.startswith("data: ") and event == "error":
                tally.errors["stream error event"] += 1
                return None
    if final is None:
        tally.errors["stream ended without a final event"] += 1
        return None
    tally.latencies.append(time.perf_counter() - started)
    tally.first_text.append(first_text if first_text is not None else tally.latencies[-1])
    return final


async def _client(url: str, n: int, deadline: float, stream: bool, pool: list[str], tally: Tally) -> None:
    rng = random.Random(n)
    headers = {"X-Owner-Id": f"load-{n:03d}-{uuid.uuid4().hex[:12]}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        conversation: str | None = None
        turns = 0
        while time.monotonic() < deadline:
            body = {"message": rng.choice(pool), "conversation_id": conversation}
            try:
                answer = await _ask(client, body, stream, tally)
            except httpx.HTTPError as exc:
                tally.errors[type(exc).__name__] += 1
                answer = None
            if answer is None:
                conversation, turns = None, 0
                continue
            tally.decisions[answer["decision"]] += 1
            turns += 1
            conversation = answer["conversation_id"] if turns < TURNS_PER_CONVERSATION else None
            turns %= TURNS_PER_CONVERSATION


async def _drive(urls: list[str], clients: int, seconds: float, stream: bool) -> tuple[Tally, float]:
    """`clients` browsers for `seconds`; client n talks to urls[n % len(urls)] (round-robin)."""
    pool = questions()
    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(_client(urls[n % len(urls)], n, deadline, stream, pool, tally) for n in range(clients)))
    return tally, time.monotonic() - started


def _prepare_data(source: Settings, into: Path) -> Settings:
    """A copy of the data dir (ingesting the shipped knowledge if it holds none). With the catalog in
    a database server (PostgreSQL), the knowledge is ingested into it with vectors in the copy:
    give the run a fresh database."""
    settings = source.model_copy(update={"data_dir": into})
    if catalog_url(source).startswith("sqlite") and source.index_path.exists():
        shutil.copytree(source.data_dir, into, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("bench", "bench-*", "*.log"))
        return settings
    from assistant.stores import open_stores
    from ingestion.pipeline import Ingestor

    stores = open_stores(settings)
    try:
        Ingestor(stores).sync(KNOWLEDGE)
    finally:
        stores.close()
    return settings


def load_averages() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages (it may be shared with other work)."""
    return [round(x, 2) for x in psutil.getloadavg()]


def _measure(data: Settings, tmp: Path, processes: int, clients: int, seconds: float,
             stream: bool) -> dict[str, Any]:
    """`processes` servers on the same data dir, warmed up, then the clients spread across them."""
    servers = [LocalServer(data, rate_limit_per_minute=0, log_level="WARNING",
                           log_path=tmp / f"server-{processes}-{i}.log") for i in range(processes)]
    try:
        for server in servers:
            server.start()
            with httpx.Client(base_url=server.url, timeout=120) as warm:  # loads the model; not measured
                warm.post("/v1/chat", json={"message": "스마트공장이 무엇인가요?"},
                          headers={"X-Owner-Id": "load-warmup-0000"}).raise_for_status()
        loads_before = load_averages()
        tally, elapsed = asyncio.run(_drive([s.url for s in servers], clients, seconds, stream))
        rss = [psutil.Process(s._process.pid).memory_info().rss / 2**20  # noqa: SLF001
               for s in servers if s._process]  # noqa: SLF001
    finally:
        for server in servers:
            server.stop()
    served = len(tally.latencies)
    return {
        "processes": processes, "clients": clients, "seconds": round(elapsed, 1), "mode": "sse" if stream else "json",
        "requests_served": served, "errors": sum(tally.errors.values()), "error_kinds": dict(tally.errors),
        "throughput_rps": round(served / elapsed, 2) if elapsed else 0.0,
        "latency": _percentiles(tally.latencies),
        "first_text_latency": _percentiles(tally.first_text) if stream else None,
        "decisions": dict(tally.decisions), "server_rss_mb": round(sum(rss), 1) if rss else None,
        "load_average_before": loads_before, "load_average_after": load_averages(),
    }


def _about(settings: Settings) -> dict[str, Any]:
    return {"embedding_model": settings.embedding_model, "llm": settings.llm_enabled,
            "machine": f"{platform.machine()}, {psutil.cpu_count()} CPUs, Python {platform.python_version()}"}


def run(settings: Settings, *, clients: int = 20, seconds: float = 60.0, stream: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="fm-load-") as tmp:
        data = _prepare_data(settings, Path(tmp) / "var")
        result = _measure(data, Path(tmp), 1, clients, seconds, stream)
    result.pop("processes")
    return {**result, **_about(settings)}


def run_processes(settings: Settings, *, processes: tuple[int, ...] = (1, 2), clients: int = 20,
                  seconds: float = 60.0, stream: bool = False) -> dict[str, Any]:
    """The same load against 1, 2, ... `serve` processes sharing one data dir (same database,
    catalog and vectors), one after another in the same run; the clients are spread over the
    processes round-robin, as a proxy would."""
    with tempfile.TemporaryDirectory(prefix="fm-load-") as tmp:
        data = _prepare_data(settings, Path(tmp) / "var")
        runs = [_measure(data, Path(tmp), n, clients, seconds, stream) for n in processes]
    base = runs[0]["throughput_rps"] or 1.0
    for r in runs:
        r["throughput_vs_first"] = round(r["throughput_rps"] / base, 2)
    return {"benchmark": "load-processes", "clients": clients, "mode": "sse" if stream else "json",
            "database": "PostgreSQL" if (settings.database_url or "").startswith("postgresql") else "SQLite",
            "spread": "round-robin in the load client (client n -> process n mod N)",
            "runs": runs, **_about(settings)}


def to_markdown(r: dict[str, Any]) -> str:
    lat = r["latency"]
    lines = [
        f"# Load benchmark: {r['clients']} concurrent chat clients for {r['seconds']} s ({r['mode']})",
        "",
        "One uvicorn process on loopback; each client asks golden-suite questions, three per conversation.",
        "",
        "| requests served | errors | throughput | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|---|",
        f"| {r['requests_served']} | {r['errors']} | {r['throughput_rps']} req/s | {lat['p50_ms']:.0f} ms | "
        f"{lat['p95_ms']:.0f} ms | {lat['p99_ms']:.0f} ms | {lat['max_ms']:.0f} ms |",
        "",
    ]
    if r.get("first_text_latency"):
        ft = r["first_text_latency"]
        lines += [f"First streamed text: p50 {ft['p50_ms']:.0f} ms, p95 {ft['p95_ms']:.0f} ms.", ""]
    if r["error_kinds"]:
        lines += ["Errors: " + ", ".join(f"{k}: {v}" for k, v in r["error_kinds"].items()), ""]
    decisions = ", ".join(f"{k} {v}" for k, v in sorted(r["decisions"].items()))
    lines += [f"Decisions: {decisions}. Server memory at the end: {r['server_rss_mb']} MB.",
              f"Embedding model `{r['embedding_model']}`, LLM {'on' if r['llm'] else 'off'}; {r['machine']}."]
    return "\n".join(lines) + "\n"


def processes_markdown(r: dict[str, Any]) -> str:
    lines = [
        f"# Load benchmark: {r['clients']} concurrent chat clients, 1 vs more `serve` processes ({r['mode']})",
        "",
        f"Processes on one machine ({r['machine']}), sharing one data dir; {r['database']} database. "
        f"Clients spread {r['spread']}.",
        "",
        "| processes | requests served | errors | throughput | vs first | p50 | p95 | p99 | RSS (all) | "
        "load avg before |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for x in r["runs"]:
        lat = x["latency"]
        lines.append(f"| {x['processes']} | {x['requests_served']} | {x['errors']} | {x['throughput_rps']} req/s | "
                     f"x{x['throughput_vs_first']} | {lat['p50_ms']:.0f} ms | {lat['p95_ms']:.0f} ms | "
                     f"{lat['p99_ms']:.0f} ms | {x['server_rss_mb']} MB | "
                     f"{' / '.join(str(v) for v in x['load_average_before'])} |")
    lines += ["", f"Embedding model `{r['embedding_model']}`, LLM {'on' if r['llm'] else 'off'}; "
              f"{r['runs'][0]['seconds']} s per process count."]
    return "\n".join(lines) + "\n"
