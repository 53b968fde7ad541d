"""Where two registries' audit chains parted, and which of the source's events are new here.

Both chains share their first events (a copy keeps every event verbatim); the
*fork* is the last one they share (0 when they share none, as a registry
started afresh).  Events the source made after it that an earlier merge
already brought in (a segment of this registry whose head is one of the
source's events) are not brought again: a new segment continues the last
such segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.errors import CountersignError
from countersign.models.tables import AuditEvent, MergedEvent
from countersign.models.vocabulary import AuditAction, AuditObject
from countersign.services.audit.seal import MergeSeal, Point, read_seal
from countersign.services.audit.trail import GENESIS_HASH, event_details


class MergeRefused(CountersignError):
    """The source's work cannot be merged; nothing was written to the destination."""


@dataclass(frozen=True)
class Chains:
    """Both chains as (id, hash) in order, and where they part."""

    source: Sequence[tuple[int, str]]
    target: Sequence[tuple[int, str]]
    fork: int
    """How many first events the two chains share."""

    @property
    def target_is_prefix(self) -> bool:
        """Whether the destination holds nothing the source does not (a plain copy)."""
        return self.fork == len(self.target)

    def source_point(self, seq: int) -> Point:
        """The source's event ``seq`` (0: genesis)."""
        return Point(seq, self.source[seq - 1][1] if seq else GENESIS_HASH)


def read_chains(source: Session, target: Session) -> Chains:
    """Both chains' ids and hashes, and the length of their common start."""
    query = select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id)
    theirs = [(row[0], row[1]) for row in source.execute(query)]
    ours = [(row[0], row[1]) for row in target.execute(query)]
    fork = 0
    for mine, other in zip(ours, theirs, strict=False):
        if mine != other:
            break
        fork += 1
    return Chains(theirs, ours, fork)


@dataclass(frozen=True)
class MergePlan:
    """What a merge brings: the source's new events, where their segment forks, what it continues."""

    fork: Point
    continues: int | None
    events: Sequence[dict[str, Any]]
    """The source's events after ``fork``, every column as stored (empty: nothing to copy)."""
    lineage: frozenset[int]
    """The merge events of this registry that brought earlier work of the same source."""


_COLUMNS = (
    "id",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "model_name",
    "details_json",
    "prev_hash",
    "hash",
)


def plan_merge(source: Session, target: Session, chains: Chains) -> MergePlan:
    """The source's events not yet in the destination, after the last of its work merged before."""
    seals = _seals(target)
    point, continues, lineage = chains.source_point(chains.fork), None, set()
    while True:
        following = next(
            (
                merge_id
                for merge_id, seal in seals.items()
                if seal.fork == point
                and seal.continues == continues
                and seal.head.seq <= len(chains.source)
                and chains.source_point(seal.head.seq) == seal.head
            ),
            None,
        )
        if following is None:
            break
        point, continues = seals[following].head, following
        lineage.add(following)
    if _already_merged(target, chains):
        return MergePlan(point, continues, (), frozenset(lineage))
    rows = source.execute(
        select(*(getattr(AuditEvent, name) for name in _COLUMNS))
        .where(AuditEvent.id > point.seq)
        .order_by(AuditEvent.id)
    )
    events = [dict(zip(_COLUMNS, row, strict=True)) for row in rows]
    for event in events:
        if event["action"] == AuditAction.REGISTRY_MERGED:
            raise MergeRefused(
                f"the source itself merged work from another registry (its event {event['id']}) "
                "after it parted from this one; nothing was copied. Merge that work here from "
                "where it was done, or start again from a fresh copy of this registry"
            )
    return MergePlan(point, continues, events, frozenset(lineage))


def _seals(target: Session) -> dict[int, MergeSeal]:
    found = {}
    for event in target.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == AuditAction.REGISTRY_MERGED)
        .order_by(AuditEvent.id)
    ):
        seal = read_seal(event_details(event))
        if seal is not None:
            found[event.id] = seal
    return found


def _already_merged(target: Session, chains: Chains) -> bool:
    """Whether the source's newest event is in the destination already (main chain or merged)."""
    if not chains.source:
        return True
    seq, digest = chains.source[-1]
    if chains.fork >= seq:
        return True
    return (
        target.scalar(
            select(MergedEvent.segment)
            .where(MergedEvent.id == seq, MergedEvent.hash == digest)
            .limit(1)
        )
        is not None
    )


@dataclass(frozen=True)
class Touched:
    """What a side's events after the fork worked on: models by name, identities by
    fingerprint, and whether it changed the metric policy."""

    models: frozenset[str]
    identities: frozenset[str]
    policy: bool = False


def touched_by(events: Sequence[dict[str, Any]]) -> Touched:
    """What ``events`` (each with ``model_name``, ``object_type``, ``object_id``, ``action``)
    worked on."""
    return Touched(
        frozenset(str(e["model_name"]) for e in events if e["model_name"]),
        frozenset(str(e["object_id"]) for e in events if e["object_type"] == AuditObject.IDENTITY),
        any(
            e["action"] in (AuditAction.POLICY_IMPORTED, AuditAction.POLICY_REPLACED)
            for e in events
        ),
    )


def touched_here(target: Session, fork: int, lineage: frozenset[int]) -> Touched:
    """What the destination worked on since the fork: its own events, and work merged from others."""
    names = ("model_name", "object_type", "object_id", "action")
    columns = [getattr(AuditEvent, name) for name in names]
    events = [
        dict(zip(names, row, strict=True))
        for row in target.execute(select(*columns).where(AuditEvent.id > fork))
    ]
    merged = [getattr(MergedEvent, name) for name in names]
    events += [
        dict(zip(names, row, strict=True))
        for row in target.execute(
            select(*merged).where(
                MergedEvent.segment > fork, MergedEvent.segment.not_in(lineage or {0})
            )
        )
    ]
    return touched_by(events)
