"""What differs between SQLite and PostgreSQL: write transactions, full-text search.

SQLite: connection pragmas, ``BEGIN IMMEDIATE`` for write transactions, FTS5.
PostgreSQL: every write transaction first takes one transaction-scoped
advisory lock, so writers from several machines take turns as SQLite's
writers do (the audit chain's head is read and extended by one writer at a
time: no fork, no gap, and no serialisation failure or deadlock between
Countersign's own writers); full-text search is a weighted ``tsvector`` with a
GIN index, ranked to the same rules as FTS5.  The services never ask which
database they are on.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, event, text
from sqlalchemy.exc import DBAPIError

from countersign.services.storage.snippets import Snippet, fold, make_snippet
from countersign.services.storage.wal import BACKSTOP_PAGES

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
        # Checkpoints run in the registry's own thread after each write (wal.Checkpointer);
        # SQLite's own, in the committing thread, only past this backstop.
        cursor.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


WRITER_LOCK = 0x436F756E  # "Coun"
"""The advisory lock key every PostgreSQL write transaction takes first (one registry per database)."""

LOCK_TIMEOUT_MS = 30_000
"""How long a PostgreSQL writer waits for the others before the registry counts as locked."""


def configure_postgresql(engine: Engine) -> None:
    """Write transactions (``execution_options(write=True)``) take the writers' lock first.

    Taken inside the transaction (``pg_advisory_xact_lock``), it is released by
    the commit or rollback, and by the server when a writer's connection dies
    (a process killed half-way through an import leaves nothing behind).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
            cursor.execute("SET TIME ZONE 'UTC'")
            # psycopg prepares a statement sent five times, and the server may then
            # keep one plan made for no word in particular: a search's plan depends
            # on how common its words are (a one-statement search tried went from
            # 70 to 430 ms at 100,000 card versions under such a plan).
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_connection.commit()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("write", False):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")


def after_rows_copied(connection: Connection, tables: Iterable[Table]) -> None:
    """After rows were written with their ids (a registry copy): move PostgreSQL's id sequences on.

    SQLite takes the next id from the table itself; PostgreSQL's serial
    columns would otherwise hand out ids the copy already used.  The tables
    are analysed too: until the server's autovacuum gets to them, the planner
    would plan searches without knowing how common a word is.
    """
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(text(f"ANALYZE {table.name}"))
        if "id" not in table.c:
            continue
        connection.execute(
            text(
                "SELECT setval(seq, (SELECT coalesce(max(id), 0) + 1 FROM "
                f"{table.name}), false) FROM pg_get_serial_sequence(:t, 'id') AS seq "
                "WHERE seq IS NOT NULL"
            ),
            {"t": table.name},
        )
    connection.execute(text("ANALYZE card_search"))


POSTGRESQL_INDEXED_TEXT = 250_000
"""Characters of a card's text PostgreSQL indexes: a ``tsvector`` holds at most 1 MB.

A few bytes per word, so a card of distinct words past about 250,000 characters
would be refused by the server; its text past this point is not searchable there
(cards are 2 to 8 KB; SQLite's FTS5 has no such bound).
"""


@dataclass(frozen=True)
class SearchRow:
    """What the search index holds for one card version."""

    card_version_id: int
    model: str
    version: str
    team: str
    body: str


