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

from countersign.models.tables import MetricPolicyRecord


def policy_problems(session: Session, recorded: dict[str, tuple[str, str]]) -> list[str]:
    """One sentence per stored policy version that its events do not account for.

    ``recorded``: per policy version (``version N``), the event that imported it last
    (named: ``event 12``) and the SHA-256 it recorded, as the trail's walk found them.
    """
    recorded = dict(recorded)
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
                f"metric policy {name}: its content is not the one imported ({found[0]})"
            )
    problems.extend(
        f"{event_id}: it records metric policy {name}, which is not in the registry (removed)"
        for name, (event_id, _sha) in recorded.items()
    )
    return problems
