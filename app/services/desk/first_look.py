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

import datetime
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from countersign.models.registry_rows import (
    DEFAULT_STAGE_NAMES,
    ModelFilter,
    ModelOrder,
    ModelSummary,
    StageRound,
    stage_words,
)
from countersign.models.vocabulary import CardStatus, Decision, DeskList, StageStatus
from countersign.plain_files import open_plain
from countersign.services.desk.records import (
    FIRST_PAGE,
    RECENT_IMPORTS,
    DeskPage,
    ImportWarnings,
    ToReview,
    first_warning,
)
from countersign.services.storage.registry_file import SQLITE_HEADER, migration_head

MODELS_PAGE = 100
"""Rows of the models list read with a first look: the models table's first page."""

TIMEOUT_S = 0.5
"""How long a first look waits for a registry another program is writing (then it has none)."""


@dataclass(frozen=True)
class FirstModels:
    """The models list's first page, by name, as :class:`~countersign.services.registry.Registry`
    answers the models table: the table reads it through the same four questions.
    """

    total: int
    rows: tuple[ModelSummary, ...]
    stages: dict[int, str] = field(default_factory=dict)
    """What is approved where, in words, for each model id of ``rows``."""

    def count_models(self, filters: ModelFilter | None = None) -> int:
        """Every model (a first look is never filtered: a filter asked for gets none)."""
        return self.total if filters in (None, ModelFilter()) else 0

    def models(
        self,
        filters: ModelFilter | None = None,
        *,
        order: ModelOrder = ModelOrder(),  # noqa: B008 - frozen, never changed
        offset: int = 0,
        limit: int = 200,
        after: tuple[str, int] | None = None,
    ) -> list[ModelSummary]:
        """The rows read, by name from ``offset``; none in another order or past the first page."""
        if after is not None or order != ModelOrder() or self.count_models(filters) == 0:
            return []
        return list(self.rows[offset : offset + limit])

    def model_position(
        self,
        name: str,
        filters: ModelFilter | None = None,
        *,
        order: ModelOrder = ModelOrder(),  # noqa: B008 - frozen, never changed
    ) -> int | None:
        """The row of model ``name`` among the rows read, or None."""
        found = self.models(filters, order=order, limit=len(self.rows))
        return next((row for row, summary in enumerate(found) if summary.name == name), None)

    def stage_summaries(self, model_ids: list[int]) -> dict[int, str]:
        """What is approved where for each of ``model_ids`` among the rows read."""
        return {model_id: self.stages.get(model_id, "") for model_id in model_ids}


@dataclass(frozen=True)
class FirstLook:
    """The lists of the home screen read before the services: each with its total and first page."""

    to_review: DeskPage[ToReview]
    import_warnings: DeskPage[ImportWarnings]
    recent_window: int = RECENT_IMPORTS
    """How many of the newest card versions "recent imports" looks at."""
    models: FirstModels | None = None
    """The models list's first page (View ▸ Models list before the rest has loaded)."""

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
        return FirstLook(
            _to_review(connection, first),
            _import_warnings(connection, first),
            models=_first_models(connection),
        )
    except (sqlite3.Error, _NotPlain):
        return None
    finally:
        connection.close()


def _is_sqlite(path: Path) -> bool:
    try:
        with open_plain(path) as handle:
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


def _first_models(connection: sqlite3.Connection) -> FirstModels:
    """As :meth:`countersign.services.registry.Registry.models` reads the first page by name."""
    total = _count(connection, "SELECT count(*) FROM models", ())
    rows = tuple(
        _summary(row)
        for row in connection.execute(
            "SELECT id, name, team, risk_tier, latest_version, status, version_count, "
            "last_activity FROM models ORDER BY name ASC, id ASC LIMIT ?",
            (MODELS_PAGE,),
        )
    )
    return FirstModels(total, rows, _stage_summaries(connection, [row.id for row in rows]))


def _summary(row: tuple[object, ...]) -> ModelSummary:
    id_, name, team, tier, latest, status, count, last = row
    return ModelSummary(
        _int(id_),
        _text(name),
        _text(team),
        _text(tier),
        _text(latest),
        _text(status),
        _int(count),
        _text(last),
    )


def _stage_summaries(connection: sqlite3.Connection, model_ids: list[int]) -> dict[int, str]:
    """As :func:`countersign.services.stage_summary.stage_summaries` reads them."""
    if not model_ids:
        return {}
    names = [
        _text(name) for (name,) in connection.execute("SELECT name FROM stages ORDER BY position")
    ] or list(DEFAULT_STAGE_NAMES)
    marks = ", ".join("?" * len(model_ids))
    rounds: list[StageRound] = [
        (
            _int(m),
            _int(cv),
            _int(seq),
            _text(version),
            _optional_text(stage),
            _text(status),
            _int(r),
        )
        for m, cv, seq, version, stage, status, r in connection.execute(
            "SELECT cv.model_id, cv.id, cv.seq, cv.version, r.stage, r.status, r.id "
            "FROM card_versions AS cv JOIN reviews AS r ON r.card_version_id = cv.id "
            f"WHERE cv.model_id IN ({marks}) ORDER BY r.id",
            model_ids,
        )
    ]
    revoked = {
        (_int(cv), _text(stage))
        for cv, stage in connection.execute(
            "SELECT rv.card_version_id, rv.stage FROM revocations AS rv "
            "JOIN card_versions AS cv ON cv.id = rv.card_version_id "
            f"WHERE cv.model_id IN ({marks})",
            model_ids,
        )
    }
    approved = [r[6] for r in rounds if r[5] == StageStatus.APPROVED]
    return stage_words(model_ids, names, rounds, revoked, _expired(connection, approved))


def _expired(connection: sqlite3.Connection, review_ids: list[int]) -> set[int]:
    """As :func:`countersign.services.stage_summary.expired_rounds` finds them, today in UTC."""
    if not review_ids:
        return set()
    day = datetime.datetime.now(datetime.UTC).date().isoformat()
    marks = ", ".join("?" * len(review_ids))
    return {
        _int(review_id)
        for (review_id,) in connection.execute(
            "SELECT review_id FROM signatures "
            f"WHERE review_id IN ({marks}) AND decision = ? AND expires_on IS NOT NULL "
            "GROUP BY review_id HAVING min(expires_on) < ?",
            (*review_ids, str(Decision.APPROVE), day),
        )
    }


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


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _int(value: object) -> int:
    """An id or a count as the registry writes it."""
    if not isinstance(value, int):
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
