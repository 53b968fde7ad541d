"""Core registry: models, bundles, card versions, attachments, audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The audit trail is append-only: the database itself refuses to change it.
_APPEND_ONLY_SQLITE = (
    """
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END
    """,
)
# PostgreSQL (a server registry starts at this revision too, with `registry init`):
# one PL/pgSQL function refuses UPDATE, DELETE and TRUNCATE.
_APPEND_ONLY_POSTGRESQL = (
    """
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
    """,
    """
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()
    """,
)


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False, unique=True),
        sa.Column("team", sa.String(300), nullable=False, server_default=""),
        sa.Column("risk_tier", sa.String(20), nullable=False, server_default=""),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("last_activity", sa.String(32), nullable=False),
    )
    op.create_index("ix_models_team", "models", ["team"])
    op.create_index("ix_models_risk_tier", "models", ["risk_tier"])
    op.create_index("ix_models_last_activity", "models", ["last_activity"])
    op.create_table(
        "bundles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("team", sa.String(300), nullable=False),
        sa.Column("producer", sa.String(300), nullable=False, server_default=""),
        sa.Column("created", sa.String(64), nullable=False, server_default=""),
        sa.Column("manifest_json", sa.Text, nullable=False),
        sa.Column("signature_status", sa.String(20), nullable=False),
        sa.Column("signer_certificate_pem", sa.Text, nullable=True),
        sa.Column("signer_subject", sa.String(500), nullable=True),
        sa.Column("signer_fingerprint", sa.String(64), nullable=True),
        sa.Column("imported_at", sa.String(32), nullable=False),
        sa.Column("imported_by", sa.String(300), nullable=False),
    )
    op.create_table(
        "card_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "model_id", sa.Integer, sa.ForeignKey("models.id", ondelete="RESTRICT"), nullable=False
        ),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("canonical_json", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("original", sa.LargeBinary, nullable=False),
        sa.Column("original_name", sa.String(500), nullable=False),
        sa.Column("source_format", sa.String(20), nullable=False),
        sa.Column("warnings_json", sa.Text, nullable=False, server_default="[]"),
        sa.Column("status", sa.String(20), nullable=False, server_default="submitted"),
        sa.Column(
            "bundle_id", sa.Integer, sa.ForeignKey("bundles.id", ondelete="RESTRICT"), nullable=True
        ),
        sa.Column("imported_at", sa.String(32), nullable=False),
        sa.Column("imported_by", sa.String(300), nullable=False),
        sa.UniqueConstraint("model_id", "version", name="uq_card_versions_model_version"),
    )
    op.create_index("ix_card_versions_model_seq", "card_versions", ["model_id", "seq"])
    op.create_index("ix_card_versions_sha256", "card_versions", ["sha256"])
    op.create_index("ix_card_versions_status", "card_versions", ["status"])
    op.create_index("ix_card_versions_bundle_id", "card_versions", ["bundle_id"])
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "card_version_id",
            sa.Integer,
            sa.ForeignKey("card_versions.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_attachments_card_version_id", "attachments", ["card_version_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(300), nullable=False),
        sa.Column("model_name", sa.String(300), nullable=False, server_default=""),
        sa.Column("details_json", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_action", "audit_events", ["action"])
    op.create_index("ix_audit_events_model_name", "audit_events", ["model_name"])
    name = op.get_bind().dialect.name
    statements = _APPEND_ONLY_POSTGRESQL if name == "postgresql" else _APPEND_ONLY_SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the registry is never downgraded; restore a backup instead")
