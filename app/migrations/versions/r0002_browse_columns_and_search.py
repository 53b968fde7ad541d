"""Registry browser columns on models, and the full-text search index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

The browser sorts and pages 10,000 models; repeating the newest version's
label and status on the model row saves a join per page.  The search index is
SQLite FTS5 over every card version's text, filled from the rows that exist; on
PostgreSQL a table with a weighted ``tsvector`` (model A, version and team B,
text D: FTS5's bm25 weights 10, 2, 2, 1) and a GIN index over it; the
punctuation PostgreSQL's parser keeps inside a token ("scorer-3", "1.0.0",
e-mail addresses) is cut first, as FTS5's unicode61 tokenizer cuts it.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("models") as models:
        models.add_column(
            sa.Column("latest_version", sa.String(100), nullable=False, server_default="")
        )
        models.add_column(
            sa.Column("status", sa.String(20), nullable=False, server_default="submitted")
        )
        models.add_column(
            sa.Column("version_count", sa.Integer, nullable=False, server_default="0")
        )
    op.create_index("ix_models_status", "models", ["status"])
    bind = op.get_bind()
    bind.execute(
        sa.text(
            """
            UPDATE models SET
              version_count = (SELECT count(*) FROM card_versions v WHERE v.model_id = models.id),
              latest_version = coalesce((SELECT v.version FROM card_versions v
                  WHERE v.model_id = models.id ORDER BY v.seq DESC LIMIT 1), ''),
              status = coalesce((SELECT v.status FROM card_versions v
                  WHERE v.model_id = models.id ORDER BY v.seq DESC LIMIT 1), 'submitted')
            """
        )
    )
    if bind.dialect.name == "postgresql":
        op.execute(_SEARCH_POSTGRESQL)
        op.execute("CREATE INDEX ix_card_search_document ON card_search USING gin (document)")
    elif bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE card_search USING fts5("
            "model, version, team, body, tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
        )
    else:
        return
    rows = bind.execute(
        sa.text(
            "SELECT v.id, m.name, v.version, m.team, v.canonical_json "
            "FROM card_versions v JOIN models m ON m.id = v.model_id"
        )
    )
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(
            {
                "id": row[0],
                "model": row[1],
                "version": row[2],
                "team": row[3],
                "body": _text(row[4]),
            }
        )
    column = "card_version_id" if bind.dialect.name == "postgresql" else "rowid"
    if batch:
        bind.execute(
            sa.text(
                f"INSERT INTO card_search({column}, model, version, team, body) "
                "VALUES (:id, :model, :version, :team, :body)"
            ),
            batch,
        )


_SEARCH_POSTGRESQL = """
CREATE TABLE card_search (
  card_version_id integer PRIMARY KEY REFERENCES card_versions (id) ON DELETE RESTRICT,
  model text NOT NULL,
  version text NOT NULL,
  team text NOT NULL,
  body text NOT NULL,
  document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', regexp_replace(model, '[-_./@:+#~]+', ' ', 'g')), 'A')
    || setweight(to_tsvector('simple', regexp_replace(version, '[-_./@:+#~]+', ' ', 'g')), 'B')
    || setweight(to_tsvector('simple', regexp_replace(team, '[-_./@:+#~]+', ' ', 'g')), 'B')
    || setweight(to_tsvector('simple', regexp_replace(body, '[-_./@:+#~]+', ' ', 'g')), 'D')
  ) STORED
)
"""


def _text(canonical: str) -> str:
    # Frozen copy of the text extraction at this revision; the app's own may change.
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for key in sorted(value):
                if key not in ("format", "format_version", "numeric"):
                    walk(value[key])
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(canonical))
    return "\n".join(part for part in out if part)


def downgrade() -> None:
    raise NotImplementedError("the registry is never downgraded; restore a backup instead")
