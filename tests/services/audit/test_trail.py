"""The audit trail: append-only in the database, hash-chained, verified link by link."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from countersign.services.audit.trail import EventDraft, append_events, verify_chain
from countersign.services.storage.database import Database
from tests.helpers.registry import Place, place_of, raw_connection


@pytest.fixture
def trail(registry_db: str) -> Iterator[tuple[Database, Place]]:
    """A registry (on each database) with five events; closed after the test."""
    db = Database.open(registry_db)
    with db.write() as session:
        append_events(
            session,
            [EventDraft("test.event", "thing", str(i), "officer", {"n": i}) for i in range(5)],
        )
    yield db, place_of(db)
    db.dispose()


def test_intact_chain_verifies(trail: tuple[Database, Place]) -> None:
    db, _ = trail
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
def test_database_refuses_to_change_the_trail(
    trail: tuple[Database, Place], statement: str
) -> None:
    _, path = trail
    with raw_connection(path) as raw, pytest.raises(Exception, match="append-only") as refused:
        raw.execute(statement)
    assert isinstance(refused.value, sqlite3.IntegrityError) or type(refused.value).__name__ == (
        "InsufficientPrivilege"
    )


def _tamper(path: Place, statement: str) -> None:
    """Change the trail as someone with the database's owner rights could."""
    with raw_connection(path) as raw:
        if isinstance(path, str):
            raw.execute("ALTER TABLE audit_events DISABLE TRIGGER USER")
        else:
            raw.execute("DROP TRIGGER audit_events_no_update")
            raw.execute("DROP TRIGGER audit_events_no_delete")
        raw.execute(statement)
        raw.commit()


def test_changed_event_is_named_as_first_broken(trail: tuple[Database, Place]) -> None:
    db, path = trail
    _tamper(path, "UPDATE audit_events SET details_json = '{\"n\":99}' WHERE id = 3")
    with db.read() as session:
        report = verify_chain(session)
    assert not report.ok
    assert report.first_broken == 3
    assert "no longer matches its hash" in report.reason


def test_removed_event_is_found(trail: tuple[Database, Place]) -> None:
    db, path = trail
    _tamper(path, "DELETE FROM audit_events WHERE id = 4")
    with db.read() as session:
        report = verify_chain(session)
    assert (report.ok, report.first_broken) == (False, 5)
    assert "events 4 to 4 are missing" in report.reason


def test_rehashed_event_still_breaks_the_next_link(trail: tuple[Database, Place]) -> None:
    db, path = trail
    flip_first_digit = "CASE WHEN substr(hash, 1, 1) = 'f' THEN 'e' ELSE 'f' END || substr(hash, 2)"
    _tamper(path, f"UPDATE audit_events SET hash = {flip_first_digit} WHERE id = 2")
    with db.read() as session:
        report = verify_chain(session)
    assert report.first_broken == 2
