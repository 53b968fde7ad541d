"""Checkpoints of a SQLite registry run in its own thread after each write, not at commit."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from countersign.services.storage import wal
from countersign.services.storage.database import Database


def _write(db: Database, value: bytes) -> None:
    with db.write() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS scratch (value BLOB)"))
        session.execute(text("INSERT INTO scratch (value) VALUES (:v)"), {"v": value})


def _file_alone(registry: Path, into: Path) -> list[bytes]:
    """What the registry file holds by itself, without its write-ahead log."""
    copy = into / "alone.sqlite3"
    shutil.copyfile(registry, copy)
    with sqlite3.connect(copy) as connection:
        try:
            return [row[0] for row in connection.execute("SELECT value FROM scratch")]
        except sqlite3.OperationalError:  # no such table: the file has not got it yet
            return []


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "countersign-checkpoint"]


def test_a_write_reaches_the_registry_file_after_its_commit(tmp_path: Path) -> None:
    registry = tmp_path / "r.sqlite3"
    db = Database.open(str(registry))
    try:
        _write(db, b"decision")  # a few pages: SQLite alone would leave them in the log
        db.settle()
        assert _file_alone(registry, tmp_path) == [b"decision"]
    finally:
        db.dispose()


def test_the_commit_itself_does_not_checkpoint_below_the_backstop(tmp_path: Path) -> None:
    db = Database.open(str(tmp_path / "r.sqlite3"))
    try:
        with db.read() as session:
            pages = session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages == wal.BACKSTOP_PAGES
        assert pages > 3_400 * 2  # a 1,000-card import writes about 3,400 pages
    finally:
        db.dispose()


def test_a_failed_checkpoint_is_left_to_the_next_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "r.sqlite3"
    db = Database.open(str(registry))
    failures = [sqlite3.OperationalError("database is locked")]
    connect = db.engine.raw_connection

    def busy_once():  # type: ignore[no-untyped-def]
        if failures:
            raise failures.pop()
        return connect()

    monkeypatch.setattr(db.engine, "raw_connection", busy_once)
    try:
        _write(db, b"first")
        db.settle()
        assert _file_alone(registry, tmp_path) == []  # that checkpoint failed, quietly
        _write(db, b"second")
        db.settle()
        assert _file_alone(registry, tmp_path) == [b"first", b"second"]
    finally:
        db.dispose()


def test_closing_the_registry_stops_its_thread_and_a_reopened_one_checkpoints(
    tmp_path: Path,
) -> None:
    registry = tmp_path / "r.sqlite3"
    db = Database.open(str(registry))
    _write(db, b"one")
    db.dispose()
    assert not _checkpoint_threads()
    _write(db, b"two")  # the engine opens connections again after dispose
    db.settle()
    assert _file_alone(registry, tmp_path) == [b"one", b"two"]
    db.dispose()
    assert not _checkpoint_threads()


def test_a_registry_in_memory_has_no_checkpoint_thread() -> None:
    db = Database.open("sqlite://")
    try:
        _write(db, b"kept in memory")
        db.settle()
        assert not _checkpoint_threads()
    finally:
        db.dispose()
