"""Reviews and signed sign-offs: the rules that turn checklist answers into a decision.

A review round checks one card version against one checklist template.  Each
sign-off answers the checklist, decides (approve, request changes, reject),
and is signed with the reviewer's key over the payload of
:mod:`countersign.services.reviews.signoff_payload`.  The rules:

* the card version is approved once the template's quorum of distinct
  approvers has signed *approve*; one *changes* or *reject* ends the round;
* only approvers and officers may approve; nobody may approve a card whose
  owners or developers name their e-mail address, or a bundle they signed;
* nobody signs the same round twice;
* required items must be answered, only the template's items may be; a
  *fail*, a *not applicable* on a required item, or a *pass* over a failed
  automatic check needs a note; nobody approves with a required item failed;
* a decided or superseded card version takes no more sign-offs.

A view drives this in two steps: :meth:`Reviews.prepare` gives the items with
their automatic results and evidence, :meth:`Reviews.sign` checks every rule,
unlocks the key and stores the sign-off with its audit events in one
transaction.  A refusal raises a :class:`~countersign.services.reviews.errors.SignOffRefused`
(or an identity error) and stores nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from countersign.errors import CountersignError
from countersign.models.card import ModelCard
from countersign.models.tables import CardVersion, Model, Review, ReviewResponse, Signature
from countersign.models.vocabulary import AuditAction, AuditObject, CardStatus
from countersign.services.audit.trail import EventDraft, append_events
from countersign.services.identities.identities import Identities, SigningKey
from countersign.services.policy.policies import freeze_policy_in_force, judge_in_force
from countersign.services.registry import card_version_not_found, where_card_version
from countersign.services.reviews.checklists import (
    TemplateInfo,
    all_templates,
    default_template_ids,
    resolve_template,
    use_template,
)
from countersign.services.reviews.checks import run_check
from countersign.services.reviews.errors import (
    SignOffRefused,
    StageRefused,
    TemplateNotApplicable,
)
from countersign.services.reviews.escalations import SignedEscalations, missing, of_signoff
from countersign.services.reviews.records import (
    Answer,
    ItemView,
    ResponseInfo,
    ReviewDraft,
    ReviewInfo,
    SignatureInfo,
    SignOffRequest,
    SignOffResult,
    load_reviews,
    round_status,
    vote_of,
)
from countersign.services.reviews.rules import active_signer, check_rules, rule_problems
from countersign.services.reviews.signoff_payload import (
    SignedResponse,
    SignoffContent,
    payload_bytes,
    signature_matches,
    signoff_payload,
)
from countersign.services.reviews.stages import (
    StageState,
    classification_for,
    effective_tier,
    last_approved,
    next_stage,
    stage_states,
)
from countersign.services.reviews.thresholds import Baseline
from countersign.services.storage.database import Database, utc_now
from countersign.services.trust.acts import chain_head

__all__ = [
    "Answer",
    "ItemView",
    "ResponseInfo",
    "ReviewDraft",
    "ReviewInfo",
    "Reviews",
    "SignOffRequest",
    "SignOffResult",
    "SignatureInfo",
]


class Reviews:
    """Reviews and sign-offs of one registry."""

    def __init__(self, database: Database, identities: Identities) -> None:
        self.database = database
        self.identities = identities

    # -- reading ------------------------------------------------------------------

    def templates_for(self, model: str, version: str | None = None) -> list[TemplateInfo]:
        """The newest version of each template that applies to the card version's risk tier."""
        with self.database.read() as session:
            cv, _model_row = _card_version(session, model, version)
            tier = _risk_tier(session, cv, _model_row)
            newest: dict[str, TemplateInfo] = {}
            for info in all_templates(session):
                if info.template.applies_to(tier):
                    newest[info.template.id] = info  # sorted by version: the last wins
            return list(newest.values())

    def stages_for(self, model: str, version: str | None = None) -> list[StageState]:
        """The card version's status for each stage of the registry, in order."""
        with self.database.read() as session:
            cv, _model_row = _card_version(session, model, version)
            return stage_states(session, cv)

    def reviews_for(self, model: str, version: str | None = None) -> list[ReviewInfo]:
        """Every review round of a card version, oldest first."""
        with self.database.read() as session:
            cv, _model_row = _card_version(session, model, version)
            return load_reviews(session, [cv.id]).get(cv.id, [])

    def prepare(
        self,
        model: str,
        version: str | None = None,
        template: str | None = None,
        stage: str | None = None,
    ) -> ReviewDraft:
        """The checklist for a card version and stage: items with automatic results and evidence.

        Without ``template``: the open round's template, else the one template
        that applies to the card's risk tier.  Without ``stage``: the first
        stage the version is not approved for.
        """
        with self.database.read() as session:
            return _draft(session, model, version, template, stage)

    # -- signing ------------------------------------------------------------------

    def check(self, request: SignOffRequest) -> ReviewDraft:
        """Check every rule that needs no key; raises the refusal, stores nothing."""
        with self.database.read() as session:
            draft = _draft(session, request.model, request.version, request.template, request.stage)
            signer = active_signer(session, request.identity)
            check_rules(session, draft, request, signer)
            return draft

    def dry_run(self, request: SignOffRequest) -> DryRun:
        """What signing ``request`` would meet: the checklist's automatic results and every
        rule it breaks, all at once.  Nothing is signed or stored, no key is touched.

        An empty ``identity`` leaves out the rules about who signs.  A card version or
        template that cannot be found is still refused (there is nothing to check against).
        """
        with self.database.read() as session:
            draft = _draft(
                session, request.model, request.version, request.template or None, request.stage
            )
            problems: list[CountersignError] = []
            signer = None
            if request.identity:
                try:
                    signer = active_signer(session, request.identity)
                except CountersignError as problem:  # unknown or retired identity
                    problems.append(problem)
            problems.extend(rule_problems(session, draft, request, signer))
            return DryRun(draft, problems)

    def sign(self, request: SignOffRequest, passphrase: str) -> SignOffResult:
        """Check the rules, unlock the signer's key, sign and store the sign-off, all or nothing.

        The payload is signed inside the write transaction: it names the audit
        chain's head that the sign-off's own events extend.
        """
        draft = self.check(request)
        signing = self.identities.unlock(request.identity, passphrase)
        responses = _signed_responses(draft, request.answers)
        signed_at = utc_now()
        with self.database.write() as session:
            # Again inside the write transaction: another officer may have signed meanwhile.
            fresh = _draft(session, request.model, request.version, request.template, draft.stage)
            if fresh.template.sha256 != draft.template.sha256:
                raise SignOffRefused("the checklist template changed while it was open; try again")
            check_rules(session, fresh, request, active_signer(session, request.identity))
            escalations = of_signoff(
                fresh.template.template,
                (view.item.id for view in fresh.items if view.escalates),
                signing.identity.role,
                request.decision,
            )
            head = chain_head(session)
            payload = signoff_payload(
                SignoffContent(
                    card_version_sha256=fresh.card_sha256,
                    model=fresh.model,
                    version=fresh.version,
                    template_id=fresh.template.template.id,
                    template_version=fresh.template.template.version,
                    responses=responses,
                    decision=request.decision,
                    comment=request.comment.strip(),
                    signed_at=signed_at,
                    signer_fingerprint=signing.identity.fingerprint,
                    chain=(head.seq, head.hash),
                    stage=fresh.stage,
                    artifacts=fresh.artifacts,
                    terms=request.terms,
                    escalations=escalations.as_json(),
                )
            )
            signature = signing.sign(payload_bytes(payload))
            if not signature_matches(signing.identity.certificate_pem, payload, signature):
                raise SignOffRefused("the signature does not verify against the certificate")
            signed = _Signed(signing, responses, signed_at, signature, payload, escalations)
            return _store(session, fresh, request, signed)


