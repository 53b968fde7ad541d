"""Stages, the officer's risk classification, revocations and bound artifacts.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-05

* ``stages``: the registry's ordered deployment stages, seeded with the
  default ``staging``, ``production``;
* ``reviews.stage``: the stage a review round is for.  Rounds from before
  stages keep NULL: such a round counts for every stage (an approval from
  before stages was the approval to deploy, so it stays approved for
  production and, as production needs every earlier stage, for those too);
* ``classifications`` and ``revocations``: signed acts of an officer;
* ``card_versions.artifacts_json``: the model files a card version names.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stages = op.create_table(
        "stages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False, unique=True),
        sa.Column("name", sa.String(60), nullable=False, unique=True),
    )
    op.bulk_insert(
        stages, [{"position": 0, "name": "staging"}, {"position": 1, "name": "production"}]
    )
    with op.batch_alter_table("reviews") as reviews:
        reviews.add_column(sa.Column("stage", sa.String(60), nullable=True))
    op.create_index("ix_reviews_stage", "reviews", ["stage"])
    with op.batch_alter_table("card_versions") as versions:
        versions.add_column(
            sa.Column("artifacts_json", sa.Text, nullable=False, server_default="[]")
        )
    op.create_table(
        "classifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "model_id", sa.Integer, sa.ForeignKey("models.id", ondelete="RESTRICT"), nullable=False
        ),
        sa.Column(
            "card_version_id",
            sa.Integer,
            sa.ForeignKey("card_versions.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column(
            "identity_id",
            sa.Integer,
            sa.ForeignKey("identities.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("signed_at", sa.String(32), nullable=False),
        sa.Column("act_json", sa.Text, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_classifications_model_id", "classifications", ["model_id"])
    op.create_table(
        "revocations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "card_version_id",
            sa.Integer,
            sa.ForeignKey("card_versions.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("stage", sa.String(60), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column(
            "identity_id",
            sa.Integer,
            sa.ForeignKey("identities.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("signed_at", sa.String(32), nullable=False),
        sa.Column("act_json", sa.Text, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("card_version_id", "stage", name="uq_revocations_version_stage"),
    )
    op.create_index("ix_revocations_card_version_id", "revocations", ["card_version_id"])


def downgrade() -> None:
    op.drop_table("revocations")
    op.drop_table("classifications")
    with op.batch_alter_table("card_versions") as versions:
        versions.drop_column("artifacts_json")
    op.drop_index("ix_reviews_stage", "reviews")
    with op.batch_alter_table("reviews") as reviews:
        reviews.drop_column("stage")
    op.drop_table("stages")