def insert_many(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (each its values in ``columns``' order) in one driver ``executemany``.

    For the bulk writes of an import: SQLAlchemy's own ``executemany`` builds
    and processes a parameter dictionary per row, which cost about as much as
    SQLite inserting the rows.  The values go to the driver as they are, so
    they must be plain ones (``str``, ``int``, ``bytes``, ``None``): psycopg
    would send an enum member's name, not its value.
    """
    if rows:
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(connection, len(columns))})",
            list(rows),
        )


def update_many(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Set ``columns`` of the row whose ``id`` is each row's last value, in one ``executemany``."""
    if rows:
        mark = _marks(connection, 1)
        assignments = ", ".join(f"{column} = {mark}" for column in columns)
        connection.exec_driver_sql(
            f"UPDATE {table} SET {assignments} WHERE id = {mark}", list(rows)
        )


def _marks(connection: Connection, count: int) -> str:
    """``count`` positional parameter markers in the driver's style."""
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * count)


def index_card_versions(connection: Connection, rows: Iterable[SearchRow]) -> None:
    """Add card versions to the full-text index, in the caller's transaction."""
    name = connection.dialect.name
    if name == "postgresql":
        _index_postgresql(connection, rows)
        return
    if name != "sqlite":
        return
    insert_many(
        connection,
        "card_search",
        ("rowid", "model", "version", "team", "body"),
        [(r.card_version_id, r.model, r.version, r.team, r.body) for r in rows],
    )


def _index_postgresql(connection: Connection, rows: Iterable[SearchRow]) -> None:
    """The PostgreSQL index rows, sent with ``COPY``: the server computes each ``tsvector``.

    Accents are taken off first, as FTS5's ``remove_diacritics`` does
    (migration 0014): the model, version and team, only ever indexed, are kept
    folded; the text is kept as written (snippets are made from it), with its
    folded copy beside it when that differs, which the ``tsvector`` is made of.

    ``COPY`` costs about 15% less than an ``executemany`` of the same rows
    (measured on 1,000 cards into the 100,000-version registry); most of the
    time is the server's ``to_tsvector`` and the GIN index either way.
    """
    import psycopg

    statement = (
        "COPY card_search (card_version_id, model, version, team, body, body_folded) FROM STDIN"
    )
    driver = connection.connection.driver_connection
    assert driver is not None, "a PostgreSQL connection always has its psycopg connection"
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for r in rows:
                body = r.body[:POSTGRESQL_INDEXED_TEXT]
                folded = fold(body)
                copy.write_row(
                    (
                        r.card_version_id,
                        fold(r.model),
                        fold(r.version),
                        fold(r.team),
                        body,
                        None if folded == body else folded,
                    )
                )
    except psycopg.Error as error:
        # As SQLAlchemy wraps the driver's errors for its own statements, so that the
        # registry's error translation (a lost server, a full disk) sees this one too.
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error


_WORD = re.compile(r"\w+", re.UNICODE)


SEARCH_WORDS_MOST = 16
"""A search uses at most this many of the words typed."""


def search_words(user_text: str) -> list[str]:
    """The words of what the officer typed that a search looks for, each as a prefix."""
    return _WORD.findall(user_text)[:SEARCH_WORDS_MOST]


def fts_query(user_text: str) -> str:
    """Turn what the officer typed into a safe FTS5 query: every word, as a prefix.

    Operators and quotes typed by the user are never passed to FTS5 as syntax.
    """
    words = search_words(user_text)
    return " ".join(f'"{word}"*' for word in words)


def tsquery(user_text: str) -> str:
    """The same words as :func:`fts_query`, as a PostgreSQL ``to_tsquery`` text: prefixes, all required.

    Each word is quoted as a lexeme, so nothing the officer typed is tsquery syntax; its
    accents are taken off, as they are off the indexed text (see :func:`_index_postgresql`).
    """
    words = [part for word in search_words(fold(user_text).lower()) for part in word.split("_")]
    return " & ".join(f"'{word}':*" for word in words if word)


RANKED_AT_MOST = 10_000
"""Matches a search ranks at most: the newest ones (card versions are numbered as imported).

Ranking costs time for every match, and a short prefix ("mod") matches nearly
every card version of a large registry; past this many, the newest are ranked.
"""


@dataclass(frozen=True)
class RankedMatch:
    """One card version a search found: its id, its rank score (lower is better), its snippet."""

    card_version_id: int
    score: float
    snippet: Snippet


SUPERSEDED_BY_ROW = (
    "EXISTS (SELECT 1 FROM card_versions AS old INDEXED BY ix_card_versions_status "
    "WHERE old.status = 'superseded' AND old.id = card_search.rowid)"
)
"""1 for a superseded card version, 0 for a current one, looked up match by match.

In the status index (status, id), which holds all it needs: the card
version's own row, its card text in it, is never read.  For a search whose
matches are fewer than :data:`RANKED_AT_MOST` (each looked up once).
"""

SUPERSEDED_FROM_FLOOR = (
    "rowid IN (SELECT id FROM card_versions INDEXED BY ix_card_versions_status "
    "WHERE status = 'superseded' AND id >= :floor)"
)
"""The same, from one list of the superseded card versions at or above the floor.

For a broad search (more matches than :data:`RANKED_AT_MOST`): one range of
the status index read once, where looking each of the 10,000 matches up
costs a third more than ranking them (measured at 100,000 card versions).
"""

SQLITE_FLOOR = (
    "SELECT rowid FROM card_search WHERE card_search MATCH :q "
    "ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
)
"""The row id of the :data:`RANKED_AT_MOST`-th newest match (FTS5 walks row ids newest first)."""


def sqlite_ranked(floor: int) -> str:
    """The best ``:n`` matches at or above ``:floor``: current versions first, then by bm25.

    ``floor`` is the :data:`SQLITE_FLOOR` found (0 when fewer matched): it
    chooses how superseded versions are told apart.
    """
    superseded = SUPERSEDED_FROM_FLOOR if floor > 0 else SUPERSEDED_BY_ROW
    return (
        "SELECT rowid, bm25(card_search, 10.0, 2.0, 2.0, 1.0) AS score "
        "FROM card_search WHERE card_search MATCH :q AND rowid >= :floor "
        f"ORDER BY {superseded}, score LIMIT :n"
    )


def search_card_versions(connection: Connection, user_text: str, limit: int) -> list[RankedMatch]:
    """Card versions matching ``user_text``, best first, with their rank and snippet.

    Current card versions come before superseded ones; within each, the best
    match first.  When more than :data:`RANKED_AT_MOST` card versions match,
    the best are chosen among the newest :data:`RANKED_AT_MOST` of them, so
    that a broad search answers as quickly as a narrow one.
    """
    query = fts_query(user_text)
    if not query:
        return []
    if connection.dialect.name == "postgresql":
        ranked = _search_postgresql(connection, tsquery(user_text), limit)
    else:
        floor = int(
            connection.execute(
                text(SQLITE_FLOOR), {"q": query, "skip": RANKED_AT_MOST - 1}
            ).scalar()
            or 0
        )
        rows = connection.execute(
            text(sqlite_ranked(floor)), {"q": query, "floor": floor, "n": limit}
        )
        ranked = [(int(r[0]), float(r[1])) for r in rows]
    texts = _indexed_texts(connection, [card_version_id for card_version_id, _ in ranked])
    words = search_words(user_text)
    return [
        RankedMatch(card_version_id, score, make_snippet(texts.get(card_version_id, ""), words))
        for card_version_id, score in ranked
    ]


def _indexed_texts(connection: Connection, ids: list[int]) -> dict[int, str]:
    """The text the search index was given for each of ``ids`` (looked up by id, no search).

    PostgreSQL's search table holds it.  SQLite's index is contentless (it
    keeps the words, not the text: revision 0013), so the text is made again
    from the card version's canonical JSON, as the import made it; a stored
    card this version can no longer read gives no text (its hit, no snippet).
    """
    if not ids:
        return {}
    if connection.dialect.name == "postgresql":
        query = "SELECT card_version_id, body FROM card_search WHERE card_version_id IN :ids"
    else:
        query = "SELECT id, canonical_json FROM card_versions WHERE id IN :ids"
    rows = connection.execute(
        text(query).bindparams(bindparam("ids", expanding=True)), {"ids": ids}
    )
    if connection.dialect.name == "postgresql":
        return {int(row[0]): str(row[1]) for row in rows}
    return {int(row[0]): _card_text(str(row[1])) for row in rows}


def _card_text(canonical: str) -> str:
    from countersign.models.card import ModelCard  # pydantic: not on the start-up path

    try:
        return ModelCard.model_validate_json(canonical).plain_text()
    except ValueError:
        return ""


_RANK_WEIGHTS = "'{0.1, 0.2, 0.2, 1.0}'"
"""ts_rank's weights for D, C, B, A: text 1, version and team 2, model 10, as FTS5's bm25 call."""


POSTGRESQL_FLOOR = (
    "SELECT card_version_id FROM card_search "
    "WHERE document @@ to_tsquery('simple', :q) "
    "ORDER BY card_version_id DESC LIMIT 1 OFFSET :skip"
)
"""The id of the :data:`RANKED_AT_MOST`-th newest match (the benchmark sends it raw too)."""

POSTGRESQL_SUPERSEDED_BY_ROW = (
    "EXISTS (SELECT 1 FROM card_versions AS v "
    "WHERE v.status = 'superseded' AND v.id = s.card_version_id)"
)
"""True for a superseded card version (fewer matches than the bound).

Answered from the partial index of superseded card versions (migration 0012),
match by match or read whole, as the planner finds cheaper.
"""

POSTGRESQL_SUPERSEDED_FROM_FLOOR = (
    "s.card_version_id IN (SELECT id FROM card_versions "
    "WHERE status = 'superseded' AND id >= :floor)"
)
"""The same, from one list of the superseded card versions at or above the floor (a broad search).

One range of the partial index, read once; 10,000 lookups by id cost
two to four times that (measured at 100,000 card versions).
"""


def postgresql_ranked(floor: int) -> str:
    """The best ``:n`` matches of ``:q`` at or above ``:floor``: current versions first, then by rank.

    ``:r`` ranks: the same words as ``:q`` joined by OR, so that ``ts_rank``
    adds up each word's weighted occurrences as bm25 adds up each word's
    score.  Joined by AND (``:q``), ``ts_rank`` weighs every pair of
    positions of two words by their distance, which bm25 never does, and
    which cost five times the ranking itself for a two-word search of
    10,000 matches.  ``floor`` is the :data:`POSTGRESQL_FLOOR` found (0 when
    fewer matched): it chooses how superseded versions are told apart.
    """
    superseded = POSTGRESQL_SUPERSEDED_FROM_FLOOR if floor > 0 else POSTGRESQL_SUPERSEDED_BY_ROW
    return (
        f"SELECT s.card_version_id, -ts_rank({_RANK_WEIGHTS}, s.document, r) AS score "
        "FROM card_search AS s, to_tsquery('simple', :q) AS q, to_tsquery('simple', :r) AS r "
        "WHERE s.document @@ q AND s.card_version_id >= :floor "
        f"ORDER BY {superseded}, score, s.card_version_id DESC LIMIT :n"
    )


def ranking_tsquery(query: str) -> str:
    """The words of a :func:`tsquery` text joined by OR: what ranks the matches (see :func:`postgresql_ranked`)."""
    return " | ".join(query.split(" & "))


def _search_postgresql(connection: Connection, query: str, limit: int) -> list[tuple[int, float]]:
    """The PostgreSQL twin of the FTS5 search: the same newest-first floor, then ranked.

    Scores are negated so that, as with bm25, lower is better and the JSON
    output reads the same on both databases.
    """
    floor = int(
        connection.execute(
            text(POSTGRESQL_FLOOR), {"q": query, "skip": RANKED_AT_MOST - 1}
        ).scalar()
        or 0
    )
    rows = connection.execute(
        text(postgresql_ranked(floor)),
        {"q": query, "r": ranking_tsquery(query), "floor": floor, "n": limit},
    )
    return [(int(r[0]), float(r[1])) for r in rows]
