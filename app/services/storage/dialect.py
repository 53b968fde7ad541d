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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, event, text

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
        dbapi_connection.commit()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("write", False):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")


def after_rows_copied(connection: Connection, tables: Iterable[Table]) -> None:
    """After rows were written with their ids (a registry copy): move PostgreSQL's id sequences on.

    SQLite takes the next id from the table itself; PostgreSQL's serial
    columns would otherwise hand out ids the copy already used.
    """
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
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


def index_card_versions(connection: Connection, rows: Iterable[SearchRow]) -> None:
    """Add card versions to the full-text index, in the caller's transaction."""
    name = connection.dialect.name
    if name not in {"sqlite", "postgresql"}:
        return
    cut = POSTGRESQL_INDEXED_TEXT if name == "postgresql" else None
    batch = [
        {
            "id": r.card_version_id,
            "model": r.model,
            "version": r.version,
            "team": r.team,
            "body": r.body[:cut],
        }
        for r in rows
    ]
    column = "card_version_id" if name == "postgresql" else "rowid"
    if batch:
        connection.execute(
            text(
                f"INSERT INTO card_search({column}, model, version, team, body) "
                "VALUES (:id, :model, :version, :team, :body)"
            ),
            batch,
        )


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

    Each word is quoted as a lexeme, so nothing the officer typed is tsquery syntax.
    """
    words = [part for word in search_words(user_text.lower()) for part in word.split("_")]
    return " & ".join(f"'{word}':*" for word in words if word)


RANKED_AT_MOST = 10_000
"""Matches a search ranks at most: the newest ones (card versions are numbered as imported).

Ranking costs time for every match, and a short prefix ("mod") matches nearly
every card version of a large registry; past this many, the newest are ranked.
"""

SNIPPET_WORDS = 14
"""About how many words of a card a search hit's snippet shows around the matched ones."""

MARK_START = "\x02"
MARK_END = "\x03"
"""What the database puts around each matched word of a snippet (read by :func:`read_snippet`).

Control characters: card text is cleaned of them for display, so a card
holding one can at worst misplace a highlight, never reach a screen raw.
"""

ELLIPSIS = "…"
"""Where a snippet cuts the card's text."""


@dataclass(frozen=True)
class Snippet:
    """A few words of a matching card version, and where the matched words are in them."""

    text: str
    matches: tuple[tuple[int, int], ...] = ()
    """``(start, end)`` character offsets of each matched word in ``text``, in order."""

    def pieces(self) -> list[tuple[str, bool]]:
        """``text`` cut into runs, each with whether it is a matched word."""
        out: list[tuple[str, bool]] = []
        at = 0
        for start, end in self.matches:
            if start > at:
                out.append((self.text[at:start], False))
            out.append((self.text[start:end], True))
            at = end
        if at < len(self.text):
            out.append((self.text[at:], False))
        return out

    def leading_to_match(self, words_before: int = 3) -> Snippet:
        """The same snippet starting at most ``words_before`` words before its first match.

        A narrow column shows two lines of a snippet: the matched word must be in them.
        """
        if not self.matches:
            return self
        first = self.matches[0][0]
        cut = first
        for _ in range(words_before + 1):
            space = self.text.rfind(" ", 0, cut)
            if space <= 0:
                return self
            cut = space
        shift = cut + 1 - len(ELLIPSIS)
        matches = tuple((start - shift, end - shift) for start, end in self.matches)
        return Snippet(ELLIPSIS + self.text[cut + 1 :], matches)


NO_SNIPPET = Snippet("")
"""A hit shown without a snippet."""

_SPACES = re.compile(r"\s+")


def read_snippet(marked: str) -> Snippet:
    """A :class:`Snippet` from the database's marked text: one line, the marks turned into offsets."""
    text = ""
    matches: list[tuple[int, int]] = []
    inside = False
    start = 0
    for part in re.split(f"([{MARK_START}{MARK_END}])", _SPACES.sub(" ", marked).strip()):
        if part == MARK_START:
            inside, start = True, len(text)
        elif part == MARK_END:
            if inside and len(text) > start:
                matches.append((start, len(text)))
            inside = False
        else:
            text += part
    return Snippet(text, tuple(matches))


@dataclass(frozen=True)
class RankedMatch:
    """One card version a search found: its id, its rank score (lower is better), its snippet."""

    card_version_id: int
    score: float
    snippet: Snippet


