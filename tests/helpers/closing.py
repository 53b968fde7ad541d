"""Every registry a test opens through :meth:`Database.open` is closed before the test ends.

A registry left open keeps its pooled connections: on a PostgreSQL server a
psycopg connection that the garbage collector finds still open is a
``ResourceWarning``; a SQLite file's handle stays open silently.  The tracker
catches both, and names where each forgotten registry was.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from countersign.services.storage.database import Database


@contextmanager
def registries_closed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Database]]:
    """Track every :class:`Database` opened in the block; fail if one is not disposed at its end."""
    opened: list[Database] = []
    disposed: set[int] = set()
    real_open = Database.open.__func__  # type: ignore[attr-defined]
    real_dispose = Database.dispose

    def tracking_open(cls: type[Database], *args: Any, **kwargs: Any) -> Database:
        database: Database = real_open(cls, *args, **kwargs)
        opened.append(database)
        return database

    def tracking_dispose(self: Database) -> None:
        disposed.add(id(self))
        real_dispose(self)

    with monkeypatch.context() as patch:
        patch.setattr(Database, "open", classmethod(tracking_open))
        patch.setattr(Database, "dispose", tracking_dispose)
        yield opened
    left_open = [database.location for database in opened if id(database) not in disposed]
    # A connection dropped without closing warns here, inside the test, where
    # `filterwarnings = error` makes it a failure.
    gc.collect()
    assert not left_open, f"registries left open: {left_open}"
