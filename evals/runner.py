"""Run golden cases through the assistant's public service and score every answer.

Each case gets a fresh conversation: a follow-up asks its earlier `turns` first, then its
question. The run uses a throwaway database (tickets and conversations of the eval never
reach the real one) and the data dir's knowledge stores, synced from `knowledge/` first.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.db.engine import catalog_url
from assistant.errors import FMError
from assistant.settings import Settings
from assistant.types import Channel, Question
from evals.artifacts import dont_items, score_artifacts
from evals.cases import Case
from evals.metrics import by_group, label_key, score_case, summarize
from evals.records import CaseRecord, Cited, Retrieved
from evals.runs import Run, new_run_id, settings_snapshot
from evals.suites import EVALS_DIR, Suite

log = logging.getLogger(__name__)

RETRIEVE_K = 10  # hit@5 and MRR@10 need the top ten

KNOWLEDGE_DIR = EVALS_DIR.parent / "knowledge"
Progress = Callable[[int, int], None]
WARM_UP = "스마트공장 지원사업은 어떤 것이 있나요?"


def ensure_ingested(settings: Settings, knowledge_dir: Path = KNOWLEDGE_DIR) -> dict[str, Any]:
    """Sync the knowledge folder into the data dir (by content hash: a no-change run is cheap)."""
    from assistant.stores import open_stores
    from ingestion.pipeline import Ingestor

    stores = open_stores(settings)
    try:
        report = Ingestor(stores).sync(knowledge_dir)
    finally:
        stores.close()
    if report.failed:
        raise RuntimeError(f"knowledge ingestion failed for {report.failed}")
    return report.as_dict()


def scratch_database(settings: Settings, path: Path) -> Settings:
    """These settings with conversations and tickets in a throwaway SQLite file, and the
    catalog left where it is (in the real database when that is PostgreSQL)."""
    return settings.model_copy(update={"database_url": f"sqlite:///{path}",
                                       "catalog_database_url": catalog_url(settings)})


def build_eval_assistant(settings: Settings) -> Any:
    """The assistant exactly as the channels get it."""
    from assistant.wiring import build_assistant

    return build_assistant(settings)


async def retrieve_for_case(assistant: Any, question: Question) -> list[Retrieved]:
    """What the assistant retrieves for the question, best first, through its public
    `aretrieve` (follow-up resolution and supplier matching included). Called before the
    question is asked, so the conversation is in the same state `ask` will see."""
    k = max(assistant.settings.retrieval_k, RETRIEVE_K)
    cited = await assistant.aretrieve(question, k)
    return [Retrieved(source=c.source, chunk_id=c.chunk_id, text=c.snippet) for c in cited]


def _record(case: Case) -> CaseRecord:
    return CaseRecord(
        id=case.id, type=case.type.value, kind=case.tags.kind, difficulty=case.tags.difficulty,
        topic=case.tags.topic, labels=[label.value for label in case.tags.labels], question=case.question,
        turns=list(case.turns),
        expected_decision=case.expected_decision.value, expected_topic=case.expected_topic,
    )


async def run_case(assistant: Any, case: Case) -> CaseRecord:
    record = _record(case)
    try:
        conversation: str | None = None
        for turn in case.turns:
            earlier = await assistant.aask(Question(text=turn, conversation_id=conversation, channel=Channel.api))
            conversation = earlier.conversation_id
        question = Question(text=case.question, conversation_id=conversation, channel=Channel.api)
        record.retrieved = await retrieve_for_case(assistant, question)
        started = time.perf_counter()
        answer = await assistant.aask(question)
        record.latency_s = time.perf_counter() - started
    except FMError as exc:
        record.error = f"{exc.code}: {exc.detail or exc.message}"
    except Exception as exc:  # noqa: BLE001 - one broken case must not hide the others
        log.exception("case %s failed", case.id)
        record.error = f"{type(exc).__name__}: {exc}"
    else:
        record.decision = answer.decision.value
        record.answer, record.confidence = answer.answer, answer.confidence
        record.mode, record.reason = answer.mode.value, answer.reason
        record.citations = [Cited(n=c.n, source=c.source, chunk_id=c.chunk_id) for c in answer.citations]
        if answer.ticket_id and getattr(assistant, "db", None) is not None:
            record.ticket_topic = assistant.desk.ticket_topic(answer.ticket_id)
    score_case(case, record)
    return record


async def run_cases(assistant: Any, cases: list[Case], progress: Progress | None = None) -> list[CaseRecord]:
    """Cases one after another (so each latency is the case's own), after one warm-up
    question that loads the models and search view and is not scored."""
    await assistant.aask(Question(text=WARM_UP, channel=Channel.api))
    records = []
    for i, case in enumerate(cases, start=1):
        records.append(await run_case(assistant, case))
        if progress:
            progress(i, len(cases))
    return records


async def _run_and_score(
    assistant: Any, suite: Suite, settings: Settings, llm_metrics: bool, progress: Progress | None,
    dont: list[str],
) -> tuple[list[CaseRecord], dict[str, str], dict[str, float]]:
    from evals import ragas_metrics

    t0 = time.perf_counter()
    records = await run_cases(assistant, suite.cases, progress)
    t1 = time.perf_counter()
    pairs = list(zip(suite.cases, records, strict=True))
    for case, record in pairs:
        score_artifacts(case, record, dont)
    await ragas_metrics.score_offline(pairs)
    if llm_metrics:
        notes = await ragas_metrics.score_with_llm(pairs, settings)
    else:
        notes = dict.fromkeys(ragas_metrics.LLM_METRICS, "not run: switched off (--no-llm-metrics)")
    return records, notes, {"cases_s": t1 - t0, "ragas_s": time.perf_counter() - t1}


def run_suite(
    settings: Settings, suite: Suite, *, knowledge_dir: Path = KNOWLEDGE_DIR, llm_metrics: bool = True,
    progress: Progress | None = None,
) -> Run:
    """Ingest if needed, ask every case, score, and return the run (not yet saved)."""
    from evals.ragas_metrics import prepare_offline

    prepare_offline(settings.data_dir / "cache" / "tiktoken")
    started = time.perf_counter()
    ingest = ensure_ingested(settings, knowledge_dir)
    ingest_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="fm-eval-") as work:
        run_settings = scratch_database(settings, Path(work) / "eval.sqlite")
        assistant = build_eval_assistant(run_settings)
        try:
            records, notes, timings = asyncio.run(
                _run_and_score(assistant, suite, settings, llm_metrics, progress, dont_items(knowledge_dir)))
        finally:
            close_assistant(assistant)
    log.info("suite %s: %d cases in %.1f s", suite.name, len(records), timings["cases_s"])
    return Run(
        run_id=new_run_id(suite.name), created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        suite=suite.name, suite_source=suite.source, settings=settings_snapshot(settings),
        metrics=summarize(records), by_kind=by_group(records, lambda r: r.kind),
        by_type=by_group(records, lambda r: r.type), by_label=by_group(records, label_key), notes=notes,
        records=records,
        timings={"ingest_s": ingest_s, **timings, "total_s": time.perf_counter() - started,
                 "files_ingested": float(ingest.get("added", 0) + ingest.get("updated", 0))},
    )


def close_assistant(assistant: Any) -> None:
    """Release what `build_eval_assistant` opened."""
    close = getattr(assistant, "close", None)
    if callable(close):
        close()
        return
    if getattr(assistant, "stores", None) is not None:
        assistant.stores.close()
    if getattr(assistant, "db", None) is not None:
        assistant.db.dispose()
