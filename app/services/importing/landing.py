"""Landing a checked import plan in the registry, inside the caller's transaction.

Everything is written in bulk: one multi-row insert per table and a fixed
number of queries per import, whatever the number of cards, so that a
1,000-card bundle costs little more than the rows themselves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from countersign.formats.bundle import OpenedBundle
from countersign.models.tables import Attachment, Bundle, CardVersion, Model, Review
from countersign.models.vocabulary import OPEN_STATUSES, AuditAction, AuditObject, CardStatus
from countersign.services.audit.trail import EventDraft, append_events
from countersign.services.importing.plan import ImportPlan, PlannedCard
from countersign.services.storage import dialect
from countersign.services.storage.database import utc_now

_CHUNK = 500
"""Ids per IN (...) list: well under SQLite's bound-parameter limit."""

_T = TypeVar("_T")

_models = cast(Table, Model.__table__)
_versions = cast(Table, CardVersion.__table__)
_reviews = cast(Table, Review.__table__)


def land_plan(session: Session, plan: ImportPlan, actor: str) -> None:
    """Write every new card version of ``plan`` with its model rows, search text and audit events."""
    connection = session.connection()
    now = utc_now()
    events: list[EventDraft] = []
    bundle_id = None
    if plan.bundle is not None:
        bundle_id = _insert_bundle(connection, plan.bundle, now, actor)
        events.append(_bundle_event(plan, plan.bundle, actor))
    new = [card for card in plan.cards if card.outcome.adds_a_version]
    model_ids = _ensure_models(connection, plan, new, now, events, actor)
    next_seq = _next_seqs(connection, set(model_ids.values()))
    rows: list[dict[str, Any]] = []
    for card in new:
        assert card.read is not None, "a new card version always has its card"
        model_id = model_ids[card.model]
        next_seq[model_id] = next_seq.get(model_id, 0) + 1
        rows.append(
            {
                "model_id": model_id,
                "version": card.version,
                "seq": next_seq[model_id],
                "canonical_json": card.canonical_json,
                "sha256": card.sha256,
                "original": card.original,
                "original_name": card.file,
                "source_format": card.read.source_format,
                "warnings_json": json.dumps(
                    [
                        {"field": w.field, "message": w.message, "where": w.place}
                        for w in card.warnings
                    ],
                    ensure_ascii=False,
                ),
                "status": CardStatus.SUBMITTED,
                "artifacts_json": json.dumps(card.artifacts, ensure_ascii=False),
                "bundle_id": bundle_id,
                "imported_at": now,
                "imported_by": actor,
            }
        )
    ids = (
        connection.execute(
            insert(_versions).returning(_versions.c.id, sort_by_parameter_order=True), rows
        )
        .scalars()
        .all()
    )
    _insert_attachments(connection, new, ids)
    dialect.index_card_versions(
        connection,
        (
            dialect.SearchRow(
                cv_id,
                card.model,
                card.version,
                plan.team,
                card.search_text,
            )
            for cv_id, card in zip(ids, new, strict=True)
        ),
    )
    events.extend(
        EventDraft(
            AuditAction.CARD_VERSION_IMPORTED,
            AuditObject.CARD_VERSION,
            str(cv_id),
            actor,
            {
                "version": card.version,
                "sha256": card.sha256,
                "source_format": card.read.source_format if card.read else "",
                "file": card.file,
                "bundle": plan.bundle.sha256 if plan.bundle else "",
                "warnings": len(card.warnings),
            },
            model_name=card.model,
        )
        for cv_id, card in zip(ids, new, strict=True)
    )
    _supersede_and_refresh(connection, plan, new, ids, model_ids, now, events, actor)
    append_events(session, events)


