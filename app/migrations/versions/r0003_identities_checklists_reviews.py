"""Reviewer identities, checklist templates, reviews, signed sign-offs and their responses.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

New tables only: existing models, card versions and audit events are left as
they are (a card version that was never reviewed stays "submitted").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("subject", sa.String(1000), nullable=False),
        sa.Column("issuer", sa.String(1000), nullable=False),
        sa.Column("certificate_pem", sa.Text, nullable=False),
        sa.Column("chain_pem", sa.Text, nullable=False, server_default=""),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("not_before", sa.String(32), nullable=False),
        sa.Column("not_after", sa.String(32), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(300), nullable=False),
        sa.Column("retired_at", sa.String(32), nullable=True),
        sa.Column("retired_reason", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_identities_email", "identities", ["email"])
    op.create_table(
        "checklist_templates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("template_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("content_json", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("stored_at", sa.String(32), nullable=False),
        sa.Column("stored_by", sa.String(300), nullable=False),
        sa.Column("frozen_at", sa.String(32), nullable=True),
        sa.UniqueConstraint("template_id", "version", name="uq_checklist_templates_id_version"),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "card_version_id",
            sa.Integer,
            sa.ForeignKey("card_versions.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column(
            "template_record_id",
            sa.Integer,
            sa.ForeignKey("checklist_templates.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("status", sa.String(20), nullable=False, server_default="in review"),
        sa.Column("opened_at", sa.String(32), nullable=False),
        sa.Column("closed_at", sa.String(32), nullable=True),
    )
    op.create_index("ix_reviews_card_version_id", "reviews", ["card_version_id"])
    op.create_index("ix_reviews_template_record_id", "reviews", ["template_record_id"])
    op.create_index("ix_reviews_status", "reviews", ["status"])
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "review_id",
            sa.Integer,
            sa.ForeignKey("reviews.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column(
            "identity_id",
            sa.Integer,
            sa.ForeignKey("identities.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("signed_at", sa.String(32), nullable=False),
        sa.Column("signer_fingerprint", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("review_id", "identity_id", name="uq_signatures_review_identity"),
    )
    op.create_index("ix_signatures_review_id", "signatures", ["review_id"])
    op.create_index("ix_signatures_identity_id", "signatures", ["identity_id"])
    op.create_table(
        "review_responses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "signature_id",
            sa.Integer,
            sa.ForeignKey("signatures.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("item_id", sa.String(100), nullable=False),
        sa.Column("answer", sa.String(4), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("automatic", sa.String(4), nullable=False, server_default=""),
        sa.Column("evidence", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("signature_id", "item_id", name="uq_review_responses_signature_item"),
    )
    op.create_index("ix_review_responses_signature_id", "review_responses", ["signature_id"])


def downgrade() -> None:
    raise NotImplementedError("the registry is never downgraded; restore a backup instead")
