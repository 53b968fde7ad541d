"""The home screen's first lists, read from a SQLite registry with the standard library alone.

The window's first real content should not wait for SQLAlchemy, pydantic and
the card model to be imported (about half a second).  So, once the start-up
window has painted, the lists that a plain query answers exactly, the card
versions to review and the recent imports with warnings, are read here with
:mod:`sqlite3` through a read-only connection, and shown; the desk service
then reads every list as before and shows the same rows in their place.

Only a registry that the full open would take as it is gets a first look: a
SQLite file at the newest schema revision (read as
:func:`~countersign.services.storage.registry_file.migration_head` reads it)
with the tables and columns the queries ask for, whose rows are what the
registry writes.  Anything else (no file, not SQLite, another revision, a
missing table, a value of the wrong type, a locked file) gets none, and the
full open refuses it, or migrates it, with the same words as ever.  Nothing
here writes, and this module imports nothing heavier than :mod:`sqlite3`.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from countersign.models.vocabulary import CardStatus, DeskList
from countersign.services.desk.records import (
    FIRST_PAGE,
    RECENT_IMPORTS,
    DeskPage,
    ImportWarnings,
    ToReview,
    first_warning,
)
from countersign.services.storage.registry_file import SQLITE_HEADER, migration_head

TIMEOUT_S = 0.5
"""How long a first look waits for a registry another program is writing (then it has none)."""


@dataclass(frozen=True)
class FirstLook:
    """The lists of the home screen read before the services: each with its total and first page."""

    to_review: DeskPage[ToReview]
    import_warnings: DeskPage[ImportWarnings]
    recent_window: int = RECENT_IMPORTS
    """How many of the newest card versions "recent imports" looks at."""

    def pages(self) -> dict[DeskList, DeskPage[Any]]:
        """The lists this first look holds, by kind."""
        return {DeskList.TO_REVIEW: self.to_review, DeskList.IMPORT_WARNINGS: self.import_warnings}


class _NotPlain(Exception):
    """A value the registry would not have written: no first look (the full open decides)."""


def read_first_look(path: Path, first: int = FIRST_PAGE) -> FirstLook | None:
    """The first lists of the registry file ``path``, or None when it gets no first look."""
    head = migration_head()
    if head is None or not _is_sqlite(path):
        return None
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=TIMEOUT_S)
    except sqlite3.Error:
        return None
    try:
        connection.execute("PRAGMA query_only = ON")
        if _revisions(connection) != [head]:
            return None
        return FirstLook(_to_review(connection, first), _import_warnings(connection, first))
    except (sqlite3.Error, _NotPlain):
        return None
    finally:
        connection.close()


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _revisions(connection: sqlite3.Connection) -> list[object]:
    return [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]


def _to_review(connection: sqlite3.Connection, first: int) -> DeskPage[ToReview]:
    """As :func:`countersign.services.desk.lists.to_review` reads its first page."""
    status = str(CardStatus.SUBMITTED)
    total = _count(connection, "SELECT count(*) FROM card_versions WHERE status = ?", (status,))
    rows = connection.execute(
        "SELECT cv.version, cv.imported_at, cv.warnings_json, m.name, m.team, m.risk_tier "
        "FROM card_versions AS cv JOIN models AS m ON m.id = cv.model_id "
        "WHERE cv.id IN (SELECT id FROM card_versions WHERE status = ? ORDER BY id LIMIT ?) "
        "ORDER BY cv.id",
        (status, first),
    ).fetchall()
    return DeskPage(
        DeskList.TO_REVIEW,
        total,
        tuple(
            ToReview(
                _text(name),
                _text(version),
                _text(team),
                _text(tier),
                _text(imported_at),
                len(_warnings(warnings)),
            )
            for version, imported_at, warnings, name, team, tier in rows
        ),
    )


def _import_warnings(connection: sqlite3.Connection, first: int) -> DeskPage[ImportWarnings]:
    """As :func:`countersign.services.desk.lists.import_warnings` reads its first page."""
    # The oldest of the newest RECENT_IMPORTS card versions (ids have gaps), as the desk finds it.
    found = connection.execute(
        "SELECT id FROM card_versions ORDER BY id DESC LIMIT 1 OFFSET ?", (RECENT_IMPORTS - 1,)
    ).fetchone()
    since = found[0] if found else 0
    if not isinstance(since, int):
        raise _NotPlain
    where = "cv.id >= ? AND cv.warnings_json != '[]'"
    total = _count(connection, f"SELECT count(*) FROM card_versions AS cv WHERE {where}", (since,))
    rows = connection.execute(
        "SELECT cv.version, cv.imported_at, cv.warnings_json, m.name, m.team "
        f"FROM card_versions AS cv JOIN models AS m ON m.id = cv.model_id WHERE {where} "
        "ORDER BY cv.id DESC LIMIT ?",
        (since, first),
    ).fetchall()
    out = []
    for version, imported_at, warnings_json, name, team in rows:
        warnings = _warnings(warnings_json)
        out.append(
            ImportWarnings(
                _text(name),
                _text(version),
                _text(team),
                _text(imported_at),
                len(warnings),
                first_warning(warnings),
            )
        )
    return DeskPage(DeskList.IMPORT_WARNINGS, total, tuple(out))


def _count(connection: sqlite3.Connection, sql: str, parameters: tuple[object, ...]) -> int:
    total = connection.execute(sql, parameters).fetchone()[0]
    if not isinstance(total, int):
        raise _NotPlain
    return total


def _text(value: object) -> str:
    """A text column as the registry writes it (a number or bytes there: no first look)."""
    if not isinstance(value, str):
        raise _NotPlain
    return value


def _warnings(value: object) -> list[dict[str, str]]:
    """A card version's stored warnings: a JSON list of objects of strings, as the importer writes."""
    try:
        warnings = json.loads(_text(value))
    except ValueError:
        raise _NotPlain from None
    if not isinstance(warnings, list) or not all(
        isinstance(item, dict) and all(isinstance(v, str) for v in item.values())
        for item in warnings
    ):
        raise _NotPlain
    return warnings