def _supersede_open_reviews(
    connection: Connection,
    superseded: list[tuple[int, int, str]],
    latest: dict[int, tuple[int, PlannedCard]],
    names: dict[int, str],
    now: str,
    events: list[EventDraft],
    actor: str,
) -> None:
    """Close the open review rounds of superseded card versions as superseded too."""
    versions = {cv_id: (model_id, version) for cv_id, model_id, version in superseded}
    open_reviews: list[tuple[int, int]] = []
    for chunk in _chunks(list(versions)):
        open_reviews.extend(
            (row.id, row.card_version_id)
            for row in connection.execute(
                select(_reviews.c.id, _reviews.c.card_version_id).where(
                    _reviews.c.card_version_id.in_(chunk), _reviews.c.status == CardStatus.IN_REVIEW
                )
            )
        )
    for chunk in _chunks([review_id for review_id, _ in open_reviews]):
        connection.execute(
            update(_reviews)
            .where(_reviews.c.id.in_(chunk))
            .values(status=CardStatus.SUPERSEDED, closed_at=now)
        )
    for review_id, cv_id in open_reviews:
        model_id, version = versions[cv_id]
        events.append(
            EventDraft(
                AuditAction.REVIEW_SUPERSEDED,
                AuditObject.REVIEW,
                str(review_id),
                actor,
                {"version": version, "by_version": latest[model_id][1].version},
                model_name=names[model_id],
            )
        )


