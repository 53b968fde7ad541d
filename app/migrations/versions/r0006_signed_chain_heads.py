"""Sign-offs sign the audit chain's head they extend: two columns on signatures.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

``chain_seq`` and ``chain_hash`` are the newest audit event when the sign-off
was signed; both are part of its signed payload (format version 2).  Sign-offs
signed before this revision keep NULL in both and verify as format version 1.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("signatures", sa.Column("chain_seq", sa.Integer, nullable=True))
    op.add_column("signatures", sa.Column("chain_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signatures") as batch:
        batch.drop_column("chain_hash")
        batch.drop_column("chain_seq")