# -- the card version and its checklist ------------------------------------------


def _card_version(session: Session, model: str, version: str | None) -> tuple[CardVersion, Model]:
    query = select(CardVersion, Model).join(Model, Model.id == CardVersion.model_id)
    row = session.execute(where_card_version(query, model, version)).first()
    if row is None:
        raise card_version_not_found(session, model, version)
    return row[0], row[1]


@dataclass(frozen=True)
class DryRun:
    """A sign-off checked without signing: the checklist as drafted, and every problem found."""

    draft: ReviewDraft
    problems: list[CountersignError]

    @property
    def ok(self) -> bool:
        """Whether the sign-off would be accepted (a wrong passphrase aside)."""
        return not self.problems


def _risk_tier(session: Session, cv: CardVersion, model: Model) -> str:
    return effective_tier(session, cv, model.risk_tier)


def _draft(
    session: Session,
    model: str,
    version: str | None,
    template: str | None,
    stage: str | None = None,
) -> ReviewDraft:
    cv, model_row = _card_version(session, model, version)
    card = ModelCard.model_validate_json(cv.canonical_json)
    warnings = list(json.loads(cv.warnings_json))
    tier = _risk_tier(session, cv, model_row)
    states = tuple(stage_states(session, cv))
    names = [s.stage for s in states]
    if stage is None:
        stage = next_stage(states) or names[-1]
    elif stage not in names:
        raise StageRefused(
            f"{stage!r} is not a stage of this registry; its stages are {', '.join(names)}"
        )
    reviews = load_reviews(session, [cv.id]).get(cv.id, [])
    open_review = next((r for r in reviews if r.open and r.stage in (stage, None)), None)
    if template is None:
        if open_review is not None:
            template = f"{open_review.template_id}@{open_review.template_version}"
        else:
            template = _only_applicable(session, tier, model_row.name, cv.version)
    info = resolve_template(session, template)
    approved = last_approved(session, cv, stage)
    baseline = (
        Baseline(approved.version, stage, ModelCard.model_validate_json(approved.canonical_json))
        if approved is not None
        else None
    )
    policy = judge_in_force(session)
    items = [
        ItemView(
            item,
            run_check(item.check, card, warnings, baseline, policy) if item.check else None,
            info.template.escalation_of(item),
        )
        for item in info.template.items
    ]
    return ReviewDraft(
        card_version_id=cv.id,
        model=model_row.name,
        version=cv.version,
        card_sha256=cv.sha256,
        status=cv.status,
        risk_tier=tier,
        card=card,
        warnings=warnings,
        template=info,
        items=items,
        open_review=open_review,
        stage=stage,
        stage_states=states,
        classified=classification_for(session, cv) is not None,
        artifacts=tuple(json.loads(cv.artifacts_json)),
    )


