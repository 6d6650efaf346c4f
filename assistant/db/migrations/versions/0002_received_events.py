"""The durable inbox of received channel events (issue 14): a Slack event or a Kakao
callback request is stored here before it is acknowledged, and processed from here.

Revision ID: 0002_received_events
Revises: 0001_initial
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_received_events"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "received_events",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("event_key", sa.String(200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        _ts("next_attempt_at"),
        _ts("locked_until", nullable=True),
        sa.Column("locked_by", sa.String(100), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("received_at"),
        _ts("done_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_received_events"),
        sa.UniqueConstraint("channel", "event_key", name="uq_received_events_channel_event_key"),
    )
    op.create_index("ix_received_events_status_next_attempt_at", "received_events", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("received_events")
