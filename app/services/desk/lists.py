"""The queries behind each list of the home screen, one page at a time.

Each list is counted with one indexed query and read a page at a time: the
page's ids come from an index (card versions by status, review rounds by
status, models by status), then the page's details by primary key, so a page
costs the same at 100,000 card versions as at ten.  "Recent imports" looks
only at the newest :data:`RECENT_IMPORTS` card versions (a range of the
primary key), so it never scans the whole registry for warnings.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from countersign.models.tables import CardVersion, Identity, Model, Review, Revocation, Signature
from countersign.models.vocabulary import CardStatus, Decision, DeskList
from countersign.services.deployment.expiry import approvals_expiring
from countersign.services.desk import records
from countersign.services.desk.records import (
    ApprovedWhere,
    AwaitingSignature,
    ChangesRequested,
    DeskPage,
    Expiring,
    ImportWarnings,
    ToReview,
    first_warning,
)
from countersign.services.reviews import conditions
from countersign.services.reviews.records import ReviewInfo, load_reviews
from countersign.services.stage_summary import expired_rounds

RECENT_IMPORTS = records.RECENT_IMPORTS
"""How many of the newest card versions "recent imports with warnings" looks at."""

EXPIRING_WITHIN_DAYS = 30
"""How many days ahead "approvals expiring soon" looks (approvals already expired show too)."""


def to_review(session: Session, offset: int, limit: int) -> DeskPage[ToReview]:
    """Card versions imported and in no review round yet, the longest waiting first."""
    where = CardVersion.status == CardStatus.SUBMITTED
    total = session.scalar(select(func.count()).select_from(CardVersion).where(where)) or 0
    ids = list(
        session.scalars(
            select(CardVersion.id).where(where).order_by(CardVersion.id).offset(offset).limit(limit)
        )
    )
    rows = session.execute(
        select(
            CardVersion.version,
            CardVersion.imported_at,
            CardVersion.warnings_json,
            Model.name,
            Model.team,
            Model.risk_tier,
        )
        .join(Model, Model.id == CardVersion.model_id)
        .where(CardVersion.id.in_(ids))
        .order_by(CardVersion.id)
    ).all()
    return DeskPage(
        DeskList.TO_REVIEW,
        total,
        tuple(
            ToReview(name, version, team, tier, imported_at, len(json.loads(warnings)))
            for version, imported_at, warnings, name, team, tier in rows
        ),
        offset,
    )


def my_identity_ids(session: Session, emails: Sequence[str]) -> list[int]:
    """Every identity (retired ones too) of the officer's e-mail addresses."""
    if not emails:
        return []
    return list(session.scalars(select(Identity.id).where(Identity.email.in_(list(emails)))))


def awaiting_signature(
    session: Session, identity_ids: Sequence[int], offset: int, limit: int
) -> DeskPage[AwaitingSignature]:
    """Open review rounds none of ``identity_ids`` has signed, the oldest first."""
    if not identity_ids:
        return DeskPage(DeskList.AWAITING_SIGNATURE, 0, (), offset)
    signed = exists().where(
        Signature.review_id == Review.id, Signature.identity_id.in_(list(identity_ids))
    )
    where = and_(Review.status == CardStatus.IN_REVIEW, ~signed)
    total = session.scalar(select(func.count()).select_from(Review).where(where)) or 0
    page = session.execute(
        select(Review.id, Review.card_version_id)
        .where(where)
        .order_by(Review.id)
        .offset(offset)
        .limit(limit)
    ).all()
    rounds = _rounds(session, [cv_id for _id, cv_id in page])
    rows = []
    for review_id, _cv_id in page:
        info = rounds[review_id]
        rows.append(
            AwaitingSignature(
                info.model,
                info.version,
                info.stage or "",
                info.template_title,
                info.approvals,
                info.quorum,
                info.opened_at,
                tuple(s.signer_name for s in info.signatures),
            )
        )
    return DeskPage(DeskList.AWAITING_SIGNATURE, total, tuple(rows), offset)


def changes_requested(session: Session, offset: int, limit: int) -> DeskPage[ChangesRequested]:
    """Models whose newest card version was sent back, the longest waiting first."""
    where = Model.status == CardStatus.CHANGES_REQUESTED
    total = session.scalar(select(func.count()).select_from(Model).where(where)) or 0
    page = session.execute(
        select(CardVersion.id, Model.team)
        .join(
            CardVersion,
            and_(CardVersion.model_id == Model.id, CardVersion.version == Model.latest_version),
        )
        .where(where)
        .order_by(Model.last_activity, Model.id)
        .offset(offset)
        .limit(limit)
    ).all()
    reviews = load_reviews(session, [cv_id for cv_id, _team in page])
    rows = []
    for cv_id, team in page:
        sent_back = [r for r in reviews.get(cv_id, []) if r.status == CardStatus.CHANGES_REQUESTED]
        if not sent_back:
            continue  # the model's status changed under the page: left for the next read
        last = sent_back[-1]
        asking = next(
            (s for s in reversed(last.signatures) if s.decision == Decision.CHANGES),
            None,
        )
        rows.append(
            ChangesRequested(
                last.model,
                last.version,
                team,
                last.stage or "",
                asking.signer_name if asking else "",
                (asking.signed_at if asking else last.closed_at) or "",
                asking.comment if asking else "",
            )
        )
    return DeskPage(DeskList.CHANGES_REQUESTED, total, tuple(rows), offset)


