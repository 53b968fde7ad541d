"""A model's listed risk tier is the officer's classification when there is one.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

``models.risk_tier`` is what the registry lists, filters and sorts models by.
Classifying a model stored the officer's tier there, but importing a later
version put back that card's own rating, though the classification stays in
force for it (and a merge brought the source's row as it was).  Each
classified model's row is set to the tier of its newest classification: the
one in force for its newest version.  Rows only: the audit trail keeps what
each card said (``model.created``) and each classification as its own signed
event.  Downgrading leaves the rows as they are (the older code lists the same
value until the next import of such a model).
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_NEWEST = (
    "(SELECT c.tier FROM classifications AS c WHERE c.model_id = models.id "
    "ORDER BY c.id DESC LIMIT 1)"
)


def upgrade() -> None:
    op.execute(f"UPDATE models SET risk_tier = {_NEWEST} WHERE risk_tier <> {_NEWEST}")


def downgrade() -> None:
    """Nothing to undo: a classified model's tier is the one the older code stored on classifying."""
