"""Everything a review report shows, read from the registry in one go as plain data.

The report is drawn from this record alone, so the drawing code never holds
a session: the card version and its card, the changes since the last
approved version, each review round with its checklist, every sign-off with
its signed payload rebuilt from the rows and checked against the signer's
certificate, and the audit events about this card version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.formats.placeholders import count_placeholders
from countersign.models.card import ModelCard
from countersign.models.checklist import ChecklistTemplate
from countersign.models.tables import (
    AuditEvent,
    CardVersion,
    ChecklistTemplateRecord,
    Identity,
    MergedEvent,
    Model,
)
from countersign.models.vocabulary import AuditObject, CardStatus, Decision, StageStatus
from countersign.services.audit.records import parse_details, records_of
from countersign.services.audit.trail import trail_key
from countersign.services.audit.wording import action_label, describe_in_trail
from countersign.services.counting import counted
from countersign.services.diff.card_diff import CardDiff, diff_cards
from countersign.services.diff.metric_trends import ModelTrends, model_trends
from countersign.services.identities.certificates import certificate_fingerprint, load_certificate
from countersign.services.policy.policies import judge_in_force
from countersign.services.registry import CardVersionDetail, Registry, VersionSummary
from countersign.services.reviews.checklists import (
    TemplateInfo,
    all_templates,
    default_template_ids,
)
from countersign.services.reviews.checks import CheckResult, run_check
from countersign.services.reviews.records import (
    ReviewInfo,
    SignatureInfo,
    load_reviews,
)
from countersign.services.reviews.signoff_payload import (
    SignedResponse,
    SignoffContent,
    payload_bytes,
    signature_matches,
    signoff_payload,
)
from countersign.services.reviews.stages import (
    ClassificationInfo,
    StageState,
    card_rating,
    classification_for,
    effective_tier,
    stage_states,
)
from countersign.services.storage.database import Database

AUDIT_LINES = 400
"""Audit events shown in a report; older ones past this are counted, not listed."""

_AUDIT_SCAN = 50_000
"""Events of one model read to find those about one card version (newest kept)."""


@dataclass(frozen=True)
class Exporter:
    """Who exports and signs the report: the identity whose key signs the PDF."""

    name: str
    email: str
    role: str
    fingerprint: str


@dataclass(frozen=True)
class SignOffRecord:
    """One stored sign-off with the exact bytes it signed and whether they still verify."""

    review_id: int
    signature: SignatureInfo
    certificate_pem: str
    payload: bytes
    problem: str
    """Empty when the signature verifies against the rows and the signer's certificate."""

    @property
    def verified(self) -> bool:
        """Whether the sign-off's signature verifies over the payload rebuilt from the rows."""
        return not self.problem


@dataclass(frozen=True)
class ChecklistRound:
    """A review round with its checklist template and its sign-offs, oldest first."""

    review: ReviewInfo
    template: ChecklistTemplate | None
    signoffs: tuple[SignOffRecord, ...]


@dataclass(frozen=True)
class PendingCheck:
    """A checklist item and its automatic result, for a card version no one has signed yet."""

    item_id: str
    text: str
    required: bool
    automatic: CheckResult | None


@dataclass(frozen=True)
class AuditLine:
    """One audit event about the card version, as the report lists it: in words."""

    id: int
    at: str
    actor: str
    action: str
    """The kind of event, labelled (see :func:`~countersign.services.audit.wording.action_label`)."""
    text: str
    """What happened, in one sentence (see :func:`~countersign.services.audit.wording.describe`)."""


@dataclass(frozen=True)
class Baseline:
    """The last approved version before this one, and what changed since."""

    version: str
    sha256: str
    diff: CardDiff


