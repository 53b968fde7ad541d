"""The audit trail: append-only in the database, hash-chained, verified link by link."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from countersign.models.vocabulary import CardOutcome
from countersign.services.audit.trail import (
    GENESIS_HASH,
    EventDraft,
    append_events,
    event_hash,
    list_events,
    verify_chain,
)
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


HOSTILE_DETAILS: dict[str, Any] = {
    "text": 'é 😀 \x00\x1f\x7f \u2028 "q" \\',
    "n": 1e16,
    "m": 1e-07,
    "list": [1, None, True],
    "outcome": CardOutcome.NEW_MODEL,
    "nested": {"z": "中文", "a": 2**64},
}


def _json_of_old(value: Any) -> str:
    """How events were written before orjson: the json module, sorted and compact."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def test_event_hash_is_the_one_the_json_module_gave() -> None:
    """Registries written before orjson keep verifying: the same row, the same hash."""
    row = {
        "id": 7,
        "at": "2026-12-05T15:00:00.000000Z",
        "actor": "officer é",
        "action": "test.event",
        "object_type": "thing",
        "object_id": "x",
        "model_name": "m\u2028",
        "details_json": _json_of_old(HOSTILE_DETAILS),
        "prev_hash": "0" * 64,
    }
    assert event_hash(row) == "5c0030fad4eabd47a4a22e0e7a27fdd267ea0cba8d2c0fccd34bc470fbb5b49b"


def test_appended_events_are_written_and_sealed_as_the_json_module_did(registry_db: str) -> None:
    db = Database.open(registry_db)
    try:
        flat = {"file": "cards/é.md", "warnings": 2, "attachments": {"a\n": "b"}, "ok": None}
        with db.write() as session:
            append_events(
                session,
                [
                    EventDraft("test.event", "thing", "1", "officer é", HOSTILE_DETAILS, "m😀"),
                    EventDraft("test.event", "thing", "2", "officer", flat),
                ],
            )
        with db.read() as session:
            events = list_events(session)
            assert verify_chain(session).ok
        prev = GENESIS_HASH
        for event, details in zip(events, [HOSTILE_DETAILS, flat], strict=True):
            assert event.details_json == _json_of_old(details)
            sealed = {
                "id": event.id,
                "at": event.at,
                "actor": event.actor,
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "model_name": event.model_name,
                "details": event.details_json,
                "prev_hash": prev,
            }
            assert event.prev_hash == prev
            assert event.hash == hashlib.sha256(_json_of_old(sealed).encode()).hexdigest()
            prev = event.hash
    finally:
        db.dispose()