def approved(
    session: Session, stages: Sequence[str], offset: int, limit: int
) -> DeskPage[ApprovedWhere]:
    """Every model with an approval in force, by name, with the version approved for each stage.

    An approval past its expiry, or revoked for its round's stage, is in force no longer.
    """
    lapsed = exists().where(
        Signature.review_id == Review.id,
        Signature.decision == Decision.APPROVE,
        Signature.expires_on < conditions.today().isoformat(),
    )
    revoked = exists().where(
        Revocation.card_version_id == Review.card_version_id,
        Revocation.stage == Review.stage,
    )
    approved_models = (
        select(CardVersion.model_id)
        .join(Review, Review.card_version_id == CardVersion.id)
        .where(Review.status == CardStatus.APPROVED, ~lapsed, ~revoked)
        .distinct()
    )
    total = session.scalar(select(func.count()).select_from(approved_models.subquery())) or 0
    models = session.execute(
        select(Model.id, Model.name, Model.team)
        .where(Model.id.in_(approved_models))
        .order_by(Model.name, Model.id)
        .offset(offset)
        .limit(limit)
    ).all()
    where = approved_by_stage(session, [model_id for model_id, _name, _team in models], stages)
    return DeskPage(
        DeskList.APPROVED,
        total,
        tuple(
            ApprovedWhere(
                name, team, tuple((stage, where.get((model_id, stage), "")) for stage in stages)
            )
            for model_id, name, team in models
        ),
        offset,
    )


def approved_by_stage(
    session: Session, model_ids: Sequence[int], stages: Sequence[str]
) -> dict[tuple[int, str], str]:
    """``(model id, stage) -> version``: the newest approved version for each stage, neither
    revoked nor expired.

    A round from before stages (no stage) counts for every stage.
    """
    if not model_ids:
        return {}
    rows = session.execute(
        select(
            CardVersion.model_id,
            CardVersion.id,
            CardVersion.seq,
            CardVersion.version,
            Review.stage,
            Review.id,
        )
        .join(Review, Review.card_version_id == CardVersion.id)
        .where(CardVersion.model_id.in_(list(model_ids)), Review.status == CardStatus.APPROVED)
    ).all()
    expired = expired_rounds(session, [row[5] for row in rows])
    revoked = set(
        session.execute(
            select(Revocation.card_version_id, Revocation.stage)
            .join(CardVersion, CardVersion.id == Revocation.card_version_id)
            .where(CardVersion.model_id.in_(list(model_ids)))
        ).tuples()
    )
    newest: dict[tuple[int, str], tuple[int, str]] = {}
    for model_id, cv_id, seq, version, stage, review_id in rows:
        if review_id in expired:
            continue  # past its expiry: approved no longer (it shows among those expiring)
        for name in stages if stage is None else [stage]:
            if (cv_id, name) in revoked:
                continue
            key = (model_id, name)
            if key not in newest or newest[key][0] < seq:
                newest[key] = (seq, version)
    return {key: version for key, (_seq, version) in newest.items()}


def expiring(session: Session, offset: int, limit: int) -> DeskPage[Expiring]:
    """Approvals in force that end within :data:`EXPIRING_WITHIN_DAYS` (or have ended), soonest first."""
    today = conditions.today()
    found = approvals_expiring(session, today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS))
    rows = [
        Expiring(a.model, a.version, a.stage, a.expires_on, a.days_left(today), a.conditions)
        for a in found
    ]
    return DeskPage(DeskList.EXPIRING, len(rows), tuple(rows[offset : offset + limit]), offset)


def import_warnings(session: Session, offset: int, limit: int) -> DeskPage[ImportWarnings]:
    """Card versions among the newest :data:`RECENT_IMPORTS` with warnings, newest first."""
    # The oldest of the newest RECENT_IMPORTS card versions, from the primary key's index. Ids
    # are not contiguous (a rolled-back import uses a PostgreSQL sequence number, a copied
    # registry keeps its ids): "newest id minus the window" would count fewer versions.
    oldest = session.scalar(
        select(CardVersion.id).order_by(CardVersion.id.desc()).offset(RECENT_IMPORTS - 1).limit(1)
    )
    where = and_(CardVersion.id >= (oldest or 0), CardVersion.warnings_json != "[]")
    total = session.scalar(select(func.count()).select_from(CardVersion).where(where)) or 0
    rows = session.execute(
        select(
            CardVersion.version,
            CardVersion.imported_at,
            CardVersion.warnings_json,
            Model.name,
            Model.team,
        )
        .join(Model, Model.id == CardVersion.model_id)
        .where(where)
        .order_by(CardVersion.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    out = []
    for version, imported_at, warnings_json, name, team in rows:
        warnings = json.loads(warnings_json)
        out.append(
            ImportWarnings(name, version, team, imported_at, len(warnings), first_warning(warnings))
        )
    return DeskPage(DeskList.IMPORT_WARNINGS, total, tuple(out), offset)


def _rounds(session: Session, card_version_ids: Sequence[int]) -> dict[int, ReviewInfo]:
    """The review rounds of the card versions, by round id."""
    return {
        info.id: info
        for infos in load_reviews(session, card_version_ids).values()
        for info in infos
    }
