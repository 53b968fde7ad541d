"""``audit --verify`` for the office's metric policy: every stored version against its events.

Each import of a policy version is audited with the version's SHA-256; a
stored version whose content is not what was imported (a row rewritten in the
file), a version no event records (added outside Countersign) and a recorded
version that is gone are each named.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.models.tables import AuditEvent, MetricPolicyRecord
from countersign.models.vocabulary import AuditAction, AuditObject
from countersign.services.audit.trail import event_details


def policy_problems(session: Session) -> list[str]:
    """One sentence per stored policy version that its events do not account for."""
    recorded: dict[str, tuple[int, str]] = {}
    for event in session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == AuditObject.METRIC_POLICY,
            AuditEvent.action.in_((AuditAction.POLICY_IMPORTED, AuditAction.POLICY_REPLACED)),
        )
        .order_by(AuditEvent.id)
    ):
        recorded[event.object_id] = (event.id, str(event_details(event).get("sha256", "")))
    problems: list[str] = []
    for row in session.scalars(select(MetricPolicyRecord).order_by(MetricPolicyRecord.version)):
        name = f"version {row.version}"
        found = recorded.pop(name, None)
        content = hashlib.sha256(row.content_json.encode("utf-8")).hexdigest()
        if found is None:
            problems.append(
                f"metric policy {name} is recorded by no import event (added outside Countersign)"
            )
        elif content != row.sha256 or row.sha256 != found[1]:
            problems.append(
                f"metric policy {name}: its content is not the one imported (event {found[0]})"
            )
    problems.extend(
        f"event {event_id}: it records metric policy {name}, which is not in the registry (removed)"
        for name, (event_id, _sha) in recorded.items()
    )
    return problems
