"""The tamper-evident audit trail: append events, list them, walk the hash chain.

Every action that changes the registry appends its events in the same
transaction as the change.  Each event's hash covers its content and the hash
of the event before it, so editing, inserting or removing any event breaks
the chain from that point; :func:`verify_chain` names the first broken event.
"""

from __future__ import annotations

import hashlib
import heapq
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, Table, and_, or_, select
from sqlalchemy.orm import Session

from countersign.models.card import canonical_json
from countersign.models.tables import AuditEvent, MergedEvent
from countersign.models.vocabulary import AuditAction, AuditObject
from countersign.services.audit.seal import MergeSeal, read_seal
from countersign.services.counting import counted
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
    """The result of walking the audit chain (and the segments merged into it)."""

    ok: bool
    events: int
    first_broken: int | None = None
    reason: str = ""
    merged: int = 0
    """Events of other registries kept verbatim in merged segments, verified with the chain."""

    def describe(self) -> str:
        """One sentence for the officer."""
        if self.ok:
            merged = (
                f", and {counted(self.merged, 'event')} of work merged from other registries"
                if self.merged
                else ""
            )
            return f"Audit chain intact: {self.events} events verified{merged}."
        return f"Audit chain BROKEN at event {self.first_broken}: {self.reason}"


def verify_chain(session: Session, batch: int = 2000) -> ChainReport:
    """Walk every event in order and check ids, links and hashes; then every merged segment."""
    expected_id = 1
    prev_hash = GENESIS_HASH
    count = 0
    last_seen = 0
    merges: list[tuple[int, str]] = []
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
            if event.action == AuditAction.REGISTRY_MERGED:
                merges.append((event.id, event.details_json))
        session.expunge_all()
    return _verify_segments(session, merges, count)


def _verify_segments(session: Session, merges: list[tuple[int, str]], count: int) -> ChainReport:
    """Each merged segment: linked from its fork, every hash recomputed, ending at its sealed head."""
    seals: dict[int, MergeSeal] = {}
    merged = 0
    for merge_id, details_json in merges:
        seal = read_seal(_details(details_json))
        problem = (
            "its seal is unreadable"
            if seal is None
            else _fork_problem(session, merge_id, seal, seals)
        )
        if not problem and seal is not None:
            problem = _segment_problem(session, merge_id, seal)
        if problem:
            return ChainReport(
                ok=False,
                events=count,
                first_broken=merge_id,
                reason=f"the work it merged does not verify: {problem}",
            )
        assert seal is not None
        seals[merge_id] = seal
        merged += seal.events
    stray = session.scalars(
        select(MergedEvent.segment).where(MergedEvent.segment.not_in(list(seals) or [0])).limit(1)
    ).first()
    if stray is not None:
        return ChainReport(
            ok=False,
            events=count,
            first_broken=stray,
            reason="merged events name it as their merge, but it merged nothing (added outside "
            "Countersign)",
        )
    return ChainReport(ok=True, events=count, merged=merged)


def _fork_problem(
    session: Session, merge_id: int, seal: MergeSeal, seals: dict[int, MergeSeal]
) -> str:
    fork = seal.fork
    if seal.continues is not None:
        earlier = seals.get(seal.continues)
        if earlier is None or seal.continues >= merge_id:
            return f"it continues event {seal.continues}, which merged nothing before it"
        if earlier.head != fork:
            return f"it does not continue where the work merged by event {seal.continues} ended"
        return ""
    if fork.seq >= merge_id:
        return f"it claims to fork at event {fork.seq}, which comes after it"
    found = (
        GENESIS_HASH
        if fork.seq == 0
        else session.scalar(select(AuditEvent.hash).where(AuditEvent.id == fork.seq))
    )
    if found != fork.hash:
        return f"it forks at event {fork.seq} with another hash than this chain's"
    return ""


def _segment_problem(session: Session, merge_id: int, seal: MergeSeal) -> str:
    expected, prev_hash, count = seal.fork.seq + 1, seal.fork.hash, 0
    rows = session.scalars(
        select(MergedEvent).where(MergedEvent.segment == merge_id).order_by(MergedEvent.id)
    )
    for row in rows:
        problem = _problem(row, expected, prev_hash)
        if problem:
            return f"merged event {row.id}: {problem}"
        expected, prev_hash, count = row.id + 1, row.hash, count + 1
    if count != seal.events or expected - 1 != seal.head.seq or prev_hash != seal.head.hash:
        return (
            f"it sealed {seal.events} events ending at event {seal.head.seq} "
            f"({seal.head.hash[:16]}…), but {count} are kept, ending at event {expected - 1} "
            f"({prev_hash[:16]}…): merged events were removed, added or changed"
        )
    return ""


