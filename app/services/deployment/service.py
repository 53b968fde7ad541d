"""The deployment side of sign-off, as one service: stages, classification, revocation, status, gate.

* ``stages`` / ``set_stages``: the registry's ordered stages, changed only
  before the first review round (audited);
* ``classify``: an officer's signed risk classification of a model from one
  card version on (audited, carried over to later versions until changed);
* ``revoke``: an officer's signed withdrawal of a version's approval for a
  stage (audited; the gate then fails and ``publish`` refuses);
* ``status``: per stage, the approved version and what is in review;
* ``gate``: may this card version (these files) go to this stage, against
  the registry (:mod:`countersign.services.deployment.gate` for the checks).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.models.tables import (
    CardVersion,
    Classification,
    Identity,
    Model,
    Review,
    Revocation,
    Stage,
)
from countersign.models.vocabulary import AuditAction, AuditObject, Role, StageStatus
from countersign.services.audit.trail import EventDraft, append_events
from countersign.services.deployment.errors import DeploymentRefused, NotAnOfficer
from countersign.services.deployment.expiry import ExpiringApproval, approvals_expiring
from countersign.services.deployment.gate import registry_gate
from countersign.services.deployment.records import (
    ClassifyRequest,
    GateQuestion,
    GateResult,
    ModelStages,
    RevokeRequest,
    StageSummary,
    VersionStages,
)
from countersign.services.identities.identities import Identities, normalise_email
from countersign.services.registry import card_version_not_found, where_card_version
from countersign.services.reviews.stages import (
    TIERS,
    card_rating,
    classification_for,
    stage_names,
    stage_states,
)
from countersign.services.storage.database import Database, utc_now
from countersign.services.trust.acts import CLASSIFICATION, REVOCATION, SignedAct

_STAGE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
MAX_STAGES = 10
MAX_REASON_CHARS = 10_000
REVOCATIONS_FORMAT = "countersign-revocations"


class Deployment:
    """Stages, classification, revocation, status and the registry gate of one registry."""

    def __init__(
        self, database: Database, identities: Identities, actor: str | None = None
    ) -> None:
        self.database = database
        self.identities = identities
        self.actor = actor or identities.actor

    # -- stages -------------------------------------------------------------------

    def stages(self) -> list[str]:
        """The registry's stages, in order."""
        with self.database.read() as session:
            return stage_names(session)

    def set_stages(self, names: Sequence[str]) -> list[str]:
        """Replace the stages (only before the first review round); audited."""
        names = [n.strip() for n in names]
        if not names or len(names) > MAX_STAGES:
            raise DeploymentRefused(f"give between 1 and {MAX_STAGES} stages, in order")
        for name in names:
            if not _STAGE_NAME.match(name):
                raise DeploymentRefused(
                    f"{name!r} is not a stage name: lowercase letters, digits and hyphens, "
                    "starting with a letter, at most 40 characters"
                )
        if len(set(names)) != len(names):
            raise DeploymentRefused("a stage is named twice")
        with self.database.write() as session:
            if session.scalar(select(Review.id).limit(1)) is not None:
                raise DeploymentRefused(
                    "the stages can only be changed before the first review; this registry "
                    f"already has reviews for {', '.join(stage_names(session))}"
                )
            before = stage_names(session)
            for row in session.scalars(select(Stage)):
                session.delete(row)
            session.flush()
            session.add_all(Stage(position=i, name=n) for i, n in enumerate(names))
            append_events(
                session,
                [
                    EventDraft(
                        AuditAction.STAGES_SET,
                        AuditObject.REGISTRY,
                        "stages",
                        self.actor,
                        {"from": before, "to": names},
                    )
                ],
            )
        return names

    # -- classification -----------------------------------------------------------

    def check_classify(self, request: ClassifyRequest) -> str:
        """Check a classification before the passphrase is asked; returns the version it applies from."""
        with self.database.read() as session:
            cv, _ = _card_version(session, request.model, request.version)
            _officer(session, request.email, "classify risk")
            _check_tier(request.tier)
            _check_reason(request.reason)
            return cv.version

    def classify(self, request: ClassifyRequest, passphrase: str) -> SignedAct:
        """Sign and store an officer's risk classification, from its version (newest) on."""
        self.check_classify(request)
        signing = self.identities.unlock(request.email, passphrase)
        now = utc_now()
        tier, reason = request.tier, request.reason
        with self.database.write() as session:
            cv, model_row = _card_version(session, request.model, request.version)
            officer = _officer(session, request.email, "classify risk")
            before = classification_for(session, cv)
            subject = {
                "model": model_row.name,
                "version": cv.version,
                "card_version_sha256": cv.sha256,
                "tier": tier,
                "reason": reason.strip(),
                "card_rating": card_rating(cv),
            }
            act = signing.act_signer().sign(session, CLASSIFICATION, subject, now)
            row = Classification(
                model_id=model_row.id,
                card_version_id=cv.id,
                tier=tier,
                reason=reason.strip(),
                identity_id=officer.id,
                signed_at=now,
                act_json=json.dumps(act.payload, sort_keys=True),
                signature=act.signature,
            )
            session.add(row)
            session.flush()
            model_row.risk_tier = tier
            model_row.last_activity = now
            details: dict[str, Any] = {
                "version": cv.version,
                "tier": tier,
                "from": before.tier if before else None,
                "card_rating": card_rating(cv),
                "reason": reason.strip(),
                "signed": act.as_json(),
            }
            append_events(
                session,
                [
                    EventDraft(
                        AuditAction.MODEL_CLASSIFIED,
                        AuditObject.CLASSIFICATION,
                        str(row.id),
                        officer.email,
                        details,
                        model_name=model_row.name,
                    )
                ],
            )
        return act

    # -- revocation ---------------------------------------------------------------

    def check_revoke(self, request: RevokeRequest) -> str:
        """Check a revocation before the passphrase is asked; returns the version."""
        with self.database.read() as session:
            cv, _ = _card_version(session, request.model, request.version)
            _officer(session, request.email, "revoke an approval")
            _check_reason(request.reason)
            _check_revocable(session, cv, request.stage, request.model)
            return cv.version

    def revoke(self, request: RevokeRequest, passphrase: str) -> SignedAct:
        """Sign and store the revocation of a version's approval for its stage."""
        self.check_revoke(request)
        signing = self.identities.unlock(request.email, passphrase)
        now = utc_now()
        stage, reason = request.stage, request.reason
        with self.database.write() as session:
            cv, model_row = _card_version(session, request.model, request.version)
            officer = _officer(session, request.email, "revoke an approval")
            _check_revocable(session, cv, stage, request.model)
            subject = {
                "model": model_row.name,
                "version": cv.version,
                "card_version_sha256": cv.sha256,
                "stage": stage,
                "reason": reason.strip(),
            }
            act = signing.act_signer().sign(session, REVOCATION, subject, now)
            row = Revocation(
                card_version_id=cv.id,
                stage=stage,
                reason=reason.strip(),
                identity_id=officer.id,
                signed_at=now,
                act_json=json.dumps(act.payload, sort_keys=True),
                signature=act.signature,
            )
            session.add(row)
            session.flush()
            events = [
                EventDraft(
                    AuditAction.APPROVAL_REVOKED,
                    AuditObject.REVOCATION,
                    str(row.id),
                    officer.email,
                    {
                        "version": cv.version,
                        "stage": stage,
                        "reason": reason.strip(),
                        "signed": act.as_json(),
                    },
                    model_name=model_row.name,
                )
            ]
            append_events(session, events)
        return act

    def revocations(self) -> list[SignedAct]:
        """Every revocation of the registry as its signed act, oldest first."""
        with self.database.read() as session:
            rows = session.execute(
                select(Revocation, Identity.certificate_pem)
                .join(Identity, Identity.id == Revocation.identity_id)
                .order_by(Revocation.id)
            ).all()
            return [SignedAct(json.loads(r.act_json), r.signature, pem) for r, pem in rows]

    def export_revocations(self) -> dict[str, Any]:
        """The documented revocations file: every revocation as its signed act."""
        return {
            "format": REVOCATIONS_FORMAT,
            "format_version": 1,
            "exported_at": utc_now(),
            "revocations": [act.as_json() for act in self.revocations()],
        }

    # -- status and gate ----------------------------------------------------------

    def versions(self, model: str, as_of: datetime.date | None = None) -> list[VersionStages]:
        """Every card version of ``model``, oldest first, with its status for each stage.

        Expiry is judged on ``as_of`` (today by default).
        """
        with self.database.read() as session:
            return _versions(session, model, as_of)

    def status(self, model: str, as_of: datetime.date | None = None) -> ModelStages:
        """Per stage, the newest approved (or expired) version and the versions in review.

        Expiry is judged on ``as_of`` (today by default).
        """
        with self.database.read() as session:
            names = stage_names(session)
            versions = _versions(session, model, as_of)
        return ModelStages(
            model, tuple(_stage_summary(name, versions) for name in names), tuple(versions)
        )

    def summaries(self, models: Sequence[str]) -> dict[str, str]:
        """``production 3.1 · staging 3.2 in review`` for each of ``models`` (for the browser)."""
        return {name: self.status(name).summary for name in models}

    def approvals_expiring(self, before: datetime.date) -> list[ExpiringApproval]:
        """Approvals whose expiry is on or before ``before``, soonest first (expired ones too)."""
        with self.database.read() as session:
            return approvals_expiring(session, before)

    def gate(self, model: str, version: str | None, question: GateQuestion) -> GateResult:
        """May this card version (and the file with the question's SHA-256) go to its stage?"""
        with self.database.read() as session:
            cv, model_row = _card_version(session, model, version)
            return registry_gate(session, cv, model_row.name, question)


