"""Deployment stages, the officer's classification and revocations, as the review rules read them.

A registry has an ordered list of stages (``staging``, ``production`` by
default).  A review round is for one stage; a card version's status is kept
per stage (:class:`~countersign.models.vocabulary.StageStatus`).  A round from before stages (its stage is
NULL) counts for every stage: such an approval was the approval to deploy.

The risk tier a version is reviewed at is the officer's classification when
there is one (the newest one made on this version or an earlier one of the
model), else the card's own rating, else ``unknown``.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.orm import Session

from countersign.models.tables import (
    CardVersion,
    Classification,
    Identity,
    Model,
    Review,
    Revocation,
    Signature,
    Stage,
)
from countersign.models.vocabulary import CardStatus, Decision, StageStatus
from countersign.services.reviews import conditions
from countersign.services.reviews.conditions import ApprovalTerms, RoundTerms, round_terms

DEFAULT_STAGES = ("staging", "production")
"""The stages of a new registry, in order."""

TIER_RANK = {"unknown": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
"""How strict each risk tier is; a checklist for a stricter tier may always be used."""

TIERS = ("low", "medium", "high", "critical")
"""The tiers an officer may classify a model as."""


@dataclass(frozen=True)
class ClassificationInfo:
    """The officer's classification in force for a card version: tier, why, who, when, from which version."""

    tier: str
    reason: str
    officer: str
    officer_name: str
    signed_at: str
    version: str


@dataclass(frozen=True)
class StageState:
    """One stage of one card version: its status, the deciding round and any revocation."""

    stage: str
    status: str
    review_id: int | None = None
    decided_at: str | None = None
    revoked_by: str = ""
    revoked_at: str = ""
    revoked_reason: str = ""
    conditions: tuple[str, ...] = ()
    """The conditions the deciding round's approval carries."""
    expires_on: str | None = None
    """The date (``YYYY-MM-DD``) until which the approval holds; None: it does not expire."""

    @property
    def approved(self) -> bool:
        """Whether the stage is approved (an expired approval is not)."""
        return self.status == StageStatus.APPROVED


def stage_names(session: Session) -> list[str]:
    """The registry's stages in order."""
    names = list(session.scalars(select(Stage.name).order_by(Stage.position)))
    return names or list(DEFAULT_STAGES)


def card_rating(cv: CardVersion) -> str:
    """The risk rating the card states about itself ('' when none)."""
    return str(json.loads(cv.canonical_json).get("risk_rating", "") or "")