def _only_applicable(session: Session, tier: str, model: str, version: str) -> str:
    ids = default_template_ids(all_templates(session), tier)
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise TemplateNotApplicable(
            f"no checklist template applies to {model} {version} ({tier} risk); import one"
        )
    raise TemplateNotApplicable(
        f"several checklist templates apply to {model} {version} ({tier} risk): "
        f"{', '.join(ids)}; choose one"
    )


# -- storing ----------------------------------------------------------------------------


def _signed_responses(draft: ReviewDraft, answers: Mapping[str, Answer]) -> list[SignedResponse]:
    out = []
    for view in draft.items:
        answer = answers.get(view.item.id)
        if answer is None:
            continue
        out.append(
            SignedResponse(
                item=view.item.id,
                answer=answer.answer,
                note=answer.note.strip(),
                automatic=view.automatic.result if view.automatic else "",
                evidence=view.automatic.evidence if view.automatic else "",
            )
        )
    return out


@dataclass(frozen=True)
class _Signed:
    """A sign-off as signed, before it is stored: the key, the answers, the time, the payload."""

    signing: SigningKey
    responses: list[SignedResponse]
    signed_at: str
    signature: bytes
    payload: dict[str, Any]
    escalations: SignedEscalations

    @property
    def actor(self) -> str:
        """Who signed (the audit events' actor)."""
        return self.signing.identity.email


def _store(
    session: Session, draft: ReviewDraft, request: SignOffRequest, signed: _Signed
) -> SignOffResult:
    """Write the sign-off, its answers, the round's and card's new status, and audit events."""
    events: list[EventDraft] = []
    record = use_template(session, draft.template, signed.actor)
    freeze_policy_in_force(session, signed.actor)
    review_row = _round(session, draft, record.id, signed, events)
    signature_row = _store_signature(session, review_row, request, signed)
    template = draft.template.template
    earlier = (
        [vote_of(s, template) for s in draft.open_review.signatures] if draft.open_review else []
    )
    votes = [*earlier, signed.escalations.vote(signed.actor, request.decision, template)]
    status = round_status(votes, template.quorum)
    digest = hashlib.sha256(payload_bytes(signed.payload)).hexdigest()
    events.append(
        EventDraft(
            AuditAction.REVIEW_SIGNED,
            AuditObject.SIGNATURE,
            str(signature_row.id),
            signed.actor,
            {
                "review": review_row.id,
                "version": draft.version,
                "card_sha256": draft.card_sha256,
                "template": draft.template.reference,
                "decision": request.decision,
                "stage": draft.stage,
                "signer": signed.signing.identity.email,
                "signer_fingerprint": signed.signing.identity.fingerprint,
                "payload_sha256": digest,
                "chain": signed.payload["chain"],
                **request.terms.payload_members(),
            },
            model_name=draft.model,
        )
    )
    review_row.status = status
    _close_round(session, draft, review_row, signed, events)
    append_events(session, events)
    session.flush()
    reviews = load_reviews(session, [draft.card_version_id])[draft.card_version_id]
    return SignOffResult(
        review=next(r for r in reviews if r.id == review_row.id),
        signature_id=signature_row.id,
        card_status=status,
        payload_sha256=digest,
        lacking=tuple(missing(votes, template.quorum)) if status == CardStatus.IN_REVIEW else (),
    )