CURRENT_FIRST_SQLITE = (
    "EXISTS (SELECT 1 FROM card_versions AS old INDEXED BY ix_card_versions_status "
    "WHERE old.status = 'superseded' AND old.id = card_search.rowid)"
)
"""0 for a current card version, 1 for a superseded one: current versions rank first.

Looked up in the status index (status, id), which holds all it needs: the
card version's own row, its card text in it, is never read.
"""

SQLITE_FLOOR = (
    "SELECT rowid FROM card_search WHERE card_search MATCH :q "
    "ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
)
"""The row id of the :data:`RANKED_AT_MOST`-th newest match (FTS5 walks row ids newest first)."""

SQLITE_RANKED = (
    "SELECT rowid, bm25(card_search, 10.0, 2.0, 2.0, 1.0) AS score, "
    f"snippet(card_search, -1, char(2), char(3), '{ELLIPSIS}', {SNIPPET_WORDS}) "
    "FROM card_search WHERE card_search MATCH :q AND rowid >= :floor "
    f"ORDER BY {CURRENT_FIRST_SQLITE}, score LIMIT :n"
)
"""The best ``:n`` matches at or above ``:floor``: current versions first, then by bm25."""


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
        return _search_postgresql(connection, tsquery(user_text), limit)
    floor = connection.execute(
        text(SQLITE_FLOOR), {"q": query, "skip": RANKED_AT_MOST - 1}
    ).scalar()
    rows = connection.execute(
        text(SQLITE_RANKED), {"q": query, "floor": int(floor or 0), "n": limit}
    )
    return [RankedMatch(int(r[0]), float(r[1]), read_snippet(r[2] or "")) for r in rows]


_RANK_WEIGHTS = "'{0.1, 0.2, 0.2, 1.0}'"
"""ts_rank's weights for D, C, B, A: text 1, version and team 2, model 10, as FTS5's bm25 call."""


POSTGRESQL_FLOOR = (
    "SELECT card_version_id FROM card_search "
    "WHERE document @@ to_tsquery('simple', :q) "
    "ORDER BY card_version_id DESC LIMIT 1 OFFSET :skip"
)
"""The id of the :data:`RANKED_AT_MOST`-th newest match (the benchmark sends it raw too)."""

_HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", '
    f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, ShortWord=0, "
    "HighlightAll=false, MaxFragments=1"
)
"""ts_headline's options: the same marks and about as many words as FTS5's snippet."""

POSTGRESQL_RANKED = (
    "WITH ranked AS ("
    f"SELECT s.card_version_id, -ts_rank({_RANK_WEIGHTS}, s.document, q) AS score, "
    "v.status = 'superseded' AS superseded, q "
    "FROM card_search AS s JOIN card_versions AS v ON v.id = s.card_version_id, "
    "to_tsquery('simple', :q) AS q "
    "WHERE s.document @@ q AND s.card_version_id >= :floor "
    "ORDER BY superseded, score, s.card_version_id DESC LIMIT :n) "
    "SELECT r.card_version_id, r.score, h.headline, "
    "starts_with(s.body, h.plain), right(s.body, length(h.plain)) = h.plain "
    "FROM ranked AS r JOIN card_search AS s ON s.card_version_id = r.card_version_id, "
    f"LATERAL (SELECT ts_headline('simple', s.body, r.q, '{_HEADLINE_OPTIONS}') AS headline) AS m, "
    f"LATERAL (SELECT translate(m.headline, E'\\x02\\x03', '') AS plain, m.headline) AS h "
    "ORDER BY r.superseded, r.score, r.card_version_id DESC"
)
"""The best ``:n`` matches at or above ``:floor`` (current versions first, then lower score),
each with its headline and whether the headline starts and ends where the card's text does.

Headlines are made for those ``:n`` rows only: ``ts_headline`` reads the whole text.
"""


def _search_postgresql(connection: Connection, query: str, limit: int) -> list[RankedMatch]:
    """The PostgreSQL twin of the FTS5 search: the same newest-first floor, then ranked.

    Scores are negated so that, as with bm25, lower is better and the JSON
    output reads the same on both databases; the headline gets FTS5's
    ellipses where it cuts the text.
    """
    floor = connection.execute(
        text(POSTGRESQL_FLOOR), {"q": query, "skip": RANKED_AT_MOST - 1}
    ).scalar()
    rows = connection.execute(
        text(POSTGRESQL_RANKED), {"q": query, "floor": int(floor or 0), "n": limit}
    )
    out = []
    for card_version_id, score, headline, at_start, at_end in rows:
        marked = ("" if at_start else ELLIPSIS) + (headline or "") + ("" if at_end else ELLIPSIS)
        out.append(RankedMatch(int(card_version_id), float(score), read_snippet(marked)))
    return out
