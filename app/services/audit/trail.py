"""The tamper-evident audit trail: append events, list them, walk the hash chain.

Every action that changes the registry appends its events in the same
transaction as the change.  Each event's hash covers its content and the hash
of the event before it, so editing, inserting or removing any event breaks
the chain from that point; :func:`verify_chain` names the first broken event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from countersign.models.card import canonical_json
from countersign.models.tables import AuditEvent
from countersign.models.vocabulary import AuditAction, AuditObject
from countersign.services.storage import dialect
from countersign.services.storage.database import utc_now

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first event."""


@dataclass(frozen=True)
class EventDraft:
    """An audit event before it is placed in the chain; its action and object are vocabulary."""

    action: AuditAction
    object_type: AuditObject
    object_id: str
    actor: str
    details: dict[str, Any] = field(default_factory=dict)
    model_name: str = ""


_TABLE = cast(Table, AuditEvent.__table__).name

_SEALED = (
    "id",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "model_name",
    "details_json",
    "prev_hash",
)
"""The columns of an event its hash seals: all but the hash itself."""


def event_hash(row: Mapping[str, Any]) -> str:
    """The SHA-256 that seals one event (``row``: its columns by name) and, through its
    ``prev_hash``, all before it."""
    payload = canonical_json(
        {("details" if name == "details_json" else name): row[name] for name in _SEALED}
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append_events(session: Session, drafts: Iterable[EventDraft]) -> list[int]:
    """Append events to the chain in the caller's (write) transaction; returns their ids."""
    tail = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    last_id, prev_hash = (tail[0], tail[1]) if tail else (0, GENESIS_HASH)
    rows: list[tuple[Any, ...]] = []
    at = utc_now()  # the events of one transaction are made at once
    for draft in drafts:
        last_id += 1
        row: dict[str, Any] = {
            "id": last_id,
            "at": at,
            "actor": draft.actor,
            "action": str(draft.action),
            "object_type": str(draft.object_type),
            "object_id": draft.object_id,
            "model_name": draft.model_name,
            "details_json": canonical_json(draft.details),
            "prev_hash": prev_hash,
        }
        prev_hash = event_hash(row)
        rows.append((*(row[name] for name in _SEALED), prev_hash))
    dialect.insert_many(session.connection(), _TABLE, (*_SEALED, "hash"), rows)
    return [row[0] for row in rows]


@dataclass(frozen=True)
class ChainReport:
    """The result of walking the audit chain."""

    ok: bool
    events: int
    first_broken: int | None = None
    reason: str = ""

    def describe(self) -> str:
        """One sentence for the officer."""
        if self.ok:
            return f"Audit chain intact: {self.events} events verified."
        return f"Audit chain BROKEN at event {self.first_broken}: {self.reason}"


def verify_chain(session: Session, batch: int = 2000) -> ChainReport:
    """Walk every event in order and check ids, links and hashes."""
    expected_id = 1
    prev_hash = GENESIS_HASH
    count = 0
    last_seen = 0
    while True:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_seen).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not events:
            break
        for event in events:
            problem = _problem(event, expected_id, prev_hash)
            if problem:
                return ChainReport(ok=False, events=count, first_broken=event.id, reason=problem)
            count += 1
            expected_id = event.id + 1
            prev_hash = event.hash
            last_seen = event.id
        session.expunge_all()
    return ChainReport(ok=True, events=count)


def _problem(event: AuditEvent, expected_id: int, prev_hash: str) -> str:
    if event.id != expected_id:
        return f"events {expected_id} to {event.id - 1} are missing (removed from the trail)"
    if event.prev_hash != prev_hash:
        return "it does not link to the event before it (an event was changed, removed or inserted)"
    recomputed = event_hash({name: getattr(event, name) for name in _SEALED})
    if recomputed != event.hash:
        return f"its content no longer matches its hash ({event.action} by {event.actor} at {event.at})"
    return ""


def event_details(event: AuditEvent) -> dict[str, Any]:
    """The details of an event as a dict (empty when unreadable)."""
    try:
        value = json.loads(event.details_json)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def list_events(
    session: Session,
    *,
    model_name: str | None = None,
    action: str | None = None,
    after_id: int = 0,
    limit: int = 1000,
) -> list[AuditEvent]:
    """Events in chain order, optionally for one model or of one action, paged by id."""
    query = select(AuditEvent).where(AuditEvent.id > after_id)
    if model_name is not None:
        query = query.where(AuditEvent.model_name == model_name)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query.order_by(AuditEvent.id).limit(limit)))
