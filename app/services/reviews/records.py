"""What reviews and sign-offs look like outside the database: plain, frozen records.

The review service returns these and the views show them; none of them holds a
session.  :func:`round_status` is the one place that says how sign-offs decide
a round, used both when signing and when verifying.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.models.card import ModelCard
from countersign.models.checklist import ChecklistItem, ChecklistTemplate, Escalation
from countersign.models.tables import (
    CardVersion,
    ChecklistTemplateRecord,
    Identity,
    Model,
    Review,
    ReviewResponse,
    Signature,
)
from countersign.models.vocabulary import AnswerValue, CardStatus, Decision
from countersign.services.reviews.checklists import TemplateInfo
from countersign.services.reviews.checks import CheckResult
from countersign.services.reviews.conditions import ApprovalTerms
from countersign.services.reviews.escalations import (
    SignedEscalations,
    Vote,
    read_escalations,
    round_outcome,
)
from countersign.services.reviews.stages import StageState


@dataclass(frozen=True)
class Answer:
    """A reviewer's answer to one checklist item: pass, fail or na, and a note."""

    answer: AnswerValue
    note: str = ""


@dataclass(frozen=True)
class ItemView:
    """A checklist item as the review shows it, with its automatic result when it has one."""

    item: ChecklistItem
    automatic: CheckResult | None
    escalation: Escalation | None = None
    """The escalation the item names, which a failed check makes necessary to approve."""

    @property
    def escalates(self) -> bool:
        """Whether approving needs the item's escalation: a value found breaks its threshold.

        A metric the card does not report fails the check (a note is needed) but
        breaks no threshold, so it needs no escalation.
        """
        return (
            self.escalation is not None
            and self.automatic is not None
            and not self.automatic.passed
            and any(not m.passed for m in self.automatic.measurements)
        )


@dataclass(frozen=True)
class ResponseInfo:
    """A stored answer of one sign-off."""

    item: str
    answer: str
    note: str
    automatic: str
    evidence: str


@dataclass(frozen=True)
class SignatureInfo:
    """A stored sign-off: who, what they decided, when, their answers and the signature."""

    id: int
    signer_name: str
    signer_email: str
    signer_role: str
    fingerprint: str
    decision: str
    comment: str
    signed_at: str
    signature: bytes
    responses: tuple[ResponseInfo, ...]
    chain: tuple[int, str] | None = None
    """The audit chain head the sign-off signed (None: signed before heads were signed)."""
    conditions: tuple[str, ...] = ()
    """The conditions the sign-off's approval carries (signed)."""
    expires_on: str | None = None
    """The date (``YYYY-MM-DD``) until which the approval holds; None: no expiry (signed)."""

    @property
    def terms(self) -> ApprovalTerms:
        """The conditions and expiry as signed (rebuilt into a payload by verification)."""
        return ApprovalTerms.stored(json.dumps(list(self.conditions)), self.expires_on)

    escalations: SignedEscalations = field(default_factory=lambda: SignedEscalations((), ()))
    """The escalations the sign-off's answers needed, and those its signer fulfilled."""


@dataclass(frozen=True)
class ReviewInfo:
    """One review round of a card version, with its sign-offs in the order they were signed."""

    id: int
    card_version_id: int
    model: str
    version: str
    template_id: str
    template_version: int
    template_title: str
    quorum: int
    status: str
    opened_at: str
    closed_at: str | None
    signatures: tuple[SignatureInfo, ...]
    stage: str | None = None
    """The stage the round is for; None for a round from before stages (it counts for every stage)."""

    @property
    def approvals(self) -> int:
        """How many distinct signers have approved so far."""
        return len({s.signer_email for s in self.signatures if s.decision == Decision.APPROVE})

    @property
    def open(self) -> bool:
        """Whether the round still takes sign-offs."""
        return self.status == CardStatus.IN_REVIEW


@dataclass(frozen=True)
class ReviewDraft:
    """What a reviewer sees before signing: the card, the template items and their checks."""

    card_version_id: int
    model: str
    version: str
    card_sha256: str
    status: str
    risk_tier: str
    card: ModelCard
    warnings: list[dict[str, str]]
    template: TemplateInfo
    items: list[ItemView]
    open_review: ReviewInfo | None
    stage: str = ""
    """The stage this sign-off is for."""
    stage_states: tuple[StageState, ...] = ()
    """The card version's status for every stage, in order."""
    classified: bool = False
    """Whether an officer classified the model's risk (else the tier is the card's own)."""
    artifacts: tuple[dict[str, Any], ...] = ()
    """The model files the card version names, signed with the sign-off."""

    @property
    def stage_status(self) -> str:
        """The card version's status for :attr:`stage`."""
        return next((s.status for s in self.stage_states if s.stage == self.stage), "")

    @property
    def last_stage(self) -> bool:
        """Whether :attr:`stage` is the registry's last (production)."""
        return bool(self.stage_states) and self.stage_states[-1].stage == self.stage

    @property
    def longest_validity(self) -> int | None:
        """The most months an approval of this card may hold under the template (None: no
        limit, and no expiry required)."""
        limits = self.template.template.validity_months.items()
        return next((months for tier, months in limits if tier == self.risk_tier), None)

    def automatic(self, item_id: str) -> CheckResult | None:
        """The automatic result of ``item_id``, if it has a check."""
        return next((view.automatic for view in self.items if view.item.id == item_id), None)


