"""PostgreSQL's search folds accents as SQLite's FTS5 index does: "resume" finds "résumé".

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05

FTS5's ``remove_diacritics`` takes the accents off the letters it indexes;
PostgreSQL's ``simple`` configuration keeps them, and no extension is needed
for the same: Countersign folds the text itself (``snippets.fold``) before it
reaches ``to_tsvector``, and the words searched for before ``to_tsquery``.
``model``, ``version`` and ``team`` are only indexed, never shown: they are
kept folded.  ``body`` is what snippets are made from: it is kept as written,
and ``body_folded`` holds its folded text when that differs (a card with an
accent), which the ``tsvector`` is computed from.  The existing rows are folded
here and every ``tsvector`` computed again (the table rewritten, each vector in
its row as migration 0012 left it).  SQLite's registry is untouched.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_CUT = "regexp_replace({}, '[-_./@:+#~]+', ' ', 'g')"


def _document(body: str) -> str:
    return (
        "document tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('simple', {_CUT.format('model')}), 'A') || "
        f"setweight(to_tsvector('simple', {_CUT.format('version')}), 'B') || "
        f"setweight(to_tsvector('simple', {_CUT.format('team')}), 'B') || "
        f"setweight(to_tsvector('simple', {_CUT.format(body)}), 'D')"
        ") STORED"
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE card_search DROP COLUMN document")
    op.execute("ALTER TABLE card_search ADD COLUMN body_folded text")
    rows = bind.execute(
        sa.text(
            "SELECT card_version_id, model, version, team, body FROM card_search "
            "WHERE octet_length(model || version || team || body) "
            "<> char_length(model || version || team || body)"
        )
    ).fetchall()
    folded = [
        {
            "id": row[0],
            "model": _fold(row[1]),
            "version": _fold(row[2]),
            "team": _fold(row[3]),
            "body_folded": _fold(row[4]) if _fold(row[4]) != row[4] else None,
        }
        for row in rows
    ]
    if folded:
        bind.execute(
            sa.text(
                "UPDATE card_search SET model = :model, version = :version, team = :team, "
                "body_folded = :body_folded WHERE card_version_id = :id"
            ),
            folded,
        )
    _add_document("coalesce(body_folded, body)")


def _add_document(body: str) -> None:
    op.execute(
        f"ALTER TABLE card_search ADD COLUMN {_document(body)}, "
        "ALTER COLUMN document SET STORAGE MAIN"
    )
    op.execute("CREATE INDEX ix_card_search_document ON card_search USING gin (document)")
    op.execute("CLUSTER card_search USING card_search_pkey")
    op.execute("ANALYZE card_search")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE card_search DROP COLUMN document")
    op.execute("ALTER TABLE card_search DROP COLUMN body_folded")
    op.execute(
        "UPDATE card_search AS s SET model = m.name, version = v.version, team = m.team "
        "FROM card_versions AS v JOIN models AS m ON m.id = v.model_id "
        "WHERE v.id = s.card_version_id AND (s.model, s.version, s.team) "
        "IS DISTINCT FROM (m.name, v.version, m.team)"
    )
    _add_document("body")


@cache
def _unaccented() -> dict[int, int]:
    # Frozen copy of snippets.fold's table at this revision; the app's own may change.
    table: dict[int, int] = {}
    for code in range(0x80, 0x3000):
        parts = unicodedata.normalize("NFD", chr(code))
        marks = parts[1:]
        if marks and not unicodedata.combining(parts[0]) and all(map(unicodedata.combining, marks)):
            table[code] = ord(parts[0])
    return table


def _fold(text: str) -> str:
    return text if text.isascii() else text.translate(_unaccented())
