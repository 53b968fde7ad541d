"""Sign-offs sign the escalations they fulfil: one column on signatures.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

``escalations_json`` lists the ids of the checklist template's escalations
(what approving a card that fails a threshold takes) that the sign-off's
signer fulfilled by their role.  Sign-offs signed before this revision get
``[]``: they fulfilled none, and their payloads do not mention escalations.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "signatures",
        sa.Column("escalations_json", sa.Text, nullable=False, server_default="{}"),
    )


def downgrade() -> None:
    with op.batch_alter_table("signatures") as batch:
        batch.drop_column("escalations_json")
