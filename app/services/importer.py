"""Importing bundles and loose card files into the registry, all or nothing.

An import is two steps so that the window can show a preview first:
:meth:`Importer.plan` reads and checks the file and says what would happen to
each card, writing nothing; :meth:`Importer.apply` lands the plan in one
transaction (checking it again inside that transaction) or, if anything is
refused, lands nothing and records the refusal in the audit trail.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from app.formats.base import FormatWarning, InputRefused, ReadCard
from app.formats.bundle import OpenedBundle, open_bundle
from app.formats.cards import read_card
from app.formats.limits import MAX_CARD_BYTES
from app.models.tables import OPEN_STATUSES, Attachment, Bundle, CardVersion, Model
from app.services import dialect
from app.services.audit import EventDraft, append_events
from app.services.database import Database, os_user, utc_now
from app.services.errors import ImportCancelled

Outcome = Literal["new model", "new version", "unchanged", "refused"]

Progress = Callable[[int, int, str], None]
"""Called as ``progress(done, total, what)`` while an import works."""

Cancelled = Callable[[], bool]
"""Returns True once the officer has asked to stop."""

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_BUNDLE_SUFFIXES = (".cardbundle", ".zip")


@dataclass
class PlannedAttachment:
    """A file that will be stored with a card version."""

    path: str
    media_type: str
    content: bytes


@dataclass
class PlannedCard:
    """One card of an import and what will happen to it."""

    file: str
    model: str
    version: str
    outcome: Outcome
    reason: str = ""
    read: ReadCard | None = None
    original: bytes = b""
    sha256: str = ""
    warnings: list[FormatWarning] = field(default_factory=list)
    attachments: list[PlannedAttachment] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What importing one file would do, computed without writing anything."""

    source: Path
    kind: Literal["bundle", "card"]
    team: str
    cards: list[PlannedCard] = field(default_factory=list)
    refusal: str = ""
    bundle: OpenedBundle | None = None
    file_sha256: str = ""

    @property
    def refused(self) -> bool:
        """Whether nothing of this file may land."""
        return bool(self.refusal) or any(card.outcome == "refused" for card in self.cards)

    @property
    def changes_anything(self) -> bool:
        """Whether landing the plan would add anything to the registry."""
        return not self.refused and any(card.outcome != "unchanged" for card in self.cards)

    @property
    def signature_status(self) -> str:
        """The bundle's team signature: valid, absent, or n/a for a loose card."""
        return self.bundle.signature_status if self.bundle else "n/a"

    def reason(self) -> str:
        """Why the file is refused, in one line (empty when it is not)."""
        if self.refusal:
            return self.refusal
        refused = [card for card in self.cards if card.outcome == "refused"]
        if refused:
            first = refused[0]
            more = f" (and {len(refused) - 1} more cards)" if len(refused) > 1 else ""
            return (
                f"{first.file}: {first.reason}{more}; nothing from {self.source.name} was imported"
            )
        return ""


@dataclass
class ImportReport:
    """The outcome of :meth:`Importer.apply`."""

    plan: ImportPlan
    landed: bool

    @property
    def ok(self) -> bool:
        """True when nothing was refused (an import that changed nothing is fine)."""
        return not self.plan.refused


