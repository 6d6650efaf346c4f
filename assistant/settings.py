"""The one settings object. No other module reads environment variables."""

from __future__ import annotations

import json
from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "multilingual-e5-small"

_PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "xxx", "your-secret", "todo"}


class Settings(BaseSettings):
    """Everything configurable, read from `FM_*` environment variables or `.env`."""

    model_config = SettingsConfigDict(
        env_prefix="FM_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # storage
    data_dir: Path = Path("var")
    chroma_url: str | None = None
    chroma_collection: str = "factory_mentor"
    # how widely the vector index searches (HNSW ef): at Chroma's 100 the graph each process
    # builds finds a slightly different set of the nearest chunks, and the same question got
    # another answer from one process to the next; 400 finds the same nearest ones every time
    chroma_search_ef: int = Field(default=400, ge=10)
    database_url: str | None = None
    # the knowledge catalog's database; unset = the database when it is PostgreSQL (shared by
    # every process), else <data_dir>/index.sqlite beside the embedded vectors
    catalog_database_url: str | None = None

    # embeddings (area: embeddings): the model, its threads, and the vector cache
    # multilingual-e5-small | use-multilingual-v3 | hashing-bigrams | a sentence-transformers name/path
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_batch_size: int = 64
    embedding_threads: int = Field(default=0, ge=0)  # e5 engine threads; 0 = one per core
    # document vectors by (model, content hash); default <data_dir>/embedding-cache.sqlite
    embedding_cache_path: Path | None = None
    sentence_vectors: bool = True  # embed each chunk's sentences at ingest (answer composition)
    query_cache_size: int = Field(default=2048, ge=0)  # question vectors kept per process

    # retrieval
    chunk_size: int = 500
    chunk_overlap: int = 100
    retrieval_k: int = 5
    retrieval_candidates: int = 30
    # the hits read for an answer are chosen among the top `rerank_hits` with their best line's
    # relevance counted at `rerank_weight` against the fused score (`answers.rerank`; 0 hits or
    # weight: the fused top `retrieval_k`; golden and dev suites with e5: 30 and 0.7, docs/benchmarks.md;
    # the fusion stays that of `retrieval_k` hits: the re-rank reads further down the same list)
    rerank_hits: int = Field(default=30, ge=0)
    rerank_weight: float = Field(default=0.7, ge=0)
    # fusion (area: embeddings; tuned on KorQuAD and the golden set, see docs/benchmarks.md)
    # minmax: (1 - dense_weight) * minmax(bm25) + dense_weight * minmax(cosine), the bm25 side
    #   scaled against at least keyword_floor * (idf sum of the question's terms);
    # weighted: (1 - dense_weight) * bm25 / best bm25 + dense_weight * cosine;
    # rrf: keyword_weight / (rrf_k + rank) + dense_weight / (rrf_k + rank)
    # fusion, dense_weight and keyword_floor unset = the values tuned for the embedding model
    fusion: Literal["minmax", "weighted", "rrf"] | None = None
    rrf_k: int = 60
    keyword_weight: float = 1.0
    dense_weight: float | None = Field(default=None, ge=0, le=1)
    keyword_floor: float | None = Field(default=None, ge=0)
    dedup_threshold: float = 0.9

    # ingestion budgets per file (hostile inputs): a file over one is reported and skipped, the
    # rest of the folder is ingested; checked while the file is read, not after
    ingest_max_file_mb: float = Field(default=32.0, gt=0)  # size on disk
    ingest_max_unzipped_mb: float = Field(default=64.0, gt=0)  # DOCX/HWPX members, HWP sections inflated
    ingest_max_chars: int = Field(default=2_000_000, ge=1000)  # extracted characters (and XML elements)
    ingest_max_pages: int = Field(default=2000, ge=1)  # PDF pages, counted on the page tree
    ingest_max_yaml_aliases: int = Field(default=100, ge=0)  # YAML alias uses (*name) per file
    ingest_max_seconds: float = Field(default=60.0, gt=0)  # wall time to read one file

    # answering and decisions. The confidence is the calibrated probability that the answer
    # states its key facts (answers/decision.py); thresholds fitted on the golden set
    # (scripts/fit_confidence.py, figures in docs/decisions.md)
    max_question_chars: int = 2000
    escalate_below: float | None = None  # None: the value fitted for the embedding model
    offer_expert_below: float | None = None
    # a question whose words are this much (idf-weighted) absent from every source gets an
    # expert offered unless the confidence reaches the second figure
    unknown_words_share: float = 0.35
    unknown_words_offer_below: float = 0.3
    draft_sources: int = 10

    # answering (LLM optional)
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = 20.0

    # tickets: SLA hours by priority, then re-notify at the due time and reassign past a second limit
    sla_hours_urgent: float = Field(default=4.0, gt=0)
    sla_hours_high: float = Field(default=8.0, gt=0)
    sla_hours_normal: float = Field(default=24.0, gt=0)
    sla_hours_low: float = Field(default=72.0, gt=0)
    sla_reassign_ratio: float = Field(default=0.5, ge=0)  # reassign when overdue by this share of the SLA
    sla_sweep_interval_s: float = Field(default=60.0, gt=0)
    ticket_auto_close_hours: float = Field(default=72.0, ge=0)  # answered tickets close; 0 = never

    # outbox: durable deliveries to channels (at-least-once; receivers dedupe by key)
    outbox_lease_s: float = Field(default=60.0, gt=0)  # a claimed delivery is retried after this
    outbox_send_timeout_s: float = Field(default=30.0, gt=0)
    outbox_max_attempts: int = Field(default=8, ge=1)
    outbox_backoff_base_s: float = Field(default=5.0, ge=0)
    outbox_backoff_max_s: float = Field(default=900.0, ge=0)
    outbox_batch_size: int = Field(default=20, ge=1)
    outbox_poll_interval_s: float = Field(default=2.0, gt=0)
    worker_in_process: bool = True  # the server runs one outbox worker + SLA sweep itself

    # durable inbox (issue 14, area "inbox"): channel events stored before they are acknowledged,
    # then processed from the store under a lease (renewed while the work runs)
    inbox_lease_s: float = Field(default=60.0, gt=0)  # a claimed event is taken again after this
    inbox_max_attempts: int = Field(default=5, ge=1)
    inbox_keep_days: float = Field(default=7.0, gt=0)  # finished events (the record of seen ids)

    # Slack (slack-bolt): HTTP mode needs the signing secret, Socket Mode the app-level token
    slack_bot_token: SecretStr | None = None  # xoxb-...
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None  # xapp-... (Socket Mode, scope connections:write)
    slack_api_url: str = "https://slack.com/api/"  # Web API base URL (tests: a local server)
    slack_expert_channel: str | None = None  # channel id where new tickets are posted for experts

    # KakaoTalk (Kakao i Open Builder skill server)
    kakao_skill_secret: SecretStr | None = None  # compared with the X-Skill-Secret request header
    # callbackUrl hosts we POST to (a host or its subdomains); comma-separated in the environment
    kakao_callback_hosts: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["kakao.com"])
    kakao_answer_wait_s: float = Field(default=4.0, gt=0)  # answer inline if ready by then, else callback
    kakao_callback_timeout_s: float = Field(default=10.0, gt=0)

    # web channel (channels/web): server address, browser origins, abuse limits
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8000, ge=0, le=65535)
    cors_origins: list[str] = Field(default_factory=list)  # FM_CORS_ORIGINS='["https://example.kr"]'
    rate_limit_per_minute: int = Field(default=30, ge=0)  # per client address and per owner id; 0 = off
    max_request_bytes: int = Field(default=64_000, ge=1024)  # request bodies larger than this get 413

    # guards (issue 14): the rate limit counts per client address and per owner id; the address
    # is the direct peer, or, only when the peer is one of these proxies (addresses or networks,
    # comma-separated, e.g. "10.0.0.0/8,127.0.0.1"), the nearest untrusted X-Forwarded-For entry
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, v: object) -> object:
        if isinstance(v, str):  # "a,b" or a JSON list
            v = json.loads(v) if v.strip().startswith("[") else [h.strip() for h in v.split(",") if h.strip()]
        items = v
        for item in items if isinstance(items, list) else []:
            ip_network(str(item), strict=False)  # a ValueError names the bad entry
        return items

    # hand-off and start-up (issue 13): warm the models and indexes before /readyz turns ready
    warm_up_on_start: bool = True

    # logging
    log_level: str = "WARNING"

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, v: Path) -> Path:
        return v.expanduser()

    @field_validator("kakao_callback_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, v: object) -> object:
        if isinstance(v, str):
            return [h.strip().lower() for h in v.split(",") if h.strip()]
        return v

    # deployment (area: deploy): a compose file or an orchestrator passes an unset variable as
    # an empty string; for these optional settings "" means "not configured", never a secret
    # or a URL of length zero (an empty Slack signing secret would verify any body)
    @field_validator("chroma_url", "database_url", "catalog_database_url", "embedding_cache_path",
                     "llm_base_url", "llm_model", "llm_api_key", "slack_bot_token", "slack_signing_secret",
                     "slack_app_token", "slack_expert_channel", "kakao_skill_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        for name in ("llm_api_key",):
            value = getattr(self, name)
            if value is not None and value.strip().lower() in _PLACEHOLDER_SECRETS:
                raise ValueError(f"FM_{name.upper()} is a placeholder; set a real secret or unset it")
        return self

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def vector_cache_path(self) -> Path:
        return (self.embedding_cache_path or self.data_dir / "embedding-cache.sqlite").expanduser()

    @property
    def index_path(self) -> Path:
        """SQLite file holding documents, chunks and their keyword tokens."""
        return self.data_dir / "index.sqlite"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def settings_with(**overrides: object) -> Settings:
    """A copy of the environment's settings with some fields replaced (CLI flags, tests)."""
    data = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**data)  # type: ignore[arg-type]  # values are validated by pydantic
