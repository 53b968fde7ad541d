"""Models both registries worked on since they parted, where the work was the same.

The officer and a colleague may import the same bundle on each side: the
source's events on that model then say nothing the destination does not say
already.  Such a model is not work on both sides: the source brings no row and
no act the destination lacks, so the destination's rows stand as they are and
the source's events are kept verbatim with the rest of its segment.

Only what an import writes counts as the same work: a model created with the
same details, a card version imported with the SHA-256 the destination holds
for it, a version superseded as the destination records it.  Any other act of
the source on such a model (a review, a sign-off, a classification, a
revocation, a status change) is its own work, refused as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.models.tables import AuditEvent, CardVersion, MergedEvent, Model
from countersign.models.vocabulary import AuditAction

_RECORDED = (AuditAction.MODEL_CREATED, AuditAction.CARD_VERSION_SUPERSEDED)
"""Acts the destination must have recorded word for word (same model, same details)."""


def same_work(
    sessions: tuple[Session, Session], events: Sequence[dict[str, Any]], models: Iterable[str]
) -> frozenset[str]:
    """Of ``models`` (both sides worked on them), those where the source's ``events`` and card
    versions bring nothing the destination does not hold."""
    reading, writing = sessions
    ours = _versions(writing)
    theirs = _versions(reading)
    return frozenset(
        name
        for name in models
        if theirs.get(name, {}).items() <= ours.get(name, {}).items()
        and all(
            _held(writing, event, ours.get(name, {}))
            for event in events
            if event["model_name"] == name
        )
    )


def _versions(session: Session) -> dict[str, dict[str, str]]:
    """Each model's card versions → their SHA-256."""
    found: dict[str, dict[str, str]] = {}
    query = select(Model.name, CardVersion.version, CardVersion.sha256).join(
        CardVersion, CardVersion.model_id == Model.id
    )
    for name, version, sha256 in session.execute(query).tuples():
        found.setdefault(name, {})[version] = sha256
    return found


def _held(writing: Session, event: dict[str, Any], versions: dict[str, str]) -> bool:
    """Whether the destination holds what the source's ``event`` records."""
    action = event["action"]
    if action == AuditAction.CARD_VERSION_IMPORTED:
        details = json.loads(event["details_json"] or "{}")
        version = details.get("version") if isinstance(details, dict) else None
        sha256 = details.get("sha256") if isinstance(details, dict) else None
        return isinstance(version, str) and sha256 is not None and versions.get(version) == sha256
    if action not in _RECORDED:
        return False
    return any(
        writing.execute(
            select(table.id)
            .where(
                table.action == action,
                table.model_name == event["model_name"],
                table.details_json == event["details_json"],
            )
            .limit(1)
        ).first()
        is not None
        for table in (AuditEvent, MergedEvent)
    )
