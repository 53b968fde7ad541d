"""What only SQLite has: connection pragmas, immediate write transactions, FTS5 search.

Everything dialect-specific lives here so that a PostgreSQL registry can get
its own equivalents (tsvector, rules) without touching the services.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, event, text

BUSY_TIMEOUT_MS = 5000
"""How long a writer waits for another writer before the registry counts as locked."""


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for write transactions.

    pysqlite's own transaction handling starts transactions lazily and
    deferred; a deferred transaction that later writes can fail with "database
    is locked" half-way.  We take control: every transaction begins
    explicitly, and those opened with ``execution_options(write=True)`` take
    the write lock at once.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@dataclass(frozen=True)
class SearchRow:
    """What the search index holds for one card version."""

    card_version_id: int
    model: str
    version: str
    team: str
    body: str


def index_card_versions(connection: Connection, rows: Iterable[SearchRow]) -> None:
    """Add card versions to the full-text index, in the caller's transaction."""
    if connection.dialect.name != "sqlite":
        return
    batch = [
        {
            "id": r.card_version_id,
            "model": r.model,
            "version": r.version,
            "team": r.team,
            "body": r.body,
        }
        for r in rows
    ]
    if batch:
        connection.execute(
            text(
                "INSERT INTO card_search(rowid, model, version, team, body) "
                "VALUES (:id, :model, :version, :team, :body)"
            ),
            batch,
        )


_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(user_text: str) -> str:
    """Turn what the officer typed into a safe FTS5 query: every word, as a prefix.

    Operators and quotes typed by the user are never passed to FTS5 as syntax.
    """
    words = _WORD.findall(user_text)[:16]
    return " ".join(f'"{word}"*' for word in words)


RANKED_AT_MOST = 10_000
"""Matches a search ranks at most: the newest ones (card versions are numbered as imported).

Ranking costs time for every match, and a short prefix ("mod") matches nearly
every card version of a large registry; past this many, the newest are ranked.
"""


def search_card_versions(
    connection: Connection, user_text: str, limit: int
) -> list[tuple[int, float]]:
    """Card version ids matching ``user_text``, best first, with their rank.

    When more than :data:`RANKED_AT_MOST` card versions match, the best are
    chosen among the newest :data:`RANKED_AT_MOST` of them, so that a broad
    search answers as quickly as a narrow one.
    """
    query = fts_query(user_text)
    if not query:
        return []
    if connection.dialect.name != "sqlite":
        pattern = f"%{user_text.strip()}%"
        rows = connection.execute(
            text("SELECT id, 0.0 FROM card_versions WHERE canonical_json ILIKE :p LIMIT :n"),
            {"p": pattern, "n": limit},
        )
        return [(int(r[0]), float(r[1])) for r in rows]
    # FTS5 walks its row ids newest first cheaply: the row id of the Nth newest match.
    floor = connection.execute(
        text(
            "SELECT rowid FROM card_search WHERE card_search MATCH :q "
            "ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
        ),
        {"q": query, "skip": RANKED_AT_MOST - 1},
    ).scalar()
    rows = connection.execute(
        text(
            "SELECT rowid, bm25(card_search, 10.0, 2.0, 2.0, 1.0) AS score FROM card_search "
            "WHERE card_search MATCH :q AND rowid >= :floor ORDER BY score LIMIT :n"
        ),
        {"q": query, "floor": int(floor or 0), "n": limit},
    )
    return [(int(r[0]), float(r[1])) for r in rows]