@dataclass(frozen=True)
class ReportData:
    """What one review report says, gathered from the registry."""

    summary: VersionSummary
    team: str
    risk_tier: str
    card: ModelCard
    canonical_json: str
    warnings: list[dict[str, str]]
    rounds: tuple[ChecklistRound, ...]
    pending_template: str
    pending_checks: tuple[PendingCheck, ...]
    baseline: Baseline | None
    newest_version: str
    audit: tuple[AuditLine, ...]
    audit_left_out: int
    exported_at: str
    exporter: Exporter | None
    trends: ModelTrends | None = None
    """Each metric across the versions up to this one (None: not gathered)."""
    stages: tuple[StageState, ...] = ()
    """The card version's status for each stage of the registry, in order."""
    classification: ClassificationInfo | None = None
    """The officer's risk classification in force, if any."""
    card_rating: str = ""
    """The risk rating the card states about itself."""
    artifacts: tuple[dict[str, Any], ...] = ()
    """The model files the card version names (name, sha256, size)."""

    def stage_quorum(self, stage: str) -> int:
        """The quorum of the round that decides ``stage`` (0 when there is none)."""
        state = next((s for s in self.stages if s.stage == stage), None)
        if state is None or state.review_id is None:
            return 0
        found = next((r for r in self.rounds if r.review.id == state.review_id), None)
        return found.review.quorum if found else 0

    def stage_escalations(self, stage: str) -> dict[str, dict[str, Any]]:
        """What the escalations the round deciding ``stage`` needed ask, by id (for the gate)."""
        state = next((s for s in self.stages if s.stage == stage), None)
        found = next(
            (r for r in self.rounds if state is not None and r.review.id == state.review_id), None
        )
        if found is None or found.template is None:
            return {}
        known = found.template.escalations
        needed = {key for s in found.review.signatures for key in s.escalations.needed}
        return {
            key: {"role": known[key].role, "approvals": known[key].approvals}
            for key in sorted(needed)
            if key in known
        }

    def stage_approvers(self, stage: str) -> list[str]:
        """Names of those who approved the round that decides ``stage``."""
        state = next((s for s in self.stages if s.stage == stage), None)
        found = next(
            (r for r in self.rounds if state is not None and r.review.id == state.review_id), None
        )
        if found is None:
            return []
        return [
            s.signature.signer_name
            for s in found.signoffs
            if s.signature.decision == Decision.APPROVE
        ]

    @property
    def placeholder_sections(self) -> int:
        """How many sections the card left as its template's placeholder (read as empty)."""
        return count_placeholders(self.warnings)

    @property
    def model(self) -> str:
        """The model's name."""
        return self.summary.model

    @property
    def version(self) -> str:
        """The card version."""
        return self.summary.version

    @property
    def status(self) -> str:
        """The card version's status in the registry when the report was made."""
        return self.summary.status

    @property
    def sha256(self) -> str:
        """The SHA-256 of the card version's canonical JSON."""
        return self.summary.sha256

    @property
    def signoffs(self) -> list[SignOffRecord]:
        """Every sign-off of every round, in signing order."""
        return [record for r in self.rounds for record in r.signoffs]


def gather_report(
    database: Database,
    model: str,
    version: str | None,
    *,
    exported_at: str,
    exporter: Exporter | None = None,
) -> ReportData:
    """Read everything the report of ``model`` at ``version`` (newest when None) shows.

    Raises :class:`~countersign.services.registry.NotFound` for an unknown model or version.
    """
    detail = Registry(database).card_version(model, version)
    summary = detail.summary
    trends = model_trends(Registry(database), summary.model, up_to=summary.version)
    with database.read() as session:
        cv = session.get(CardVersion, summary.id)
        model_row = session.scalar(select(Model).where(Model.name == summary.model))
        assert cv is not None and model_row is not None, "read a moment ago"
        tier = effective_tier(session, cv, model_row.risk_tier)
        stages = tuple(stage_states(session, cv))
        classification = classification_for(session, cv)
        rounds = _rounds(session, cv)
        pending_template, pending = ("", ()) if rounds else _pending(session, detail, tier)
        baseline = _baseline(session, cv, detail.card)
        newest = session.scalar(
            select(CardVersion.version)
            .where(CardVersion.model_id == cv.model_id)
            .order_by(CardVersion.seq.desc())
            .limit(1)
        )
        audit, left_out = _audit(session, cv, summary.model)
        return ReportData(
            summary=summary,
            team=(summary.bundle.team if summary.bundle else "") or model_row.team,
            risk_tier=tier,
            card=detail.card,
            canonical_json=cv.canonical_json,
            warnings=detail.warnings,
            rounds=rounds,
            pending_template=pending_template,
            pending_checks=pending,
            baseline=baseline,
            newest_version=newest or summary.version,
            audit=audit,
            audit_left_out=left_out,
            exported_at=exported_at,
            exporter=exporter,
            trends=trends,
            stages=stages,
            classification=classification,
            card_rating=card_rating(cv),
            artifacts=tuple(json.loads(cv.artifacts_json)),
        )


def _rounds(session: Session, cv: CardVersion) -> tuple[ChecklistRound, ...]:
    out = []
    for review in load_reviews(session, [cv.id]).get(cv.id, []):
        record = session.scalar(
            select(ChecklistTemplateRecord).where(
                ChecklistTemplateRecord.template_id == review.template_id,
                ChecklistTemplateRecord.version == review.template_version,
            )
        )
        template = ChecklistTemplate.model_validate_json(record.content_json) if record else None
        signoffs = tuple(_signoff(session, cv, review, s) for s in review.signatures)
        out.append(ChecklistRound(review, template, signoffs))
    return tuple(out)


