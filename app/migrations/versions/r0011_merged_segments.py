"""Merged segments: the events of another registry whose work was merged into this one.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

``merged_events`` keeps, verbatim, the audit events of a registry that forked
from this one and grew apart (an officer's offline copy), after the fork, so
that their hashes and every signature pinning them verify unchanged; the
``registry.merged`` event of this registry's chain (``segment``) seals them.
Like the audit trail it is append-only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_APPEND_ONLY_SQLITE = (
    """
    CREATE TRIGGER merged_events_no_update BEFORE UPDATE ON merged_events
    BEGIN SELECT RAISE(ABORT, 'merged events are append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER merged_events_no_delete BEFORE DELETE ON merged_events
    BEGIN SELECT RAISE(ABORT, 'merged events are append-only: DELETE refused'); END
    """,
)
_APPEND_ONLY_POSTGRESQL = (
    """
    CREATE TRIGGER merged_events_no_update BEFORE UPDATE OR DELETE ON merged_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
    """,
    """
    CREATE TRIGGER merged_events_no_truncate BEFORE TRUNCATE ON merged_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()
    """,
)


def upgrade() -> None:
    op.create_table(
        "merged_events",
        sa.Column("segment", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(300), nullable=False),
        sa.Column("model_name", sa.String(300), nullable=False),
        sa.Column("details_json", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_merged_events_model_name", "merged_events", ["model_name"])
    statements = (
        _APPEND_ONLY_POSTGRESQL
        if op.get_bind().dialect.name == "postgresql"
        else _APPEND_ONLY_SQLITE
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("merged_events")
