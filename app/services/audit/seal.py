"""What a ``registry.merged`` event seals: where another registry's events fork and end, and ids.

When ``registry copy`` merges the work of a registry that forked from this one
(an officer's offline copy), the source's events after the fork are kept
verbatim as a *segment* (table ``merged_events``) and one event of this
registry's chain seals them: the source's name, the fork (the last event both
chains share, or the head of an earlier segment it continues), the segment's
head and event count, and how the ids of the source's rows its events name
became ids of this registry.  Since the seal is inside a hashed event, editing
the segment or the id map breaks the chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from countersign.models.vocabulary import AuditObject

ID_TABLES: Mapping[str, str] = {
    AuditObject.MODEL: "models",
    AuditObject.CARD_VERSION: "card_versions",
    AuditObject.REVIEW: "reviews",
    AuditObject.SIGNATURE: "signatures",
    AuditObject.CLASSIFICATION: "classifications",
    AuditObject.REVOCATION: "revocations",
}
"""The kinds of object an event names by row id, and the table of that id."""


@dataclass(frozen=True)
class Point:
    """A point of a chain: an event's sequence number (id) and hash (0 and zeros: genesis)."""

    seq: int
    hash: str

    def as_json(self) -> dict[str, Any]:
        """The point inside the seal."""
        return {"seq": self.seq, "hash": self.hash}


@dataclass(frozen=True)
class MergeSeal:
    """The details of one ``registry.merged`` event."""

    source: str
    fork: Point
    head: Point
    events: int
    continues: int | None = None
    """The merge event whose segment this one continues (None: it forks from the main chain)."""
    ids: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """Per table, the source's row id (text) → this registry's, where they differ."""

    def as_json(self) -> dict[str, Any]:
        """The seal as the event's details."""
        return {
            "source": self.source,
            "fork": self.fork.as_json(),
            "head": self.head.as_json(),
            "events": self.events,
            "continues": self.continues,
            "ids": {table: dict(ids) for table, ids in self.ids.items()},
        }

    def object_id(self, object_type: str, object_id: str) -> str:
        """The id in this registry of the row a merged event names (as the event names it)."""
        table = ID_TABLES.get(object_type)
        if table is None:
            return object_id
        mapped = self.ids.get(table, {}).get(object_id)
        return object_id if mapped is None else str(mapped)


def read_seal(details: Mapping[str, Any]) -> MergeSeal | None:
    """The seal in a merge event's details, or None when it is not one."""
    fork, head = _point(details.get("fork")), _point(details.get("head"))
    events, continues = details.get("events"), details.get("continues")
    ids = details.get("ids")
    if fork is None or head is None or not _count(events) or not isinstance(ids, dict):
        return None
    if continues is not None and not _count(continues):
        return None
    tables: dict[str, dict[str, int]] = {}
    for table, mapping in ids.items():
        if not isinstance(mapping, dict) or not all(_count(v) for v in mapping.values()):
            return None
        tables[str(table)] = {str(k): int(v) for k, v in mapping.items()}
    return MergeSeal(str(details.get("source", "")), fork, head, events, continues, tables)


def _point(value: Any) -> Point | None:
    if not isinstance(value, dict):
        return None
    seq, digest = value.get("seq"), value.get("hash")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0 or not isinstance(digest, str):
        return None
    return Point(seq, digest)


def _count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