def _signoff(
    session: Session, cv: CardVersion, review: ReviewInfo, signature: SignatureInfo
) -> SignOffRecord:
    """Rebuild the payload the signer signed from the rows, and check it still verifies."""
    payload = signoff_payload(
        SignoffContent(
            card_version_sha256=cv.sha256,
            model=review.model,
            version=review.version,
            template_id=review.template_id,
            template_version=review.template_version,
            responses=[
                SignedResponse(r.item, r.answer, r.note, r.automatic, r.evidence)
                for r in signature.responses
            ],
            decision=signature.decision,
            comment=signature.comment,
            signed_at=signature.signed_at,
            signer_fingerprint=signature.fingerprint,
            chain=signature.chain,
            stage=review.stage,
            artifacts=json.loads(cv.artifacts_json),
            terms=signature.terms,
            escalations=signature.escalations.as_json(),
        )
    )
    pem = (
        session.scalar(
            select(Identity.certificate_pem).where(Identity.fingerprint == signature.fingerprint)
        )
        or ""
    )
    problem = ""
    if hashlib.sha256(cv.canonical_json.encode("utf-8")).hexdigest() != cv.sha256:
        problem = "the card no longer matches its SHA-256 (it was changed in the registry)"
    elif not pem:
        problem = "the signer's certificate is not in the registry"
    elif _fingerprint(pem) != signature.fingerprint:
        problem = "the signer's stored certificate was replaced"
    elif not signature_matches(pem, payload, signature.signature):
        problem = "the signature does not verify (an answer, note, decision or time was changed)"
    return SignOffRecord(review.id, signature, pem, payload_bytes(payload), problem)


def _fingerprint(pem: str) -> str:
    try:
        return certificate_fingerprint(load_certificate(pem))
    except ValueError:
        return ""


def _pending(
    session: Session, detail: CardVersionDetail, tier: str
) -> tuple[str, tuple[PendingCheck, ...]]:
    """The automatic checks of the one template that applies, for a card nobody has signed."""
    infos = all_templates(session)
    unasked = default_template_ids(infos, tier)
    newest: dict[str, TemplateInfo] = {}
    for info in infos:
        if info.template.id in unasked:
            newest[info.template.id] = info
    if len(newest) != 1:
        return "", ()
    (info,) = newest.values()
    return info.reference, tuple(
        PendingCheck(
            item.id,
            item.text,
            item.required,
            run_check(item.check, detail.card, detail.warnings) if item.check else None,
        )
        for item in info.template.items
    )


def _baseline(session: Session, cv: CardVersion, card: ModelCard) -> Baseline | None:
    """The newest approved version before ``cv``, compared with it."""
    row = session.execute(
        select(CardVersion.version, CardVersion.sha256, CardVersion.canonical_json)
        .where(
            CardVersion.model_id == cv.model_id,
            CardVersion.seq < cv.seq,
            CardVersion.status == CardStatus.APPROVED,
        )
        .order_by(CardVersion.seq.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    old = ModelCard.model_validate_json(row[2])
    return Baseline(
        version=row[0], sha256=row[1], diff=diff_cards(old, card, judge=judge_in_force(session))
    )


def _audit(session: Session, cv: CardVersion, model: str) -> tuple[tuple[AuditLine, ...], int]:
    """The events about this card version (its import, reviews, sign-offs, status changes)."""
    events = list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.model_name == model)
            .order_by(AuditEvent.id.desc())
            .limit(_AUDIT_SCAN)
        )
    )
    if cv.bundle is not None:
        events += session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == AuditObject.BUNDLE,
                AuditEvent.object_id == cv.bundle.sha256,
            )
        )
    about: list[AuditEvent | MergedEvent] = [e for e in events if _about(e, cv)]
    about += _merged_about(session, cv, model)
    # In the trail's order: work merged from another registry just before its merge.
    about.sort(key=trail_key)
    kept = [
        AuditLine(
            record.position,
            record.at,
            record.actor,
            action_label(record.action),
            describe_in_trail(record),
        )
        for record in records_of(session, about)
    ]
    left_out = max(0, len(kept) - AUDIT_LINES)
    return tuple(kept[left_out:]), left_out


def _merged_about(session: Session, cv: CardVersion, model: str) -> list[AuditEvent | MergedEvent]:
    """Work merged from other registries about the card version, and the events that merged it."""
    merged = session.scalars(
        select(MergedEvent)
        .where(MergedEvent.model_name == model)
        .order_by(MergedEvent.segment.desc(), MergedEvent.id.desc())
        .limit(_AUDIT_SCAN)
    )
    # It names its rows by that registry's ids: only its version and hashes say what it is about.
    found: list[AuditEvent | MergedEvent] = [
        e for e in merged if _names_version(parse_details(e.details_json), cv)
    ]
    segments = sorted({e.segment for e in found if isinstance(e, MergedEvent)})
    if segments:
        found += session.scalars(select(AuditEvent).where(AuditEvent.id.in_(segments)))
    return found