def _details(details_json: str) -> dict[str, Any]:
    try:
        value = json.loads(details_json)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _problem(event: AuditEvent | MergedEvent, expected_id: int, prev_hash: str) -> str:
    if event.id != expected_id:
        return f"events {expected_id} to {event.id - 1} are missing (removed from the trail)"
    if event.prev_hash != prev_hash:
        return "it does not link to the event before it (an event was changed, removed or inserted)"
    recomputed = event_hash({name: getattr(event, name) for name in _SEALED})
    if recomputed != event.hash:
        return f"its content no longer matches its hash ({event.action} by {event.actor} at {event.at})"
    return ""


def event_details(event: AuditEvent | MergedEvent) -> dict[str, Any]:
    """The details of an event as a dict (empty when unreadable)."""
    return _details(event.details_json)


def list_events(
    session: Session,
    *,
    model_name: str | None = None,
    action: str | None = None,
    after_id: int = 0,
    limit: int = 1000,
) -> list[AuditEvent]:
    """Events of this registry's chain in order, optionally for one model or of one action,
    paged by id (the whole trail, with work merged from other registries: :func:`whole_trail`)."""
    query = select(AuditEvent).where(AuditEvent.id > after_id)
    if model_name is not None:
        query = query.where(AuditEvent.model_name == model_name)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query.order_by(AuditEvent.id).limit(limit)))


class TrailKey(NamedTuple):
    """Where an event stands in the whole trail; keys sort in trail order.

    Work merged from another registry comes just before the ``registry.merged`` event
    that merged it, in its source's order: it was done there before the merge sealed it,
    as the events a signature covers come before the signature.
    """

    position: int
    """The event's id in this registry's chain; for merged work, the event that merged it."""
    own: bool
    """False for merged work (which so sorts before its merge), True for this chain's event."""
    merged_id: int = 0
    """For merged work: its id in the registry it was made in (0 otherwise)."""


TRAIL_START = TrailKey(0, True)
"""The key before the first event (what a first page reads after)."""


def key_of(event_id: int, merged_by: int | None = None) -> TrailKey:
    """The place in the whole trail of this chain's event ``event_id`` or, with ``merged_by``,
    of the event ``event_id`` of the work that event merged."""
    return TrailKey(event_id, True) if merged_by is None else TrailKey(merged_by, False, event_id)


def trail_key(event: AuditEvent | MergedEvent) -> TrailKey:
    """The place of ``event`` in the whole trail (what :func:`whole_trail` pages on from)."""
    return key_of(event.id, event.segment if isinstance(event, MergedEvent) else None)


@dataclass(frozen=True)
class TrailFilter:
    """Which events of the whole trail to list (None: any).

    With a model, the ``registry.merged`` events that merged work on it are listed too
    (they name no model), unless another action is asked.
    """

    model_name: str | None = None
    action: str | None = None


def whole_trail(
    session: Session, wanted: TrailFilter, *, after: TrailKey = TRAIL_START, limit: int = 1000
) -> list[AuditEvent | MergedEvent]:
    """The whole trail in order after ``after``: this registry's chain, the work each
    ``registry.merged`` event merged from another registry just before it (filters apply to
    both), at most ``limit`` events.

    Two keyset queries, one per table, each read no further than ``limit``; their first
    ``limit`` events in :func:`trail_key` order are the page, so paging stays exact when a
    merged segment spans pages.
    """
    # After merged work, the event that merged it is still to come; after an own event, not.
    own = select(AuditEvent).where(
        AuditEvent.id > after.position if after.own else AuditEvent.id >= after.position
    )
    merged = select(MergedEvent).where(
        MergedEvent.segment > after.position
        if after.own
        else or_(
            MergedEvent.segment > after.position,
            and_(MergedEvent.segment == after.position, MergedEvent.id > after.merged_id),
        )
    )
    if wanted.model_name is not None:
        own = own.where(_own_event_of(wanted.model_name))
        merged = merged.where(MergedEvent.model_name == wanted.model_name)
    if wanted.action is not None:
        own = own.where(AuditEvent.action == wanted.action)
        merged = merged.where(MergedEvent.action == wanted.action)
    mine: list[AuditEvent | MergedEvent] = list(
        session.scalars(own.order_by(AuditEvent.id).limit(limit))
    )
    theirs: list[AuditEvent | MergedEvent] = list(
        session.scalars(merged.order_by(MergedEvent.segment, MergedEvent.id).limit(limit))
    )
    return list(heapq.merge(mine, theirs, key=trail_key))[:limit]


def _own_event_of(model_name: str) -> ColumnElement[bool]:
    """This chain's events about ``model_name``, and the merges that brought work on it."""
    brought = (
        select(MergedEvent.id)
        .where(MergedEvent.segment == AuditEvent.id, MergedEvent.model_name == model_name)
        .exists()
    )
    return or_(
        AuditEvent.model_name == model_name,
        and_(AuditEvent.action == AuditAction.REGISTRY_MERGED, brought),
    )
