"""Re-deriving every signed sign-off from the registry rows and checking its signature.

Nothing signed is stored as such: for each sign-off the payload is rebuilt
from the card version, the checklist template, the sign-off row and its
answers, and checked against the signer's stored certificate.  A row changed
after signing (an answer, a note, a decision, the card itself) no longer
matches, and the review is named.  The statuses are checked too: a review's
status must follow from its valid sign-offs and its template's quorum, and a
card version marked decided must have a review that decided it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.models.checklist import ChecklistTemplate
from countersign.models.tables import (
    CardVersion,
    ChecklistTemplateRecord,
    Identity,
    Model,
    Review,
    ReviewResponse,
    Signature,
)
from countersign.models.vocabulary import DECIDED_STATUSES, CardStatus
from countersign.services.counting import counted
from countersign.services.identities.certificates import certificate_fingerprint, load_certificate
from countersign.services.reviews.conditions import ApprovalTerms
from countersign.services.reviews.escalations import Vote, read_escalations
from countersign.services.reviews.records import round_status, signed_chain
from countersign.services.reviews.signoff_payload import (
    SignedResponse,
    SignoffContent,
    payload_bytes,
    signature_matches,
    signoff_payload,
)

_BATCH = 500


@dataclass(frozen=True)
class SignOffProblem:
    """One thing that no longer matches, and the review (and sign-off) it belongs to."""

    review_id: int | None
    signature_id: int | None
    model: str
    version: str
    problem: str

    def describe(self) -> str:
        """One line for the officer."""
        where = f"review {self.review_id} of " if self.review_id is not None else ""
        return f"{where}{self.model} {self.version}: {self.problem}"


@dataclass(frozen=True)
class SignOffReport:
    """The result of checking every sign-off in the registry."""

    reviews: int
    signatures: int
    problems: list[SignOffProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every signature verified and every status follows from them."""
        return not self.problems

    def describe(self) -> str:
        """A summary line for the officer."""
        if self.ok:
            return (
                f"Sign-offs intact: {counted(self.signatures, 'signature')} in "
                f"{counted(self.reviews, 'review')} "
                "verified against the registry rows."
            )
        return (
            f"Sign-offs BROKEN: {counted(len(self.problems), 'problem')} in "
            f"{counted(self.reviews, 'review')} ({counted(self.signatures, 'signature')} checked)."
        )


SignOffJudge = Callable[[Signature, Identity, bytes], str]
"""Says why a sign-off whose signature verifies still does not count (``""`` when it does).

It receives the sign-off row, its signer's row and the payload bytes rebuilt
from the rows; ``audit --verify`` uses it to check the sign-off against the
event that recorded it and the role its signer held when it signed.
"""


