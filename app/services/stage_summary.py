"""What is where, for many models at once: ``production 3.1 · staging 3.2 in review``.

The registry browser shows this per model for a page of rows, so it is read
with three queries per page (stages, review rounds, revocations), not per model.
A round from before stages (no stage) counts for every stage.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from countersign.models.tables import CardVersion, Review, Revocation, Signature, Stage
from countersign.models.vocabulary import Decision, StageStatus
from countersign.services.storage import database

DEFAULT_STAGE_NAMES = ("staging", "production")


def stage_summaries(session: Session, model_ids: Sequence[int]) -> dict[int, str]:
    """For each model id, its approved version per stage and what is in review, in words.

    An approval past its expiry date shows as ``production 3.1 expired``.
    """
    if not model_ids:
        return {}
    names = list(session.scalars(select(Stage.name).order_by(Stage.position))) or list(
        DEFAULT_STAGE_NAMES
    )
    rows = session.execute(
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
    ).all()
    revoked = set(
        session.execute(
            select(Revocation.card_version_id, Revocation.stage)
            .join(CardVersion, CardVersion.id == Revocation.card_version_id)
            .where(CardVersion.model_id.in_(list(model_ids)))
        ).tuples()
    )
    expired = expired_rounds(session, [row[6] for row in rows if row[5] == StageStatus.APPROVED])
    # (model, card version, stage) -> the status of its latest round
    latest: dict[tuple[int, int, str], tuple[int, str, str]] = {}
    for model_id, cv_id, seq, version, stage, status, review_id in rows:
        now = StageStatus.EXPIRED if review_id in expired else status
        for name in names if stage is None else [stage]:
            latest[(model_id, cv_id, name)] = (seq, version, now)
    return {
        model_id: " · ".join(_model_parts(model_id, names, latest, revoked))
        for model_id in model_ids
    }


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


def _model_parts(
    model_id: int,
    names: Sequence[str],
    latest: dict[tuple[int, int, str], tuple[int, str, str]],
    revoked: set[tuple[int, str]],
) -> list[str]:
    parts: list[str] = []
    shown: set[str] = set()
    for name in reversed(names):
        entries = [
            (seq, version, status, cv_id)
            for (m, cv_id, stage), (seq, version, status) in latest.items()
            if m == model_id and stage == name
        ]
        held = [
            (seq, version, status)
            for seq, version, status, cv_id in entries
            if status in (StageStatus.APPROVED, StageStatus.EXPIRED)
            and (cv_id, name) not in revoked
        ]
        if held:
            _seq, version, status = max(held)
            if status == StageStatus.EXPIRED:
                parts.append(f"{name} {version} expired")
            elif version not in shown:
                parts.append(f"{name} {version}")
                shown.add(version)
        parts.extend(
            f"{name} {version} in review"
            for seq, version, status, _ in sorted(entries)
            if status == StageStatus.IN_REVIEW
        )
    return parts
