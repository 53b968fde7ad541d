"""Fewer pages written per import: no card-hash index, the text not stored twice, fewer merges.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

Measured on the 10,000-model / 100,000-version registry, a 1,000-card import
wrote about 7,500 pages to the WAL, each copied again into the file at the
checkpoint that follows the commit (most of the import's write phase):

* ``ix_card_versions_sha256`` (about 1,000 pages: a card's hash is random, so
  each new card version lands on its own leaf page).  No query looks a card
  version up by its hash; the import compares hashes per model and version.
  Dropped on both databases.
* The SQLite search index kept a copy of every card's text (``body``, about
  1,250 pages per import, 385 MB of the 100,000-version registry).  It is
  rebuilt *contentless* (``content=''``): the same terms, positions and
  column sizes, so the same matches and bm25 ranks; a hit's snippet is made
  from the card version's canonical JSON instead
  (:func:`countersign.services.storage.dialect.search_card_versions`).
* FTS5 merged its segments at every commit (``automerge=4``: on average another
  1,200 pages a 1,000-card import, written and freed).  ``automerge=16`` with
  ``crisismerge=64`` merges in larger, rarer steps, each still bounded by the
  pages written: over 50 imports of 1,000 cards about half the pages on
  average, and at most 2,000 in one import (2,300 before); searches measured
  the same.

PostgreSQL's search table needs its text for the generated ``tsvector`` and
keeps it.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_COLUMNS = "model, version, team, body"
_TOKENIZER = "tokenize='unicode61 remove_diacritics 2'"
_MERGING = (("automerge", 16), ("crisismerge", 64))


def upgrade() -> None:
    op.drop_index("ix_card_versions_sha256", table_name="card_versions")
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("ALTER TABLE card_search RENAME TO card_search_old")
    op.execute(f"CREATE VIRTUAL TABLE card_search USING fts5({_COLUMNS}, {_TOKENIZER}, content='')")
    for option, value in _MERGING:
        op.execute(f"INSERT INTO card_search(card_search, rank) VALUES ('{option}', {value})")
    op.execute(
        f"INSERT INTO card_search(rowid, {_COLUMNS}) SELECT rowid, {_COLUMNS} FROM card_search_old"
    )
    op.execute("DROP TABLE card_search_old")


def downgrade() -> None:
    op.create_index("ix_card_versions_sha256", "card_versions", ["sha256"])
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    op.execute("DROP TABLE card_search")
    op.execute(f"CREATE VIRTUAL TABLE card_search USING fts5({_COLUMNS}, {_TOKENIZER})")
    rows = bind.execute(
        sa.text(
            "SELECT v.id, m.name, v.version, m.team, v.canonical_json "
            "FROM card_versions v JOIN models m ON m.id = v.model_id"
        )
    ).all()
    if rows:
        bind.execute(
            sa.text(
                f"INSERT INTO card_search(rowid, {_COLUMNS}) "
                "VALUES (:id, :model, :version, :team, :body)"
            ),
            [
                {"id": r[0], "model": r[1], "version": r[2], "team": r[3], "body": _text(r[4])}
                for r in rows
            ],
        )


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