def _about(event: AuditEvent, cv: CardVersion) -> bool:
    if event.object_type == AuditObject.BUNDLE:
        return True  # only the card version's own bundle is read
    if event.object_type == AuditObject.CARD_VERSION and event.object_id == str(cv.id):
        return True
    return _names_version(parse_details(event.details_json), cv)


def _names_version(details: Mapping[str, Any], cv: CardVersion) -> bool:
    if details.get("version") == cv.version:
        return True
    return cv.sha256 in (details.get("sha256"), details.get("card_sha256"))


def decision_sentence(data: ReportData) -> str:
    """The card version's status and decision in plain words, for the cover."""
    decided = next(
        (
            r
            for r in reversed(data.rounds)
            if r.review.status not in (CardStatus.IN_REVIEW, CardStatus.SUPERSEDED)
        ),
        None,
    )
    status = data.status
    if status == CardStatus.APPROVED and decided is not None:
        approvers = [
            s.signature.signer_name
            for s in decided.signoffs
            if s.signature.decision == Decision.APPROVE
        ]
        return (
            f"Approved on {_day(decided.review.closed_at)} by {', '.join(approvers)} "
            f"({decided.review.approvals} of "
            f"{counted(decided.review.quorum, 'required approval')}, "
            f"checklist {decided.review.template_id}@{decided.review.template_version})."
        )
    if status in (CardStatus.CHANGES_REQUESTED, CardStatus.REJECTED) and decided is not None:
        last = decided.signoffs[-1].signature if decided.signoffs else None
        who = f" by {last.signer_name}" if last else ""
        comment = f' — "{last.comment}"' if last and last.comment else ""
        verb = "Changes requested" if status == CardStatus.CHANGES_REQUESTED else "Rejected"
        # A quoted comment ends the sentence when it ends with its own full stop.
        end = "" if comment.rstrip('"').endswith((".", "!", "?")) else "."
        return f"{verb} on {_day(decided.review.closed_at)}{who}: NOT approved{comment}{end}"
    if status == CardStatus.APPROVED:
        return "Approved (the registry holds no review round that decided it)."
    if status == CardStatus.IN_REVIEW:
        open_round = next((r for r in data.rounds if r.review.open), None)
        if open_round is not None:
            return (
                f"Under review, NOT decided: {open_round.review.approvals} of "
                f"{counted(open_round.review.quorum, 'required approval')} so far."
            )
        return "Under review, NOT decided."
    if status == CardStatus.SUPERSEDED:
        return (
            f"Superseded by version {data.newest_version}: NOT approved; no decision was "
            "made on this version."
        )
    if status == CardStatus.SUBMITTED:
        return "Submitted, NOT reviewed yet: no decision has been made."
    return f"Status {CardStatus.word(status)}: NOT approved."


def stage_headline(data: ReportData) -> str:
    """``APPROVED for production on 2026-12-05 by Ana, Bea`` (or REVOKED, or NOT APPROVED)."""
    revoked = [s for s in data.stages if s.status == StageStatus.REVOKED]
    if revoked:
        first = revoked[0]
        return (
            f"REVOKED for {first.stage} on {_day(first.revoked_at)} by {first.revoked_by}: "
            f"{first.revoked_reason}"
        )
    expired = [s for s in data.stages if s.status == StageStatus.EXPIRED]
    if expired:
        first = expired[0]
        return (
            f"EXPIRED for {first.stage}: the approval of {_day(first.decided_at)} held until "
            f"{first.expires_on}; NOT approved now"
        )
    approved = [s for s in data.stages if s.status == StageStatus.APPROVED]
    if not approved:
        return f"NOT APPROVED — status: {data.status}"
    last = approved[-1]
    who = ", ".join(data.stage_approvers(last.stage))
    by = f" by {who}" if who else ""
    until = f", until {last.expires_on}" if last.expires_on else ""
    return f"APPROVED for {last.stage} on {_day(last.decided_at)}{by}{until}"


def classification_sentence(data: ReportData) -> str:
    """The risk tier with who set it and why, and the card's own rating beside it."""
    rating = data.card_rating or "none stated"
    c = data.classification
    if c is None:
        return f"{data.risk_tier} (not classified by an officer; the card's own rating: {rating})"
    differs = "" if data.card_rating in ("", c.tier) else " — DIFFERS from the card's own rating"
    return (
        f"{c.tier}, classified by {c.officer_name} <{c.officer}> on {_day(c.signed_at)} "
        f"(from version {c.version}): {c.reason}; the card's own rating: {rating}{differs}"
    )


def decision_words(decision: str) -> str:
    """A sign-off's decision as the officer reads it."""
    return Decision.word(decision)


def _day(moment: str | None) -> str:
    return (moment or "")[:10] or "an unknown date"
