"""The stores several processes must share (issue 15): the knowledge catalog (files, chunks
with their keyword terms, the generation), the channel adapters' keys and rate-limit windows.

A SQLite catalog written before this revision (`<data dir>/index.sqlite` with tables `files`,
`chunks`, `state`) is copied into the new tables and the old ones dropped, so an upgrade
keeps what was ingested.

Revision ID: 0003_shared_stores
Revises: 0002_received_events
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_shared_stores"
down_revision: str | None = "0002_received_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LEGACY = ("chunks", "files", "state")


def upgrade() -> None:
    op.create_table(
        "catalog_files",
        sa.Column("file_id", sa.String(200), nullable=False),
        sa.Column("root", sa.Text(), nullable=False),
        sa.Column("relpath", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(128), nullable=False),
        sa.Column("embed_model", sa.Text(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("ingested_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("file_id", name="pk_catalog_files"),
    )
    op.create_index("ix_catalog_files_root", "catalog_files", ["root"])
    op.create_table(
        "catalog_chunks",
        sa.Column("chunk_id", sa.String(200), nullable=False),
        sa.Column("file_id", sa.String(200), nullable=False),
        sa.Column("ord", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("heading", sa.Text(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("meta", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["catalog_files.file_id"], ondelete="CASCADE",
                                name="fk_catalog_chunks_file_id_catalog_files"),
        sa.PrimaryKeyConstraint("chunk_id", name="pk_catalog_chunks"),
    )
    op.create_index("ix_catalog_chunks_file_id", "catalog_chunks", ["file_id"])
    op.create_table(
        "catalog_state",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_catalog_state"),
    )
    op.create_table(
        "channel_keys",
        sa.Column("ns", sa.String(40), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("ns", "key", name="pk_channel_keys"),
    )
    op.create_index("ix_channel_keys_ns_created", "channel_keys", ["ns", "created"])
    op.create_table(
        "rate_windows",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("window", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window", name="pk_rate_windows"),
    )
    _adopt_legacy_catalog()


def _adopt_legacy_catalog() -> None:
    """Copy a pre-0003 SQLite catalog (same columns, old table names) and drop its tables."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or not set(_LEGACY) <= set(sa.inspect(bind).get_table_names()):
        return
    op.execute("INSERT INTO catalog_files SELECT file_id, root, relpath, content_hash, embed_model, "
               "chunk_count, ingested_at FROM files")
    op.execute("INSERT INTO catalog_chunks SELECT chunk_id, file_id, ord, source, title, kind, heading, "
               "page, text, terms, metadata FROM chunks")
    op.execute("INSERT INTO catalog_state SELECT key, value FROM state")
    for table in _LEGACY:
        op.execute(f"DROP TABLE {table}")


def downgrade() -> None:
    for table in ("rate_windows", "channel_keys", "catalog_state", "catalog_chunks", "catalog_files"):
        op.drop_table(table)
