"""Sign-offs may carry conditions and an expiry date: two columns on signatures.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

``conditions_json`` holds the sign-off's conditions (a JSON list of short
texts, ``[]`` for none) and ``expires_on`` the date (``YYYY-MM-DD``, UTC)
until which an approval holds (NULL: it does not expire).  Both are part of
the signed payload when set; sign-offs signed before this revision have
neither, and their payloads are rebuilt as they were signed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "signatures",
        sa.Column("conditions_json", sa.Text, nullable=False, server_default="[]"),
    )
    op.add_column("signatures", sa.Column("expires_on", sa.String(10), nullable=True))
    op.create_index("ix_signatures_expires_on", "signatures", ["expires_on"])


def downgrade() -> None:
    op.drop_index("ix_signatures_expires_on", table_name="signatures")
    with op.batch_alter_table("signatures") as batch:
        batch.drop_column("expires_on")
        batch.drop_column("conditions_json")