class Importer:
    """Plans and applies imports into one registry."""

    def __init__(self, database: Database, actor: str | None = None) -> None:
        self.database = database
        self.actor = actor or os_user()

    def import_file(
        self,
        path: Path,
        *,
        model: str | None = None,
        version: str | None = None,
        team: str | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ImportReport:
        """Plan and apply in one go (the command line's import)."""
        plan = self.plan(
            path, model=model, version=version, team=team, progress=progress, cancelled=cancelled
        )
        return self.apply(plan, cancelled=cancelled)

    # -- planning -------------------------------------------------------------

    def plan(
        self,
        path: Path,
        *,
        model: str | None = None,
        version: str | None = None,
        team: str | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ImportPlan:
        """Read and check ``path`` and say what importing it would do.  Writes nothing."""
        report = progress or _no_progress
        is_bundle = _looks_like_bundle(path)
        plan = ImportPlan(source=path, kind="bundle" if is_bundle else "card", team=team or "")
        try:
            if is_bundle:
                report(0, 1, f"Checking bundle {path.name}")
                bundle = open_bundle(path)
                plan.bundle = bundle
                plan.file_sha256 = bundle.sha256
                plan.team = bundle.manifest.team
                self._plan_bundle_cards(plan, bundle, report, cancelled)
            else:
                self._plan_loose_card(plan, path, model, version)
        except InputRefused as refusal:
            plan.refusal = str(refusal)
            plan.cards.clear()
            if not plan.file_sha256:
                plan.file_sha256 = _file_sha256(path)
            return plan
        report(len(plan.cards), len(plan.cards) + 1, "Comparing with the registry")
        with self.database.read() as session:
            _classify(session, plan)
        return plan

    def _plan_bundle_cards(
        self, plan: ImportPlan, bundle: OpenedBundle, report: Progress, cancelled: Cancelled | None
    ) -> None:
        attachments: dict[str, list[PlannedAttachment]] = {}
        for attachment in bundle.attachments:
            attachments.setdefault(attachment.entry.card, []).append(
                PlannedAttachment(
                    attachment.entry.path, attachment.entry.media_type, attachment.content
                )
            )
        total = len(bundle.cards) + 1
        for index, item in enumerate(bundle.cards):
            if cancelled is not None and cancelled():
                raise ImportCancelled("import cancelled; nothing was written")
            report(index, total, f"Reading {item.entry.path}")
            read = read_card(item.content, item.entry.path)
            warnings = list(read.warnings)
            stated = read.card.model_details.version
            if stated and stated != item.entry.version:
                warnings.append(
                    FormatWarning(
                        "model_details.version",
                        f"the card says version {stated!r}, the manifest {item.entry.version!r}; "
                        "the manifest's is used",
                    )
                )
            if item.entry.format and item.entry.format != read.source_format:
                warnings.append(
                    FormatWarning(
                        "manifest format",
                        f"the manifest says {item.entry.format!r} but the file reads as "
                        f"{read.source_format!r}",
                    )
                )
            plan.cards.append(
                _planned(
                    item.entry.path,
                    item.entry.model,
                    item.entry.version,
                    read,
                    item.content,
                    warnings,
                    attachments.get(item.entry.path, []),
                )
            )

    def _plan_loose_card(
        self, plan: ImportPlan, path: Path, model: str | None, version: str | None
    ) -> None:
        data = _read_loose_file(path)
        plan.file_sha256 = hashlib.sha256(data).hexdigest()
        read = read_card(data, path.name)
        name = model or read.card.model_details.name.strip()
        if not name:
            raise InputRefused(
                path.name, "model_details.name", "the card does not name its model; pass --model"
            )
        label = version or read.card.model_details.version.strip()
        if not label:
            raise InputRefused(
                path.name,
                "model_details.version",
                "the card does not state its version; pass --version",
            )
        plan.cards.append(_planned(path.name, name, label, read, data, list(read.warnings), []))

    # -- applying -------------------------------------------------------------

    def apply(self, plan: ImportPlan, cancelled: Cancelled | None = None) -> ImportReport:
        """Land ``plan`` whole in one transaction, or record its refusal and land nothing."""
        if not plan.refused:
            if cancelled is not None and cancelled():
                raise ImportCancelled("import cancelled; nothing was written")
            if not plan.changes_anything:
                return ImportReport(plan, landed=False)
            with self.database.write() as session:
                _classify(session, plan)
                if not plan.refused:
                    self._land(session, plan)
                    return ImportReport(plan, landed=True)
        self._record_refusal(plan)
        return ImportReport(plan, landed=False)

    def _record_refusal(self, plan: ImportPlan) -> None:
        details: dict[str, Any] = {
            "file": plan.source.name,
            "sha256": plan.file_sha256,
            "reason": plan.reason(),
        }
        with self.database.write() as session:
            append_events(
                session,
                [EventDraft("import.refused", "file", plan.source.name, self.actor, details)],
            )

    def _land(self, session: Session, plan: ImportPlan) -> None:
        now = utc_now()
        events: list[EventDraft] = []
        bundle_id: int | None = None
        if plan.bundle is not None:
            bundle_id = _insert_bundle(session, plan.bundle, now, self.actor)
            events.append(
                EventDraft(
                    "bundle.imported",
                    "bundle",
                    plan.bundle.sha256,
                    self.actor,
                    {
                        "file": plan.bundle.file_name,
                        "team": plan.bundle.manifest.team,
                        "signature": plan.bundle.signature_status,
                        "signer": plan.bundle.signer_subject or "",
                        "cards": [
                            {"model": c.model, "version": c.version, "outcome": c.outcome}
                            for c in plan.cards
                        ],
                    },
                )
            )
        new = [card for card in plan.cards if card.outcome in ("new model", "new version")]
        model_ids = _ensure_models(session, plan, new, now, events, self.actor)
        next_seq = _next_seqs(session, set(model_ids.values()))
        rows: list[dict[str, Any]] = []
        for card in new:
            model_id = model_ids[card.model]
            next_seq[model_id] = next_seq.get(model_id, 0) + 1
            assert card.read is not None
            rows.append(
                {
                    "model_id": model_id,
                    "version": card.version,
                    "seq": next_seq[model_id],
                    "canonical_json": card.read.card.canonical_json(),
                    "sha256": card.sha256,
                    "original": card.original,
                    "original_name": card.file,
                    "source_format": card.read.source_format,
                    "warnings_json": json.dumps(
                        [{"field": w.field, "message": w.message} for w in card.warnings],
                        ensure_ascii=False,
                    ),
                    "status": "submitted",
                    "bundle_id": bundle_id,
                    "imported_at": now,
                    "imported_by": self.actor,
                }
            )
        ids = session.scalars(
            insert(CardVersion).returning(CardVersion.id, sort_by_parameter_order=True), rows
        ).all()
        _insert_attachments(session, new, ids)
        dialect.index_card_versions(
            session.connection(),
            (
                dialect.SearchRow(cv_id, card.model, card.version, plan.team, _search_text(card))
                for cv_id, card in zip(ids, new, strict=True)
            ),
        )
        for cv_id, card in zip(ids, new, strict=True):
            events.append(
                EventDraft(
                    "card_version.imported",
                    "card_version",
                    str(cv_id),
                    self.actor,
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
            )
        _supersede_and_refresh(session, plan, new, model_ids, now, events, self.actor)
        append_events(session, events)


def _no_progress(_done: int, _total: int, _what: str) -> None:
    return None


def _looks_like_bundle(path: Path) -> bool:
    if path.suffix.lower() in _BUNDLE_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) in _ZIP_MAGIC
    except OSError:
        return False


def _read_loose_file(path: Path) -> bytes:
    try:
        if not path.is_file():
            raise InputRefused(path.name, "", "no such file (or it is a folder)")
        if path.stat().st_size > MAX_CARD_BYTES:
            raise InputRefused(
                path.name, "", f"the file is larger than {MAX_CARD_BYTES // 1024 // 1024} MiB"
            )
        return path.read_bytes()
    except OSError as error:
        raise InputRefused(path.name, "", f"cannot be read: {error.strerror}") from None


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for _ in range(1024):  # at most 1 GiB: the hash only labels the refusal
                chunk = handle.read(1024 * 1024)
                if not chunk:
                    break
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def _planned(
    file: str,
    model: str,
    version: str,
    read: ReadCard,
    original: bytes,
    warnings: list[FormatWarning],
    attachments: list[PlannedAttachment],
) -> PlannedCard:
    embedded = [
        PlannedAttachment(f"embedded/{a.name}", a.media_type, a.content) for a in read.attachments
    ]
    return PlannedCard(
        file=file,
        model=model,
        version=version,
        outcome="new version",
        read=read,
        original=original,
        sha256=read.card.sha256(),
        warnings=warnings,
        attachments=attachments + embedded,
    )


def _classify(session: Session, plan: ImportPlan) -> None:
    """Decide each card's outcome against the registry as it is in ``session``."""
    names = {card.model for card in plan.cards}
    existing = {
        row.name: row.id
        for row in session.execute(select(Model.name, Model.id).where(Model.name.in_(names)))
    }
    versions: dict[tuple[str, str], str] = {}
    if existing:
        query = (
            select(Model.name, CardVersion.version, CardVersion.sha256)
            .join(CardVersion, CardVersion.model_id == Model.id)
            .where(Model.name.in_(list(existing)))
        )
        versions = {(row[0], row[1]): row[2] for row in session.execute(query)}
    seen_models: set[str] = set(existing)
    for card in plan.cards:
        if card.read is None:
            continue
        stored = versions.get((card.model, card.version))
        if stored == card.sha256:
            card.outcome, card.reason = "unchanged", "already in the registry with the same content"
        elif stored is not None:
            card.outcome = "refused"
            card.reason = (
                f"version {card.version} of {card.model} is already in the registry with "
                "different content; a card version never changes, so send it as a new version"
            )
        elif card.model in seen_models:
            card.outcome, card.reason = "new version", ""
        else:
            card.outcome, card.reason = "new model", ""
            seen_models.add(card.model)


def _insert_bundle(session: Session, bundle: OpenedBundle, now: str, actor: str) -> int:
    row = Bundle(
        file_name=bundle.file_name,
        sha256=bundle.sha256,
        size=bundle.size,
        team=bundle.manifest.team,
        producer=bundle.manifest.producer,
        created=bundle.manifest.created,
        manifest_json=bundle.manifest_bytes.decode("utf-8"),
        signature_status=bundle.signature_status,
        signer_certificate_pem=(
            bundle.signer_certificate_pem.decode("ascii") if bundle.signer_certificate_pem else None
        ),
        signer_subject=bundle.signer_subject,
        signer_fingerprint=bundle.signer_fingerprint,
        imported_at=now,
        imported_by=actor,
    )
    session.add(row)
    session.flush()
    return row.id


def _ensure_models(
    session: Session,
    plan: ImportPlan,
    new: list[PlannedCard],
    now: str,
    events: list[EventDraft],
    actor: str,
) -> dict[str, int]:
    names = {card.model for card in new}
    ids = {
        row.name: row.id
        for row in session.execute(select(Model.name, Model.id).where(Model.name.in_(names)))
    }
    created: list[dict[str, Any]] = []
    for card in new:
        if card.model in ids or any(row["name"] == card.model for row in created):
            continue
        risk = card.read.card.risk_rating if card.read else ""
        created.append(
            {
                "name": card.model,
                "team": plan.team,
                "risk_tier": risk,
                "created_at": now,
                "last_activity": now,
                "latest_version": "",
                "status": "submitted",
                "version_count": 0,
            }
        )
    if created:
        new_ids = session.scalars(
            insert(Model).returning(Model.id, sort_by_parameter_order=True), created
        ).all()
        for row, model_id in zip(created, new_ids, strict=True):
            ids[row["name"]] = model_id
            events.append(
                EventDraft(
                    "model.created",
                    "model",
                    str(model_id),
                    actor,
                    {"team": row["team"], "risk_tier": row["risk_tier"]},
                    model_name=row["name"],
                )
            )
    return ids


def _next_seqs(session: Session, model_ids: set[int]) -> dict[int, int]:
    if not model_ids:
        return {}
    rows = session.execute(
        select(CardVersion.model_id, func.max(CardVersion.seq))
        .where(CardVersion.model_id.in_(model_ids))
        .group_by(CardVersion.model_id)
    )
    return {row[0]: row[1] for row in rows}


def _insert_attachments(session: Session, new: list[PlannedCard], ids: Sequence[int]) -> None:
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
        session.execute(insert(Attachment), rows)


def _search_text(card: PlannedCard) -> str:
    return card.read.card.plain_text() if card.read else ""


def _supersede_and_refresh(
    session: Session,
    plan: ImportPlan,
    new: list[PlannedCard],
    model_ids: dict[str, int],
    now: str,
    events: list[EventDraft],
    actor: str,
) -> None:
    """Supersede open older versions and refresh each touched model's browse columns."""
    touched = {model_ids[card.model] for card in new}
    for model_id in touched:
        latest = session.execute(
            select(
                CardVersion.id, CardVersion.version, CardVersion.status, CardVersion.canonical_json
            )
            .where(CardVersion.model_id == model_id)
            .order_by(CardVersion.seq.desc())
            .limit(1)
        ).one()
        older_open = session.execute(
            select(CardVersion.id, CardVersion.version).where(
                CardVersion.model_id == model_id,
                CardVersion.id != latest.id,
                CardVersion.status.in_(OPEN_STATUSES),
            )
        ).all()
        model_name = next(name for name, mid in model_ids.items() if mid == model_id)
        if older_open:
            session.execute(
                update(CardVersion)
                .where(CardVersion.id.in_([row.id for row in older_open]))
                .values(status="superseded")
            )
            events.extend(
                EventDraft(
                    "card_version.superseded",
                    "card_version",
                    str(row.id),
                    actor,
                    {"version": row.version, "by_version": latest.version},
                    model_name=model_name,
                )
                for row in older_open
            )
        count = session.scalar(
            select(func.count()).select_from(CardVersion).where(CardVersion.model_id == model_id)
        )
        values: dict[str, Any] = {
            "latest_version": latest.version,
            "status": latest.status,
            "version_count": count or 0,
            "last_activity": now,
        }
        risk = json.loads(latest.canonical_json).get("risk_rating", "")
        if risk:
            values["risk_tier"] = risk
        if plan.team:
            values["team"] = plan.team
        session.execute(update(Model).where(Model.id == model_id).values(**values))
