"""Landing a checked import plan in the registry, inside the caller's transaction.

Everything is written in bulk: one multi-row insert per table and a fixed
number of queries per import, whatever the number of cards, so that a
1,000-card bundle costs little more than the rows themselves.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from countersign.models.tables import Attachment, Bundle, CardVersion, Model, Review
from countersign.models.vocabulary import (
    OPEN_STATUSES,
    AuditAction,
    AuditObject,
    CardOutcome,
    CardStatus,
)
from countersign.services.audit.trail import EventDraft, append_events
from countersign.services.importing.plan import ImportPlan, PlannedCard
from countersign.services.reviews.stages import classified_tiers
from countersign.services.storage import dialect
from countersign.services.storage.database import utc_now

if TYPE_CHECKING:
    from countersign.formats.bundle import OpenedBundle

_CHUNK = 500
"""Ids per IN (...) list: well under SQLite's bound-parameter limit."""

_CHUNK_IDS: BindParameter[Any] = bindparam("chunk", expanding=True)
"""The ``IN (...)`` list of a chunk, sent as one parameter (not one bound object per value)."""

_models = cast(Table, Model.__table__)
_versions = cast(Table, CardVersion.__table__)
_reviews = cast(Table, Review.__table__)


@contextmanager
def collector_on_new_objects() -> Iterator[None]:
    """While a plan lands: Python's cyclic collector walks only the objects made meanwhile.

    Reading leaves its cards young (the collector is paused while they are read):
    some 170 objects a card, walked again by every collection that the landing's
    allocations set off, 20-70 ms of a 1,000-card landing, with the registry's
    write lock held.  Frozen, everything older is left out; afterwards it joins
    the oldest generation, where objects that outlive a landing end anyway and
    which only the full collections walk.  Cycles made while landing are
    collected as always.  (Freezing is process-wide: two landings at once only
    unfreeze early.)
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def land_plan(session: Session, plan: ImportPlan, actor: str) -> None:
    """Write every new card version of ``plan`` with its model rows, search text and audit events."""
    landing = _Landing(session.connection(), plan, utc_now(), actor)
    bundle_id = None
    if plan.bundle is not None:
        bundle_id = _insert_bundle(landing.connection, plan.bundle, landing.now, actor)
        landing.events.append(_bundle_event(plan, plan.bundle, actor))
    new = [card for card in plan.cards if card.outcome.adds_a_version]
    model_ids = landing.ensure_models(new)
    ids = landing.insert_versions(new, model_ids, bundle_id)
    _insert_attachments(landing.connection, new, ids)
    dialect.index_card_versions(
        landing.connection,
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
    landing.events.extend(
        _imported_event(plan, cv_id, card, actor) for cv_id, card in zip(ids, new, strict=True)
    )
    landing.supersede_and_refresh(new, ids, model_ids)
    append_events(session, landing.events)


def _imported_event(plan: ImportPlan, cv_id: int, card: PlannedCard, actor: str) -> EventDraft:
    return EventDraft(
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
            # What `audit --verify` re-derives from the stored rows: the bytes as received
            # and every attachment, beside the canonical JSON's hash above.
            "original_sha256": card.original_sha256,
            "attachments": {
                a.path: hashlib.sha256(a.content).hexdigest() for a in card.attachments
            },
            # The model files as stored, with what the team's signature of each vouched.
            "model_files_sha256": hashlib.sha256(
                model_files_json(card).encode("utf-8")
            ).hexdigest(),
        },
        model_name=card.model,
    )


def model_files_json(card: PlannedCard) -> str:
    """The model files a card version names, as stored (``artifacts_json``)."""
    return json.dumps(card.artifacts, ensure_ascii=False) if card.artifacts else "[]"


@dataclass(frozen=True)
class _Touched:
    """The models an import added versions to, as the registry held them before."""

    latest: dict[int, tuple[int, PlannedCard]]
    """Each model's newest new version: its id and planned card."""
    superseded: list[tuple[int, int, str]]
    """Open older versions (id, model id, version), superseded now."""
    counts: dict[int, int]
    """How many versions each model holds, the new ones included."""
    current: dict[int, tuple[str, str]]
    """Each model's risk tier and team as stored."""
    classified: dict[int, str]
    """The tier of each model's newest classification by an officer (none: never classified)."""

    @property
    def names(self) -> dict[int, str]:
        """Each model's name, by id."""
        return {model_id: card.model for model_id, (_, card) in self.latest.items()}


