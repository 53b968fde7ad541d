"""Approvals that expire: which approvals in force end on or before a given day.

An approval's expiry is the earliest expiry date among its approving
sign-offs (:mod:`countersign.services.reviews.conditions`).  The home screen
lists "approvals expiring soon" from :func:`approvals_expiring`; ``status``,
the gate and the reports judge one card version with
:func:`~countersign.services.reviews.stages.stage_states`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from countersign.models.tables import CardVersion, Model, Review, Signature
from countersign.models.vocabulary import CardStatus, Decision, StageStatus
from countersign.services.reviews import conditions
from countersign.services.reviews.stages import stage_states


@dataclass(frozen=True)
class ExpiringApproval:
    """One stage's approval of one card version that ends on :attr:`expires_on`."""

    model: str
    version: str
    stage: str
    expires_on: str
    """The last day (``YYYY-MM-DD``, UTC) the approval holds."""
    conditions: tuple[str, ...]
    review_id: int

    def expired(self, as_of: datetime.date | None = None) -> bool:
        """Whether the approval no longer holds on ``as_of`` (today by default)."""
        return (as_of or conditions.today()).isoformat() > self.expires_on

    def days_left(self, as_of: datetime.date | None = None) -> int:
        """Days from ``as_of`` (today) to the expiry day; negative once expired."""
        return (datetime.date.fromisoformat(self.expires_on) - (as_of or conditions.today())).days


def approvals_expiring(session: Session, before: datetime.date) -> list[ExpiringApproval]:
    """Every approval still recorded for a stage whose expiry is on or before ``before``.

    Soonest first.  Approvals already expired are included (``expired()`` says
    so); revoked ones and rounds that a later round of the same stage replaced
    are not.  Call it in a read session: ``approvals_expiring(session,
    conditions.today() + timedelta(days=30))`` lists what ends within thirty days.
    """
    earliest = func.min(Signature.expires_on)
    candidates = session.execute(
        select(Review.id, Review.card_version_id, earliest)
        .join(Signature, Signature.review_id == Review.id)
        .where(
            Review.status == CardStatus.APPROVED,
            Signature.decision == Decision.APPROVE,
            Signature.expires_on.is_not(None),
        )
        .group_by(Review.id, Review.card_version_id)
        .having(earliest <= before.isoformat())
    ).all()
    out: list[ExpiringApproval] = []
    for cv_id in sorted({cv_id for _, cv_id, _ in candidates}):
        cv = session.get(CardVersion, cv_id)
        assert cv is not None, "a review's card version exists (foreign key)"
        model = session.scalar(select(Model.name).where(Model.id == cv.model_id)) or ""
        out.extend(
            ExpiringApproval(
                model, cv.version, state.stage, state.expires_on, state.conditions, state.review_id
            )
            for state in stage_states(session, cv)
            if state.status in (StageStatus.APPROVED, StageStatus.EXPIRED)
            and state.expires_on is not None
            and state.review_id is not None
            and state.expires_on <= before.isoformat()
        )
    return sorted(out, key=lambda a: (a.expires_on, a.model, a.version))  # stable: stage order