def _card_version(session: Session, model: str, version: str | None) -> tuple[CardVersion, Model]:
    query = select(CardVersion, Model).join(Model, Model.id == CardVersion.model_id)
    row = session.execute(where_card_version(query, model, version)).first()
    if row is None:
        raise card_version_not_found(session, model, version)
    return row[0], row[1]


def _stage_summary(name: str, versions: Sequence[VersionStages]) -> StageSummary:
    """One stage: the newest version approved for it (or whose approval expired), what is in review."""
    held = (StageStatus.APPROVED, StageStatus.EXPIRED)
    approved = [v for v in versions if v.status_for(name) in held]
    newest = approved[-1] if approved else None
    state = next(s for s in newest.stages if s.stage == name) if newest else None
    return StageSummary(
        name,
        newest.version if newest else None,
        state.decided_at if state else None,
        tuple(v.version for v in versions if v.status_for(name) == StageStatus.IN_REVIEW),
        expires_on=state.expires_on if state else None,
        expired=state is not None and state.status == StageStatus.EXPIRED,
    )


def _versions(
    session: Session, model: str, as_of: datetime.date | None = None
) -> list[VersionStages]:
    model_row = session.scalar(select(Model).where(Model.name == model))
    if model_row is None:
        raise card_version_not_found(session, model, None)
    out = []
    for cv in session.scalars(
        select(CardVersion).where(CardVersion.model_id == model_row.id).order_by(CardVersion.seq)
    ):
        out.append(
            VersionStages(
                cv.version,
                cv.sha256,
                cv.status,
                tuple(stage_states(session, cv, as_of)),
                classification_for(session, cv),
                card_rating(cv),
            )
        )
    return out


