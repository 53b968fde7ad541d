"""The officer's metric policy: one table of versions (issue 13).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

``metric_policies`` holds each imported version of the officer's metric
policy (directions and targets of metric names) with its hash; the newest is
in force, and a version is frozen once a sign-off was made under it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_policies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False, unique=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("content_json", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("stored_at", sa.String(32), nullable=False),
        sa.Column("stored_by", sa.String(300), nullable=False),
        sa.Column("frozen_at", sa.String(32), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("metric_policies")
