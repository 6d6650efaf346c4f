"""Each chunk's lines analysed at ingest (issue 12): the Kiwi sentence split of its text and
the terms of every line and heading the answer composer reads, so answering a question
analyses only the question. Chunks ingested before have none and are analysed when asked.

Revision ID: 0004_chunk_analysis
Revises: 0003_shared_stores
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_chunk_analysis"
down_revision: str | None = "0003_shared_stores"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("catalog_chunks", sa.Column("analysis", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("catalog_chunks") as batch:
        batch.drop_column("analysis")