@dataclass
class _Landing:
    """One plan being landed: in which transaction, when, by whom, and the events it makes."""

    connection: Connection
    plan: ImportPlan
    now: str
    actor: str
    events: list[EventDraft] = field(default_factory=list)
    created: set[int] = field(default_factory=set)
    """The models this landing created (their rows already as they stand after it)."""

    def ensure_models(self, new: list[PlannedCard]) -> dict[str, int]:
        """The id of each model of ``new``, creating the models the registry lacks.

        A model created here is written as it stands once ``new`` has landed (its
        newest version, how many it holds, its risk tier), so that it needs no
        refresh; its ``model.created`` event says what it was created with, from
        its first card.  Only the models of new versions are looked up: the plan was
        classified in this transaction, so a card that makes a new model names one the
        registry lacks (and were it there, the unique name would refuse the landing).
        """
        fresh = {card.model for card in new if card.outcome == CardOutcome.NEW_MODEL}
        names = sorted({card.model for card in new} - fresh)
        ids: dict[str, int] = {}
        for chunk in _chunks(names):
            query = select(_models.c.name, _models.c.id).where(_models.c.name.in_(_CHUNK_IDS))
            ids.update({row.name: row.id for row in self.connection.execute(query, chunk)})
        created = _models_to_create(new, ids)
        if not created:
            return ids
        values = [
            (
                model.first.model,
                self.plan.team,
                _stated_risk(model.latest) or _stated_risk(model.first),
                self.now,
                self.now,
                model.latest.version,
                CardStatus.SUBMITTED.value,
                model.count,
            )
            for model in created
        ]
        rows = _Rows(_models, _MODEL_COLUMNS, values, ("name",))
        for model, model_id in zip(created, _insert_rows(self.connection, rows), strict=True):
            ids[model.first.model] = model_id
            self.created.add(model_id)
            self.events.append(
                EventDraft(
                    AuditAction.MODEL_CREATED,
                    AuditObject.MODEL,
                    str(model_id),
                    self.actor,
                    {"team": self.plan.team, "risk_tier": _stated_risk(model.first)},
                    model_name=model.first.model,
                )
            )
        return ids

    def insert_versions(
        self, new: list[PlannedCard], model_ids: dict[str, int], bundle_id: int | None
    ) -> Sequence[int]:
        """Insert the new card versions, numbered in each model's order; their ids."""
        # A model created by this landing has no versions yet: its first is numbered 1.
        next_seq = _next_seqs(self.connection, set(model_ids.values()) - self.created)
        status = CardStatus.SUBMITTED.value
        values: list[tuple[Any, ...]] = []
        for card in new:
            assert card.read is not None, "a new card version always has its card"
            model_id = model_ids[card.model]
            next_seq[model_id] = next_seq.get(model_id, 0) + 1
            values.append(
                (
                    model_id,
                    card.version,
                    next_seq[model_id],
                    card.canonical_json,
                    card.sha256,
                    card.original,
                    card.file,
                    card.read.source_format,
                    _warnings_json(card),
                    status,
                    model_files_json(card),
                    bundle_id,
                    self.now,
                    self.actor,
                )
            )
        return _insert_rows(
            self.connection, _Rows(_versions, _VERSION_COLUMNS, values, ("model_id", "version"))
        )

    def supersede_and_refresh(
        self, new: list[PlannedCard], ids: Sequence[int], model_ids: dict[str, int]
    ) -> None:
        """Supersede open older versions and refresh each touched model's browse columns.

        The newest version of a model is the last new one in the plan: versions
        are numbered in the order they arrive.
        """
        latest: dict[int, tuple[int, PlannedCard]] = {}
        for cv_id, card in zip(ids, new, strict=True):
            latest[model_ids[card.model]] = (cv_id, card)
        touched = self._touched(latest)
        # A created model's versions are the new ones: all but its newest are superseded.
        touched.superseded.extend(
            (cv_id, model_ids[card.model], card.version)
            for cv_id, card in zip(ids, new, strict=True)
            if model_ids[card.model] in self.created and latest[model_ids[card.model]][0] != cv_id
        )
        touched.superseded.sort()
        for chunk in _chunks([cv_id for cv_id, _, _ in touched.superseded]):
            self.connection.execute(
                update(_versions)
                .where(_versions.c.id.in_(_CHUNK_IDS))
                .values(status=CardStatus.SUPERSEDED),
                chunk,
            )
        self._supersede_open_reviews(touched)
        names = touched.names
        self.events.extend(
            EventDraft(
                AuditAction.CARD_VERSION_SUPERSEDED,
                AuditObject.CARD_VERSION,
                str(cv_id),
                self.actor,
                {"version": version, "by_version": latest[model_id][1].version},
                model_name=names[model_id],
            )
            for cv_id, model_id, version in touched.superseded
        )
        self._refresh_models(touched)

    def _touched(self, latest: dict[int, tuple[int, PlannedCard]]) -> _Touched:
        """The models ``latest`` touches: open older versions, version counts, stored columns
        (read for the models that were there before: :meth:`ensure_models` wrote the others).

        Read from the indexes alone where it can be (each model's versions from
        the model index, which of them are open from the status index): a card
        version's status is stored after its card text, which a row read would
        walk through.
        """
        touched = _Touched(latest, [], {}, {}, {})
        model_of: dict[int, int] = {}
        for chunk in _chunks(sorted(latest.keys() - self.created)):
            query = select(_versions.c.id, _versions.c.model_id).where(
                _versions.c.model_id.in_(_CHUNK_IDS)
            )
            for cv_id, model_id in self.connection.execute(query, chunk):
                model_of[cv_id] = model_id
                touched.counts[model_id] = touched.counts.get(model_id, 0) + 1
            touched.current.update(
                {
                    row.id: (row.risk_tier, row.team)
                    for row in self.connection.execute(
                        select(_models.c.id, _models.c.risk_tier, _models.c.team).where(
                            _models.c.id.in_(_CHUNK_IDS)
                        ),
                        chunk,
                    )
                }
            )
            touched.classified.update(classified_tiers(self.connection, chunk["chunk"]))
        latest_ids = {cv_id for cv_id, _ in latest.values()}
        still_open = self._open_among(sorted(set(model_of) - latest_ids))
        for chunk in _chunks(still_open):
            rows = self.connection.execute(
                select(_versions.c.id, _versions.c.version).where(_versions.c.id.in_(_CHUNK_IDS)),
                chunk,
            )
            touched.superseded.extend((r.id, model_of[r.id], r.version) for r in rows)
        return touched

    def _open_among(self, ids: Sequence[int]) -> list[int]:
        """Those of the card versions ``ids`` still open to sign-off, in id order."""
        found: list[int] = []
        for chunk in _chunks(ids):
            found.extend(
                self.connection.execute(
                    select(_versions.c.id).where(
                        _versions.c.status.in_(OPEN_STATUSES), _versions.c.id.in_(_CHUNK_IDS)
                    ),
                    chunk,
                ).scalars()
            )
        return sorted(found)

    def _supersede_open_reviews(self, touched: _Touched) -> None:
        """Close the open review rounds of superseded card versions as superseded too."""
        versions = {cv_id: (model_id, version) for cv_id, model_id, version in touched.superseded}
        open_reviews: list[tuple[int, int]] = []
        for chunk in _chunks(list(versions)):
            open_reviews.extend(
                (row.id, row.card_version_id)
                for row in self.connection.execute(
                    select(_reviews.c.id, _reviews.c.card_version_id).where(
                        _reviews.c.card_version_id.in_(_CHUNK_IDS),
                        _reviews.c.status == CardStatus.IN_REVIEW,
                    ),
                    chunk,
                )
            )
        for chunk in _chunks([review_id for review_id, _ in open_reviews]):
            self.connection.execute(
                update(_reviews)
                .where(_reviews.c.id.in_(_CHUNK_IDS))
                .values(status=CardStatus.SUPERSEDED, closed_at=self.now),
                chunk,
            )
        names = touched.names
        for review_id, cv_id in open_reviews:
            model_id, version = versions[cv_id]
            self.events.append(
                EventDraft(
                    AuditAction.REVIEW_SUPERSEDED,
                    AuditObject.REVIEW,
                    str(review_id),
                    self.actor,
                    {"version": version, "by_version": touched.latest[model_id][1].version},
                    model_name=names[model_id],
                )
            )

    def _refresh_models(self, touched: _Touched) -> None:
        """Each touched model's newest version, count, risk tier, team and activity.

        The risk tier is the one the newest version is reviewed at: the
        officer's classification (made on an earlier version, it stays in
        force), else the new card's own rating, else the one stored.
        """
        refresh = []
        for model_id in sorted(touched.latest.keys() - self.created):
            card = touched.latest[model_id][1]
            risk, team = touched.current[model_id]
            refresh.append(
                (
                    card.version,
                    CardStatus.SUBMITTED.value,
                    touched.counts.get(model_id, 0),
                    touched.classified.get(model_id) or _stated_risk(card) or risk,
                    self.plan.team or team,
                    self.now,
                    model_id,
                )
            )
        dialect.update_many(
            self.connection,
            _models.name,
            ("latest_version", "status", "version_count", "risk_tier", "team", "last_activity"),
            refresh,
        )


