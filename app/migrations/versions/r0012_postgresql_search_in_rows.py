"""PostgreSQL's search reads less: each card's ``tsvector`` in its row, superseded versions indexed.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

A search ranks up to 10,000 matches, reading the ``tsvector`` of each twice
(the match, then ``ts_rank``).  PostgreSQL kept that vector, 1.5 KB for a
card, out of the row in the TOAST table (a lookup of its own each time);
``STORAGE MAIN`` keeps it in the row, and the table is rewritten (``CLUSTER``,
in card version order, the order searches read it in) so that the vectors
already there move too.  The partial index lists the superseded card
versions, which a search ranks after the current ones, so that they are
told apart from the index alone.  Measured at 100,000 card versions, a
broad search fell from about 260 ms to about 60 ms (the README's figures).
SQLite's registry is untouched.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE card_search ALTER COLUMN document SET STORAGE MAIN")
    op.execute("CLUSTER card_search USING card_search_pkey")
    op.execute(
        "CREATE INDEX ix_card_versions_superseded ON card_versions (id) WHERE status = 'superseded'"
    )
    op.execute("ANALYZE card_search")
    op.execute("ANALYZE card_versions")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_card_versions_superseded")
    op.execute("ALTER TABLE card_search ALTER COLUMN document SET STORAGE EXTENDED")