def classification_for(session: Session, cv: CardVersion) -> ClassificationInfo | None:
    """The officer's classification in force for ``cv`` (made on it or an earlier version)."""
    row = session.execute(
        select(Classification, CardVersion.version, Identity.email, Identity.name)
        .join(CardVersion, CardVersion.id == Classification.card_version_id)
        .join(Identity, Identity.id == Classification.identity_id)
        .where(Classification.model_id == cv.model_id, CardVersion.seq <= cv.seq)
        .order_by(Classification.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    c, version, email, name = row
    return ClassificationInfo(c.tier, c.reason, email, name, c.signed_at, version)


def effective_tier(session: Session, cv: CardVersion, fallback: str = "") -> str:
    """The tier ``cv`` is reviewed at: the officer's, else the card's rating, else ``unknown``."""
    classification = classification_for(session, cv)
    if classification is not None:
        return classification.tier
    return card_rating(cv) or fallback or "unknown"


def classified_tiers(connection: Connection, model_ids: Sequence[int]) -> dict[int, str]:
    """The tier in force for the newest version of each of ``model_ids`` an officer classified.

    The newest classification of a model is in force for its newest version,
    whichever version it was made on (it applies from there on, and replaced
    any older one).  Models never classified are left out.
    """
    table = cast(Table, Classification.__table__)
    query = (
        select(table.c.model_id, table.c.tier)
        .where(table.c.model_id.in_(bindparam("ids", expanding=True)))
        .order_by(table.c.id)
    )
    rows = connection.execute(query, {"ids": list(model_ids)})
    return {model_id: tier for model_id, tier in rows.tuples()}


def settle_model_tiers(connection: Connection) -> None:
    """Store each classified model's tier in force (``models.risk_tier``) where it says otherwise.

    ``models.risk_tier`` is the risk tier of the model's newest version, which
    the registry lists, filters and sorts by: the officer's classification
    when there is one, else the card's own rating.
    """
    models = cast(Table, Model.__table__)
    classifications = cast(Table, Classification.__table__)
    newest = (
        select(classifications.c.tier)
        .where(classifications.c.model_id == models.c.id)
        .order_by(classifications.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    connection.execute(update(models).where(models.c.risk_tier != newest).values(risk_tier=newest))


def template_serves(risk_tiers: Sequence[str], tier: str) -> bool:
    """Whether a template for ``risk_tiers`` may review a card of ``tier``: that tier, or stricter."""
    if (tier or "unknown") in risk_tiers:
        return True
    strictest = max((TIER_RANK.get(t, 0) for t in risk_tiers), default=0)
    return strictest > TIER_RANK.get(tier or "unknown", 0)


def stage_states(
    session: Session, cv: CardVersion, as_of: datetime.date | None = None
) -> list[StageState]:
    """The status of ``cv`` for each stage of the registry, in stage order, on ``as_of`` (today).

    An approval whose expiry date is before ``as_of`` is :attr:`StageStatus.EXPIRED`.
    """
    day = as_of or conditions.today()
    names = stage_names(session)
    rounds = list(
        session.scalars(select(Review).where(Review.card_version_id == cv.id).order_by(Review.id))
    )
    revoked = {
        r.stage: (r, email)
        for r, email in session.execute(
            select(Revocation, Identity.email)
            .join(Identity, Identity.id == Revocation.identity_id)
            .where(Revocation.card_version_id == cv.id)
        )
    }
    terms = approval_terms(session, [r.id for r in rounds if r.status == CardStatus.APPROVED])
    out = []
    for name in names:
        mine = [r for r in rounds if r.stage in (name, None)]
        latest = mine[-1] if mine else None
        held = terms.get(latest.id, RoundTerms()) if latest else RoundTerms()
        if name in revoked:
            revocation, email = revoked[name]
            out.append(
                StageState(
                    name,
                    StageStatus.REVOKED,
                    latest.id if latest else None,
                    latest.closed_at if latest else None,
                    email,
                    revocation.signed_at,
                    revocation.reason,
                    held.conditions,
                    held.expires_on,
                )
            )
        elif latest is not None:
            status = latest.status
            if status == CardStatus.APPROVED and held.expired(day):
                status = StageStatus.EXPIRED
            out.append(
                StageState(
                    name,
                    status,
                    latest.id,
                    latest.closed_at,
                    conditions=held.conditions,
                    expires_on=held.expires_on,
                )
            )
        elif cv.status == StageStatus.SUPERSEDED:
            out.append(StageState(name, StageStatus.SUPERSEDED))
        else:
            out.append(StageState(name, StageStatus.NOT_REQUESTED))
    return out


def approval_terms(session: Session, review_ids: Sequence[int]) -> dict[int, RoundTerms]:
    """The terms each of the given rounds' approval holds under (its approvers' sign-offs)."""
    if not review_ids:
        return {}
    found: dict[int, list[ApprovalTerms]] = {}
    for review_id, conditions_json, expires_on in session.execute(
        select(Signature.review_id, Signature.conditions_json, Signature.expires_on)
        .where(Signature.review_id.in_(list(review_ids)), Signature.decision == Decision.APPROVE)
        .order_by(Signature.id)
    ):
        found.setdefault(review_id, []).append(ApprovalTerms.stored(conditions_json, expires_on))
    return {review_id: round_terms(terms) for review_id, terms in found.items()}


def next_stage(states: Sequence[StageState]) -> str | None:
    """The first stage the version is not approved for (None when approved for every one)."""
    return next((s.stage for s in states if s.status != StageStatus.APPROVED), None)


def last_approved(session: Session, cv: CardVersion, stage: str) -> CardVersion | None:
    """The newest version of ``cv``'s model before it that stands approved for ``stage``.

    What a regression limit compares with: a revoked approval no longer counts.
    """
    earlier = session.scalars(
        select(CardVersion)
        .where(CardVersion.model_id == cv.model_id, CardVersion.seq < cv.seq)
        .order_by(CardVersion.seq.desc())
    )
    for candidate in earlier:
        for state in stage_states(session, candidate):
            if state.stage == stage and state.status == StageStatus.APPROVED:
                return candidate
    return None
