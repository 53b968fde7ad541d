"""What is where, for many models at once: ``production 3.1 · staging 3.2 in review``.

The registry browser shows this per model for a page of rows, so it is read
with three queries per page (stages, review rounds, revocations), not per model.
A round from before stages (no stage) counts for every stage.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.models.tables import CardVersion, Review, Revocation, Stage
from countersign.models.vocabulary import StageStatus

DEFAULT_STAGE_NAMES = ("staging", "production")


def stage_summaries(session: Session, model_ids: Sequence[int]) -> dict[int, str]:
    """For each model id, its approved version per stage and what is in review, in words."""
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
    # (model, card version, stage) -> the status of its latest round
    latest: dict[tuple[int, int, str], tuple[int, str, str]] = {}
    for model_id, cv_id, seq, version, stage, status in rows:
        for name in names if stage is None else [stage]:
            latest[(model_id, cv_id, name)] = (seq, version, status)
    out: dict[int, str] = {}
    for model_id in model_ids:
        parts: list[str] = []
        shown: set[str] = set()
        for name in reversed(names):
            entries = [
                (seq, version, status, cv_id)
                for (m, cv_id, stage), (seq, version, status) in latest.items()
                if m == model_id and stage == name
            ]
            approved = [
                (seq, version)
                for seq, version, status, cv_id in entries
                if status == StageStatus.APPROVED and (cv_id, name) not in revoked
            ]
            if approved:
                version = max(approved)[1]
                if version not in shown:
                    parts.append(f"{name} {version}")
                    shown.add(version)
            parts.extend(
                f"{name} {version} in review"
                for seq, version, status, _ in sorted(entries)
                if status == StageStatus.IN_REVIEW
            )
        out[model_id] = " · ".join(parts)
    return out