@dataclass
class _NewModel:
    """A model the registry lacks: its first and newest card in the plan, and how many."""

    first: PlannedCard
    latest: PlannedCard
    count: int = 1


def _models_to_create(new: list[PlannedCard], ids: dict[str, int]) -> list[_NewModel]:
    """The models of ``new`` not in ``ids``, in the order their first cards come."""
    created: dict[str, _NewModel] = {}
    for card in new:
        if card.model in ids:
            continue
        model = created.get(card.model)
        if model is None:
            created[card.model] = _NewModel(card, card)
        else:
            model.latest = card
            model.count += 1
    return list(created.values())


def _stated_risk(card: PlannedCard) -> str:
    """The risk rating ``card`` states ("" when none)."""
    return card.read.stated_risk if card.read else ""


def _chunks(items: Sequence[Any]) -> Iterator[dict[str, list[Any]]]:
    """``items`` in lists of :data:`_CHUNK`, each as the parameters of :data:`_CHUNK_IDS`."""
    for start in range(0, len(items), _CHUNK):
        yield {"chunk": list(items[start : start + _CHUNK])}


def _bundle_event(plan: ImportPlan, bundle: OpenedBundle, actor: str) -> EventDraft:
    details: dict[str, Any] = {
        "file": bundle.file_name,
        "team": bundle.manifest.team,
        "signature": bundle.signature_status,
        "signer": bundle.signer_subject or "",
        "cards": [
            {"model": c.model, "version": c.version, "outcome": c.outcome} for c in plan.cards
        ],
    }
    if plan.signed_model_files:  # what each verified model signature vouched for
        details["model_signatures"] = plan.signed_model_files
    return EventDraft(
        AuditAction.BUNDLE_IMPORTED, AuditObject.BUNDLE, bundle.sha256, actor, details
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


@dataclass(frozen=True)
class _Rows:
    """New rows of one table: each its values in ``columns``' order, and its unique key."""

    table: Table
    columns: tuple[str, ...]
    values: list[tuple[Any, ...]]
    key: tuple[str, ...]


_MODEL_COLUMNS = (
    "name",
    "team",
    "risk_tier",
    "created_at",
    "last_activity",
    "latest_version",
    "status",
    "version_count",
)

_VERSION_COLUMNS = (
    "model_id",
    "version",
    "seq",
    "canonical_json",
    "sha256",
    "original",
    "original_name",
    "source_format",
    "warnings_json",
    "status",
    "artifacts_json",
    "bundle_id",
    "imported_at",
    "imported_by",
)


def _insert_rows(connection: Connection, rows: _Rows) -> list[int]:
    """Insert ``rows`` in one ``executemany``; their new ids, in the order of ``rows``.

    ``INSERT … RETURNING`` in parameter order makes SQLAlchemy send SQLite one
    statement per row; a plain ``executemany`` and one query for the ids of the
    rows past the old highest id (matched on their unique ``key``) is a
    fraction of that.  Writers take turns (SQLite's write lock, PostgreSQL's
    advisory lock), and the keys are unique, so the ids are exactly these rows'.
    """
    table = rows.table
    before = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    dialect.insert_many(connection, table.name, rows.columns, rows.values)
    key_columns = [table.c[name] for name in rows.key]
    found = {
        tuple(row[1:]): row[0]
        for row in connection.execute(select(table.c.id, *key_columns).where(table.c.id > before))
    }
    at = [rows.columns.index(name) for name in rows.key]
    return [found[tuple(values[i] for i in at)] for values in rows.values]


def _warnings_json(card: PlannedCard) -> str:
    if not card.warnings:
        return "[]"
    return json.dumps(
        [{"field": w.field, "message": w.message, "where": w.place} for w in card.warnings],
        ensure_ascii=False,
    )


def _next_seqs(connection: Connection, model_ids: set[int]) -> dict[int, int]:
    seqs: dict[int, int] = {}
    for chunk in _chunks(sorted(model_ids)):
        rows = connection.execute(
            select(_versions.c.model_id, func.max(_versions.c.seq))
            .where(_versions.c.model_id.in_(_CHUNK_IDS))
            .group_by(_versions.c.model_id),
            chunk,
        )
        seqs.update({row[0]: row[1] for row in rows})
    return seqs


def _insert_attachments(connection: Connection, new: list[PlannedCard], ids: Sequence[int]) -> None:
    rows = [
        (
            cv_id,
            attachment.path,
            attachment.media_type,
            hashlib.sha256(attachment.content).hexdigest(),
            len(attachment.content),
            attachment.content,
        )
        for cv_id, card in zip(ids, new, strict=True)
        for attachment in card.attachments
    ]
    dialect.insert_many(
        connection,
        cast(Table, Attachment.__table__).name,
        ("card_version_id", "path", "media_type", "sha256", "size", "content"),
        rows,
    )