@dataclass(frozen=True)
class SignOffRequest:
    """Everything a sign-off says, before it is signed."""

    model: str
    version: str | None
    template: str
    answers: Mapping[str, Answer]
    decision: str
    identity: str
    comment: str = ""
    stage: str | None = None
    """The stage the sign-off is for; None for the first stage not yet approved."""
    source: str = field(default="", compare=False)
    """Where the answers came from (a file name), for refusal messages."""
    terms: ApprovalTerms = field(default_factory=ApprovalTerms)
    """The approval's conditions and expiry date (signed with it; an approval only)."""
    re_review: bool = False
    """Open a new round for a stage already approved (an officer's request; the approval is
    suspended until the round decides) or whose approval expired."""


@dataclass(frozen=True)
class SignOffResult:
    """A stored sign-off and where it left the review and the card version."""

    review: ReviewInfo
    signature_id: int
    card_status: str
    payload_sha256: str
    lacking: tuple[str, ...] = ()
    """What the round still needs to be approved, escalations included, in words."""


def round_status(votes: Sequence[Vote], quorum: int) -> CardStatus:
    """The status of a round from its sign-offs in signing order.

    Approved once ``quorum`` distinct approvers (plus any extra approvals an
    escalation asks) have approved and every escalation's role has; one
    *changes* or *reject* ends it.
    """
    return round_outcome(votes, quorum)


def vote_of(signature: SignatureInfo, template: ChecklistTemplate) -> Vote:
    """How a stored sign-off counts in its round under ``template``."""
    return signature.escalations.vote(signature.signer_email, signature.decision, template)


def signed_chain(signature: Signature) -> tuple[int, str] | None:
    """The ``(sequence number, hash)`` of the chain head a sign-off row signed, if it signed one."""
    if signature.chain_seq is None or signature.chain_hash is None:
        return None
    return (signature.chain_seq, signature.chain_hash)


def _signatures_of(session: Session, review_ids: Sequence[int]) -> dict[int, list[SignatureInfo]]:
    """The sign-offs of the given review rounds with their answers, by round, oldest first."""
    signatures: dict[int, list[SignatureInfo]] = {}
    if not review_ids:
        return signatures
    sig_rows = session.execute(
        select(Signature, Identity)
        .join(Identity, Identity.id == Signature.identity_id)
        .where(Signature.review_id.in_(review_ids))
        .order_by(Signature.id)
    ).all()
    responses = _responses_of(session, [s.id for s, _ in sig_rows])
    for sig, identity in sig_rows:
        signatures.setdefault(sig.review_id, []).append(
            SignatureInfo(
                id=sig.id,
                signer_name=identity.name,
                signer_email=identity.email,
                signer_role=identity.role,
                fingerprint=sig.signer_fingerprint,
                decision=sig.decision,
                comment=sig.comment,
                signed_at=sig.signed_at,
                signature=sig.signature,
                responses=tuple(responses.get(sig.id, [])),
                chain=signed_chain(sig),
                conditions=ApprovalTerms.stored(sig.conditions_json, sig.expires_on).conditions,
                expires_on=sig.expires_on,
                escalations=read_escalations(sig.escalations_json),
            )
        )
    return signatures


def _responses_of(session: Session, sig_ids: Sequence[int]) -> dict[int, list[ResponseInfo]]:
    """The checklist answers of the given sign-offs, by sign-off, in the template's order."""
    responses: dict[int, list[ResponseInfo]] = {}
    if not sig_ids:
        return responses
    for r in session.scalars(
        select(ReviewResponse)
        .where(ReviewResponse.signature_id.in_(sig_ids))
        .order_by(ReviewResponse.signature_id, ReviewResponse.position)
    ):
        responses.setdefault(r.signature_id, []).append(
            ResponseInfo(r.item_id, r.answer, r.note, r.automatic, r.evidence)
        )
    return responses


def load_reviews(session: Session, card_version_ids: Sequence[int]) -> dict[int, list[ReviewInfo]]:
    """The review rounds of the given card versions, with sign-offs and answers, oldest first."""
    if not card_version_ids:
        return {}
    rows = session.execute(
        select(Review, ChecklistTemplateRecord, CardVersion.version, Model.name)
        .join(ChecklistTemplateRecord, ChecklistTemplateRecord.id == Review.template_record_id)
        .join(CardVersion, CardVersion.id == Review.card_version_id)
        .join(Model, Model.id == CardVersion.model_id)
        .where(Review.card_version_id.in_(list(card_version_ids)))
        .order_by(Review.id)
    ).all()
    signatures = _signatures_of(session, [row[0].id for row in rows])
    out: dict[int, list[ReviewInfo]] = {}
    for review, record, version, model in rows:
        template = ChecklistTemplate.model_validate_json(record.content_json)
        out.setdefault(review.card_version_id, []).append(
            ReviewInfo(
                id=review.id,
                card_version_id=review.card_version_id,
                model=model,
                version=version,
                template_id=record.template_id,
                template_version=record.version,
                template_title=record.title,
                quorum=template.quorum,
                status=review.status,
                opened_at=review.opened_at,
                closed_at=review.closed_at,
                signatures=tuple(signatures.get(review.id, [])),
                stage=review.stage,
            )
        )
    return out
