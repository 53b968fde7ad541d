"""What is where, for many models at once: ``production 3.1 · staging 3.2 in review``.

The registry browser shows this per model for a page of rows, so it is read
with three queries per page (stages, review rounds, revocations), not per model.
A round from before stages (no stage) counts for every stage.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from countersign.models.registry_rows import DEFAULT_STAGE_NAMES, stage_words
from countersign.models.tables import CardVersion, Review, Revocation, Signature, Stage
from countersign.models.vocabulary import Decision, StageStatus
from countersign.services.storage import database


def stage_summaries(session: Session, model_ids: Sequence[int]) -> dict[int, str]:
    """For each model id, its approved version per stage and what is in review, in words.

    An approval past its expiry date shows as ``production 3.1 expired``.
    """
    if not model_ids:
        return {}
    names = list(session.scalars(select(Stage.name).order_by(Stage.position))) or list(
        DEFAULT_STAGE_NAMES
    )
    rows = (
        session.execute(
            select(
                CardVersion.model_id,
                CardVersion.id,
                CardVersion.seq,
                CardVersion.version,
                Review.stage,
                Review.status,
                Review.id,
            )
            .join(Review, Review.card_version_id == CardVersion.id)
            .where(CardVersion.model_id.in_(list(model_ids)))
            .order_by(Review.id)
        )
        .tuples()
        .all()
    )
    revoked = set(
        session.execute(
            select(Revocation.card_version_id, Revocation.stage)
            .join(CardVersion, CardVersion.id == Revocation.card_version_id)
            .where(CardVersion.model_id.in_(list(model_ids)))
        ).tuples()
    )
    expired = expired_rounds(session, [row[6] for row in rows if row[5] == StageStatus.APPROVED])
    return stage_words(model_ids, names, rows, revoked, expired)


def expired_rounds(session: Session, review_ids: Sequence[int]) -> set[int]:
    """The approved rounds among ``review_ids`` whose approval is past its expiry today."""
    if not review_ids:
        return set()
    day = database.utc_today().isoformat()
    earliest = func.min(Signature.expires_on)
    return set(
        session.scalars(
            select(Signature.review_id)
            .where(
                Signature.review_id.in_(list(review_ids)),
                Signature.decision == Decision.APPROVE,
                Signature.expires_on.is_not(None),
            )
            .group_by(Signature.review_id)
            .having(earliest < day)
        )
    )
