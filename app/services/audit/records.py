"""Reading the audit trail for people: plain, frozen records, a page at a time.

Screens and reports never hold an ORM row or a session: :class:`AuditTrail`
reads events into :class:`AuditRecord` values (with the file name of the
bundle a card version came in, so the wording can name it) and walks the hash
chain.  :mod:`countersign.services.audit.wording` turns a record into words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.models.tables import AuditEvent, Bundle, MergedEvent
from countersign.models.vocabulary import AuditObject
from countersign.services.audit.trail import (
    TRAIL_START,
    ChainReport,
    TrailFilter,
    TrailKey,
    key_of,
    verify_chain,
    whole_trail,
)
from countersign.services.storage.database import Database

PAGE_SIZE = 200
"""Events read per page when a caller does not say."""


@dataclass(frozen=True)
class AuditRecord:
    """One audit event as stored, detached from the database."""

    id: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    model_name: str
    details_json: str
    hash: str
    prev_hash: str
    details: Mapping[str, Any] = field(default_factory=dict, compare=False)
    """The details as a read-only mapping (empty when the stored text is no JSON object)."""
    bundle_file: str = ""
    """The file name of the bundle the event names (``details["bundle"]``), when known."""
    merged_by: int | None = None
    """For work merged from another registry: the event of this registry that brought it
    (``id`` is then the event's id in the registry it was made in)."""

    @property
    def position(self) -> int:
        """Where the event stands in this registry's chain (merged work: at the event that merged it)."""
        return self.id if self.merged_by is None else self.merged_by

    @property
    def key(self) -> TrailKey:
        """Where the event stands in the whole trail (what :meth:`AuditTrail.events` pages on
        from): merged work just before the event that merged it, in its source's order."""
        return key_of(self.id, self.merged_by)


def parse_details(details_json: str) -> Mapping[str, Any]:
    """The details of an event as a read-only mapping (empty when unreadable)."""
    try:
        value = json.loads(details_json)
    except ValueError:
        return MappingProxyType({})
    return MappingProxyType(value if isinstance(value, dict) else {})


def records_of(session: Session, events: Iterable[AuditEvent | MergedEvent]) -> list[AuditRecord]:
    """Events as plain records, the bundle files they name read in one query."""
    rows = list(events)
    details = [parse_details(event.details_json) for event in rows]
    wanted = {
        str(value)
        for value in (d.get("bundle") for d in details)
        if isinstance(value, str) and value
    }
    wanted |= {event.object_id for event in rows if event.object_type == AuditObject.BUNDLE}
    files: dict[str, str] = {}
    if wanted:
        files = {
            sha: name
            for sha, name in session.execute(
                select(Bundle.sha256, Bundle.file_name).where(Bundle.sha256.in_(sorted(wanted)))
            )
        }
    return [
        AuditRecord(
            id=event.id,
            at=event.at,
            actor=event.actor,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            model_name=event.model_name,
            details_json=event.details_json,
            hash=event.hash,
            prev_hash=event.prev_hash,
            details=detail,
            bundle_file=files.get(_bundle_sha(event, detail), ""),
            merged_by=event.segment if isinstance(event, MergedEvent) else None,
        )
        for event, detail in zip(rows, details, strict=True)
    ]


def _bundle_sha(event: AuditEvent | MergedEvent, details: Mapping[str, Any]) -> str:
    if event.object_type == AuditObject.BUNDLE:
        return event.object_id
    value = details.get("bundle")
    return value if isinstance(value, str) else ""


class AuditTrail:
    """The audit trail as the screens read it: pages of plain records, one event, the chain check."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def events(
        self,
        *,
        model_name: str | None = None,
        action: str | None = None,
        after: TrailKey = TRAIL_START,
        limit: int = PAGE_SIZE,
    ) -> list[AuditRecord]:
        """The whole trail after the event whose ``key`` is ``after``, optionally of one model
        or one action: this registry's chain, with the work each ``registry.merged`` event
        merged from another registry just before it (marked with ``merged_by``).

        A model's events come with the ``registry.merged`` events that merged work on it
        (unless another action is asked): see :class:`TrailFilter`."""
        wanted = TrailFilter(model_name=model_name, action=action)
        with self.database.read() as session:
            return records_of(session, whole_trail(session, wanted, after=after, limit=limit))

    def merged_event(self, merged_by: int, event_id: int) -> AuditRecord | None:
        """The event ``event_id`` of the work merged by event ``merged_by`` (None if none)."""
        with self.database.read() as session:
            event = session.get(MergedEvent, (merged_by, event_id))
            return records_of(session, [event])[0] if event is not None else None

    def event(self, event_id: int) -> AuditRecord | None:
        """The event ``event_id`` (None when the trail holds none of that id)."""
        with self.database.read() as session:
            event = session.get(AuditEvent, event_id)
            return records_of(session, [event])[0] if event is not None else None

    def verify(self) -> ChainReport:
        """Walk the whole hash chain and name the first broken event, if any."""
        with self.database.read() as session:
            return verify_chain(session)