def _store_signature(
    session: Session, review_row: Review, request: SignOffRequest, signed: _Signed
) -> Signature:
    """The signature row and its answers, in the template's item order."""
    identity = signed.signing.identity
    signature_row = Signature(
        review_id=review_row.id,
        identity_id=identity.id,
        decision=request.decision,
        comment=request.comment.strip(),
        signed_at=signed.signed_at,
        signer_fingerprint=identity.fingerprint,
        signature=signed.signature,
        chain_seq=signed.payload["chain"]["seq"],
        chain_hash=signed.payload["chain"]["hash"],
        conditions_json=json.dumps(list(request.terms.conditions), ensure_ascii=False),
        expires_on=request.terms.expires_on,
        escalations_json=signed.escalations.stored(),
    )
    session.add(signature_row)
    session.flush()
    session.add_all(
        ReviewResponse(
            signature_id=signature_row.id,
            position=position,
            item_id=response.item,
            answer=response.answer,
            note=response.note,
            automatic=response.automatic,
            evidence=response.evidence,
        )
        for position, response in enumerate(signed.responses)
    )
    return signature_row


def _close_round(
    session: Session,
    draft: ReviewDraft,
    review_row: Review,
    signed: _Signed,
    events: list[EventDraft],
) -> None:
    """Close a decided round; the card version takes the round's status, with its event."""
    status = review_row.status
    if status != CardStatus.IN_REVIEW:
        review_row.closed_at = signed.signed_at
    if draft.status == status:
        return
    events.append(
        EventDraft(
            AuditAction.CARD_VERSION_STATUS_CHANGED,
            AuditObject.CARD_VERSION,
            str(draft.card_version_id),
            signed.actor,
            {
                "version": draft.version,
                "from": draft.status,
                "to": status,
                "review": review_row.id,
            },
            model_name=draft.model,
        )
    )
    _set_card_status(session, draft.card_version_id, status, signed.signed_at)


def _round(
    session: Session,
    draft: ReviewDraft,
    template_record_id: int,
    signed: _Signed,
    events: list[EventDraft],
) -> Review:
    """The open review round of the card version, opened now if there is none."""
    if draft.open_review is not None:
        row = session.get(Review, draft.open_review.id)
        assert row is not None, "the open round was read in this transaction"
        return row
    row = Review(
        card_version_id=draft.card_version_id,
        template_record_id=template_record_id,
        status=CardStatus.IN_REVIEW,
        opened_at=signed.signed_at,
        closed_at=None,
        stage=draft.stage,
    )
    session.add(row)
    session.flush()
    events.append(
        EventDraft(
            AuditAction.REVIEW_OPENED,
            AuditObject.REVIEW,
            str(row.id),
            signed.actor,
            {
                "version": draft.version,
                "template": draft.template.reference,
                "stage": draft.stage,
            },
            model_name=draft.model,
        )
    )
    return row


def _set_card_status(session: Session, card_version_id: int, status: str, now: str) -> None:
    """Set a card version's status; the model row mirrors its newest version's status."""
    cv = session.get(CardVersion, card_version_id)
    assert cv is not None
    cv.status = status
    model = session.get(Model, cv.model_id)
    assert model is not None
    newest = session.scalar(
        select(func.max(CardVersion.seq)).where(CardVersion.model_id == cv.model_id)
    )
    if newest == cv.seq:
        model.status = status
    model.last_activity = now
