"""The audit trail: append-only in the database, hash-chained, verified link by link."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from countersign.services.audit.trail import EventDraft, append_events, verify_chain
from countersign.services.storage.database import Database


def _registry_with_events(tmp_path: Path, count: int = 5) -> tuple[Database, Path]:
    path = tmp_path / "r.sqlite3"
    db = Database.open(str(path))
    with db.write() as session:
        append_events(
            session,
            [EventDraft("test.event", "thing", str(i), "officer", {"n": i}) for i in range(count)],
        )
    return db, path


def test_intact_chain_verifies(tmp_path: Path) -> None:
    db, _ = _registry_with_events(tmp_path)
    with db.read() as session:
        report = verify_chain(session)
    assert report.ok and report.events == 5
    assert report.describe() == "Audit chain intact: 5 events verified."


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'mallory' WHERE id = 2",
        "DELETE FROM audit_events WHERE id = 2",
    ],
)
def test_database_refuses_to_change_the_trail(tmp_path: Path, statement: str) -> None:
    _, path = _registry_with_events(tmp_path)
    raw = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute(statement)


def _tamper(path: Path, statement: str) -> None:
    raw = sqlite3.connect(path)
    raw.execute("DROP TRIGGER audit_events_no_update")
    raw.execute("DROP TRIGGER audit_events_no_delete")
    raw.execute(statement)
    raw.commit()
    raw.close()


def test_changed_event_is_named_as_first_broken(tmp_path: Path) -> None:
    db, path = _registry_with_events(tmp_path)
    _tamper(path, "UPDATE audit_events SET details_json = '{\"n\":99}' WHERE id = 3")
    with db.read() as session:
        report = verify_chain(session)
    assert not report.ok
    assert report.first_broken == 3
    assert "no longer matches its hash" in report.reason


def test_removed_event_is_found(tmp_path: Path) -> None:
    db, path = _registry_with_events(tmp_path)
    _tamper(path, "DELETE FROM audit_events WHERE id = 4")
    with db.read() as session:
        report = verify_chain(session)
    assert (report.ok, report.first_broken) == (False, 5)
    assert "events 4 to 4 are missing" in report.reason


def test_rehashed_event_still_breaks_the_next_link(tmp_path: Path) -> None:
    db, path = _registry_with_events(tmp_path)
    flip_first_digit = "CASE WHEN substr(hash, 1, 1) = 'f' THEN 'e' ELSE 'f' END || substr(hash, 2)"
    _tamper(path, f"UPDATE audit_events SET hash = {flip_first_digit} WHERE id = 2")
    with db.read() as session:
        report = verify_chain(session)
    assert report.first_broken == 2