def _officer(session: Session, email: str, what: str) -> Identity:
    folded = normalise_email(email)
    row = session.scalar(
        select(Identity).where(Identity.email == folded, Identity.retired_at.is_(None))
    )
    if row is None:
        raise NotAnOfficer(f"no active identity for {folded}; only an officer may {what}")
    if row.role != Role.OFFICER:
        raise NotAnOfficer(f"{folded} has the role {row.role}; only an officer may {what}")
    return row


def _check_tier(tier: str) -> None:
    if tier not in TIERS:
        raise DeploymentRefused(
            f"unknown risk tier {tier!r}; classify as one of {', '.join(TIERS)}"
        )


def _check_reason(reason: str) -> None:
    if not reason.strip():
        raise DeploymentRefused(
            "give the reason (--reason): it is signed and shown with the decision"
        )
    if len(reason) > MAX_REASON_CHARS:
        raise DeploymentRefused(f"the reason is longer than {MAX_REASON_CHARS:,} characters")


def _check_revocable(session: Session, cv: CardVersion, stage: str, model: str) -> None:
    names = stage_names(session)
    if stage not in names:
        raise DeploymentRefused(
            f"{stage!r} is not a stage of this registry; its stages are {', '.join(names)}"
        )
    state = next(s for s in stage_states(session, cv) if s.stage == stage)
    if state.status == StageStatus.REVOKED:
        raise DeploymentRefused(
            f"the approval of {model} {cv.version} for {stage} is already revoked"
        )
    if state.status != StageStatus.APPROVED:
        raise DeploymentRefused(
            f"{model} {cv.version} is {state.status} for {stage}; only an approval can be revoked"
        )