def verify_signoffs(
    session: Session, card_version_id: int | None = None, judge: SignOffJudge | None = None
) -> SignOffReport:
    """Rebuild and verify every signed payload; check every review and card version status.

    With ``card_version_id``, only that card version's reviews (what the deployment gate
    needs).  With ``judge``, a sign-off that verifies must also satisfy it to count
    towards its review's status.
    """
    problems: list[SignOffProblem] = []
    reviews = signatures = 0
    reviewed: dict[int, set[str]] = {}
    last = 0
    while True:
        rows = session.execute(
            select(Review, CardVersion, Model.name, ChecklistTemplateRecord)
            .join(CardVersion, CardVersion.id == Review.card_version_id)
            .join(Model, Model.id == CardVersion.model_id)
            .join(ChecklistTemplateRecord, ChecklistTemplateRecord.id == Review.template_record_id)
            .where(
                Review.id > last,
                Review.card_version_id == card_version_id
                if card_version_id is not None
                else Review.id > last,
            )
            .order_by(Review.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        for review, cv, model, record in rows:
            reviews += 1
            checked, found = _check_review(session, _Reviewed(review, cv, model, record), judge)
            signatures += checked
            problems.extend(found)
            reviewed.setdefault(cv.id, set()).add(review.status)
            last = review.id
        session.expunge_all()
    if card_version_id is None:
        problems.extend(_unbacked_statuses(session, reviewed))
    return SignOffReport(reviews=reviews, signatures=signatures, problems=problems)


@dataclass(frozen=True)
class _Reviewed:
    """One review round as checked: the round, its card version and model, its template."""

    review: Review
    cv: CardVersion
    model: str
    record: ChecklistTemplateRecord


def _check_review(
    session: Session, reviewed: _Reviewed, judge: SignOffJudge | None = None
) -> tuple[int, list[SignOffProblem]]:
    review, cv, model, record = reviewed.review, reviewed.cv, reviewed.model, reviewed.record
    problems: list[SignOffProblem] = []

    def problem(text: str, signature_id: int | None = None) -> None:
        problems.append(SignOffProblem(review.id, signature_id, model, cv.version, text))

    if hashlib.sha256(cv.canonical_json.encode("utf-8")).hexdigest() != cv.sha256:
        problem("the card version's content no longer matches its SHA-256 (the card was changed)")
    quorum = 1
    template: ChecklistTemplate | None = None
    if hashlib.sha256(record.content_json.encode("utf-8")).hexdigest() != record.sha256:
        problem(
            f"checklist template {record.template_id}@{record.version} no longer matches its "
            "hash (it was changed after it was frozen)"
        )
    try:
        template = ChecklistTemplate.model_validate_json(record.content_json)
        quorum = template.quorum
    except ValidationError:
        problem(f"checklist template {record.template_id}@{record.version} is no longer readable")
    rows = session.execute(
        select(Signature, Identity)
        .join(Identity, Identity.id == Signature.identity_id)
        .where(Signature.review_id == review.id)
        .order_by(Signature.id)
    ).all()
    valid: list[Vote] = []
    for signature, identity in rows:
        reason, payload = _signature_problem(session, signature, identity, reviewed)
        if not reason and judge is not None:
            reason = judge(signature, identity, payload)
        if reason:
            problem(
                f"the sign-off by {identity.email} (signature {signature.id}) no longer matches "
                f"its rows: {reason}",
                signature.id,
            )
        else:
            escalations = read_escalations(signature.escalations_json)
            valid.append(escalations.vote(identity.email, signature.decision, template))
    expected = round_status(valid, quorum)
    superseded = review.status == CardStatus.SUPERSEDED and expected == CardStatus.IN_REVIEW
    if review.status != expected and not superseded:
        problem(
            f"the review says {review.status!r}, but its valid sign-offs make it {str(expected)!r}"
        )
    return len(rows), problems


def _responses(session: Session, signature_id: int) -> list[SignedResponse]:
    return [
        SignedResponse(r.item_id, r.answer, r.note, r.automatic, r.evidence)
        for r in session.scalars(
            select(ReviewResponse)
            .where(ReviewResponse.signature_id == signature_id)
            .order_by(ReviewResponse.position)
        )
    ]


def _signature_problem(
    session: Session, signature: Signature, identity: Identity, reviewed: _Reviewed
) -> tuple[str, bytes]:
    cv, record = reviewed.cv, reviewed.record
    try:
        certificate = load_certificate(identity.certificate_pem)
    except ValueError:
        return "the signer's stored certificate is unreadable", b""
    if certificate_fingerprint(certificate) != identity.fingerprint:
        return "the signer's stored certificate was replaced", b""
    if signature.signer_fingerprint != identity.fingerprint:
        return "the sign-off names another certificate than its signer's", b""
    responses = _responses(session, signature.id)
    payload = signoff_payload(
        SignoffContent(
            card_version_sha256=cv.sha256,
            model=reviewed.model,
            version=cv.version,
            template_id=record.template_id,
            template_version=record.version,
            responses=responses,
            decision=signature.decision,
            comment=signature.comment,
            signed_at=signature.signed_at,
            signer_fingerprint=signature.signer_fingerprint,
            chain=signed_chain(signature),
            stage=reviewed.review.stage,
            artifacts=json.loads(cv.artifacts_json),
            terms=ApprovalTerms.stored(signature.conditions_json, signature.expires_on),
            escalations=read_escalations(signature.escalations_json).as_json(),
        )
    )
    if not signature_matches(identity.certificate_pem, payload, signature.signature):
        return (
            "the signature does not verify (an answer, note, decision, comment, condition, "
            "expiry date or time changed)",
            b"",
        )
    return "", payload_bytes(payload)


def _unbacked_statuses(session: Session, reviewed: dict[int, set[str]]) -> list[SignOffProblem]:
    """Card versions whose status claims a review that the review rows do not show."""
    problems = []
    rows = session.execute(
        select(CardVersion.id, CardVersion.version, CardVersion.status, Model.name)
        .join(Model, Model.id == CardVersion.model_id)
        .where(CardVersion.status.in_([*DECIDED_STATUSES, CardStatus.IN_REVIEW]))
    )
    for cv_id, version, status, model in rows:
        if status not in reviewed.get(cv_id, set()):
            problems.append(
                SignOffProblem(
                    None,
                    None,
                    model,
                    version,
                    f"the card version is marked {status!r} but no review of it says so",
                )
            )
    return problems