def _chunks(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _bundle_event(plan: ImportPlan, bundle: OpenedBundle, actor: str) -> EventDraft:
    return EventDraft(
        AuditAction.BUNDLE_IMPORTED,
        AuditObject.BUNDLE,
        bundle.sha256,
        actor,
        {
            "file": bundle.file_name,
            "team": bundle.manifest.team,
            "signature": bundle.signature_status,
            "signer": bundle.signer_subject or "",
            "cards": [
                {"model": c.model, "version": c.version, "outcome": c.outcome} for c in plan.cards
            ],
        },
    )


def _insert_bundle(connection: Connection, bundle: OpenedBundle, now: str, actor: str) -> int:
    table = cast(Table, Bundle.__table__)
    pem = bundle.signer_certificate_pem
    row = {
        "file_name": bundle.file_name,
        "sha256": bundle.sha256,
        "size": bundle.size,
        "team": bundle.manifest.team,
        "producer": bundle.manifest.producer,
        "created": bundle.manifest.created,
        "manifest_json": bundle.manifest_bytes.decode("utf-8"),
        "signature_status": bundle.signature_status,
        "signer_certificate_pem": pem.decode("ascii") if pem else None,
        "signer_subject": bundle.signer_subject,
        "signer_fingerprint": bundle.signer_fingerprint,
        "imported_at": now,
        "imported_by": actor,
    }
    return int(connection.execute(insert(table).returning(table.c.id), row).scalar_one())


def _ensure_models(
    connection: Connection,
    plan: ImportPlan,
    new: list[PlannedCard],
    now: str,
    events: list[EventDraft],
    actor: str,
) -> dict[str, int]:
    names = sorted({card.model for card in new})
    ids: dict[str, int] = {}
    for chunk in _chunks(names):
        query = select(_models.c.name, _models.c.id).where(_models.c.name.in_(chunk))
        ids.update({row.name: row.id for row in connection.execute(query)})
    created: dict[str, dict[str, Any]] = {}
    for card in new:
        if card.model in ids or card.model in created:
            continue
        created[card.model] = {
            "name": card.model,
            "team": plan.team,
            "risk_tier": card.read.card.risk_rating if card.read else "",
            "created_at": now,
            "last_activity": now,
            "latest_version": "",
            "status": CardStatus.SUBMITTED,
            "version_count": 0,
        }
    if created:
        rows = list(created.values())
        new_ids = connection.execute(
            insert(_models).returning(_models.c.id, sort_by_parameter_order=True), rows
        ).scalars()
        for row, model_id in zip(rows, new_ids, strict=True):
            ids[row["name"]] = model_id
            events.append(
                EventDraft(
                    AuditAction.MODEL_CREATED,
                    AuditObject.MODEL,
                    str(model_id),
                    actor,
                    {"team": row["team"], "risk_tier": row["risk_tier"]},
                    model_name=row["name"],
                )
            )
    return ids


def _next_seqs(connection: Connection, model_ids: set[int]) -> dict[int, int]:
    seqs: dict[int, int] = {}
    for chunk in _chunks(sorted(model_ids)):
        rows = connection.execute(
            select(_versions.c.model_id, func.max(_versions.c.seq))
            .where(_versions.c.model_id.in_(chunk))
            .group_by(_versions.c.model_id)
        )
        seqs.update({row[0]: row[1] for row in rows})
    return seqs


def _insert_attachments(connection: Connection, new: list[PlannedCard], ids: Sequence[int]) -> None:
    rows = [
        {
            "card_version_id": cv_id,
            "path": attachment.path,
            "media_type": attachment.media_type,
            "sha256": hashlib.sha256(attachment.content).hexdigest(),
            "size": len(attachment.content),
            "content": attachment.content,
        }
        for cv_id, card in zip(ids, new, strict=True)
        for attachment in card.attachments
    ]
    if rows:
        connection.execute(insert(cast(Table, Attachment.__table__)), rows)


def _supersede_and_refresh(
    connection: Connection,
    plan: ImportPlan,
    new: list[PlannedCard],
    ids: Sequence[int],
    model_ids: dict[str, int],
    now: str,
    events: list[EventDraft],
    actor: str,
) -> None:
    """Supersede open older versions and refresh each touched model's browse columns.

    The newest version of a model is the last new one in the plan: versions
    are numbered in the order they arrive.
    """
    latest: dict[int, tuple[int, PlannedCard]] = {}
    for cv_id, card in zip(ids, new, strict=True):
        latest[model_ids[card.model]] = (cv_id, card)
    touched = sorted(latest)
    names = {model_id: card.model for model_id, (_, card) in latest.items()}
    latest_ids = {cv_id for cv_id, _ in latest.values()}
    superseded: list[tuple[int, int, str]] = []
    counts: dict[int, int] = {}
    current: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(touched):
        rows = connection.execute(
            select(_versions.c.id, _versions.c.model_id, _versions.c.version).where(
                _versions.c.model_id.in_(chunk), _versions.c.status.in_(OPEN_STATUSES)
            )
        )
        superseded.extend((r.id, r.model_id, r.version) for r in rows if r.id not in latest_ids)
        counts.update(
            {
                row[0]: row[1]
                for row in connection.execute(
                    select(_versions.c.model_id, func.count())
                    .where(_versions.c.model_id.in_(chunk))
                    .group_by(_versions.c.model_id)
                )
            }
        )
        current.update(
            {
                row.id: (row.risk_tier, row.team)
                for row in connection.execute(
                    select(_models.c.id, _models.c.risk_tier, _models.c.team).where(
                        _models.c.id.in_(chunk)
                    )
                )
            }
        )
    for chunk in _chunks([cv_id for cv_id, _, _ in superseded]):
        connection.execute(
            update(_versions).where(_versions.c.id.in_(chunk)).values(status=CardStatus.SUPERSEDED)
        )
    _supersede_open_reviews(connection, superseded, latest, names, now, events, actor)
    events.extend(
        EventDraft(
            AuditAction.CARD_VERSION_SUPERSEDED,
            AuditObject.CARD_VERSION,
            str(cv_id),
            actor,
            {"version": version, "by_version": latest[model_id][1].version},
            model_name=names[model_id],
        )
        for cv_id, model_id, version in superseded
    )
    refresh = []
    for model_id in touched:
        card = latest[model_id][1]
        risk, team = current[model_id]
        stated_risk = card.read.card.risk_rating if card.read else ""
        refresh.append(
            {
                "b_id": model_id,
                "b_latest": card.version,
                "b_count": counts.get(model_id, 0),
                "b_risk": stated_risk or risk,
                "b_team": plan.team or team,
            }
        )
    connection.execute(
        update(_models)
        .where(_models.c.id == bindparam("b_id"))
        .values(
            latest_version=bindparam("b_latest"),
            status=CardStatus.SUBMITTED,
            version_count=bindparam("b_count"),
            risk_tier=bindparam("b_risk"),
            team=bindparam("b_team"),
            last_activity=now,
        ),
        refresh,
    )
