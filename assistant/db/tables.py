"""Tables every process shares that are not domain models: the knowledge catalog, the channel
adapters' keys and the rate-limit counters (plain SQLAlchemy Core tables on the models' metadata).

With several `serve` processes on one PostgreSQL these are what keeps them in step: an ingest
commits a document's chunks and bumps the catalog generation in one transaction, every process
sees the new generation at its next request; a Slack retry or a Kakao duplicate finds its key
whichever process receives it; a client's requests are counted once, not once per process.
`metadata` (the models' and these) is what the migrations must equal.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text

from assistant.db.models import Base

metadata: MetaData = Base.metadata

# -- the catalog: ingested files, their chunks (with Kiwi terms: the keyword postings), state --
catalog_files = Table(
    "catalog_files", metadata,
    Column("file_id", String(200), primary_key=True),
    Column("root", Text, nullable=False),
    Column("relpath", Text, nullable=False),
    Column("content_hash", String(128), nullable=False),
    Column("embed_model", Text, nullable=False),
    Column("chunk_count", Integer, nullable=False),
    Column("ingested_at", Float, nullable=False),
    Index("ix_catalog_files_root", "root"),
)

catalog_chunks = Table(
    "catalog_chunks", metadata,
    Column("chunk_id", String(200), primary_key=True),
    Column("file_id", String(200), ForeignKey("catalog_files.file_id", ondelete="CASCADE"), nullable=False),
    Column("ord", Integer, nullable=False),
    Column("source", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("heading", Text, nullable=True),
    Column("page", Integer, nullable=True),
    Column("text", Text, nullable=False),
    Column("terms", Text, nullable=False),  # Kiwi morphemes, space-separated
    Column("meta", Text, nullable=False),  # JSON
    Column("analysis", Text, nullable=True),  # JSON: its lines as the composer reads them (ingest's)
    Index("ix_catalog_chunks_file_id", "file_id"),
)

catalog_state = Table(
    "catalog_state", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

# -- channel adapters' keys: events seen, deliveries sent, Slack threads -> conversations --
channel_keys = Table(
    "channel_keys", metadata,
    Column("ns", String(40), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False, default=""),
    Column("created", Float, nullable=False),
    Index("ix_channel_keys_ns_created", "ns", "created"),
)

# -- rate limits: hits per key (a client address, an owner id) per fixed window --
rate_windows = Table(
    "rate_windows", metadata,
    Column("key", String(200), primary_key=True),
    Column("window", Integer, primary_key=True),  # window start, in whole windows since the epoch
    Column("hits", Integer, nullable=False),
)
