"""The rules a sign-off must keep, checked before the key is unlocked and again when storing.

Each broken rule raises its own :class:`~countersign.services.reviews.errors.SignOffRefused`
(or an identity error) with a message for the officer; nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.models.card import ModelCard
from countersign.models.checklist import ChecklistItem
from countersign.models.tables import Bundle, CardVersion, Identity, Model
from countersign.models.vocabulary import (
    APPROVING_ROLES,
    AnswerValue,
    CardStatus,
    Decision,
    Role,
    StageStatus,
)
from countersign.services.identities.certificates import certificate_emails, load_certificate
from countersign.services.identities.errors import IdentityNotFound, IdentityRetired
from countersign.services.identities.identities import normalise_email
from countersign.services.reviews import conditions
from countersign.services.reviews.conditions import condition_problems, expiry_problems
from countersign.services.reviews.errors import (
    AlreadySigned,
    EscalationNeeded,
    ResponsesInvalid,
    ReviewClosed,
    RoleNotPermitted,
    SegregationOfDuties,
    SignOffRefused,
    StageRefused,
    TemplateNotApplicable,
    TermsRefused,
)
from countersign.services.reviews.escalations import holds
from countersign.services.reviews.records import (
    Answer,
    ReviewDraft,
    SignOffRequest,
)
from countersign.services.reviews.stages import template_serves

MAX_NOTE_CHARS = 10_000
"""A note or comment longer than this is refused."""

_EMAIL_SEPARATORS = re.compile(r"[\s<>()\[\]{},;:\"'`|]+")


def emails_in(text: str) -> set[str]:
    """The e-mail addresses in free text (``Jo <jo@x.org>``, ``mailto:jo@x.org``), lowercase."""
    found: set[str] = set()
    # Split on separators first: a single pass, no backtracking on long lines.
    for piece in _EMAIL_SEPARATORS.split(text):
        token = piece.strip(".").lower()
        local, at, domain = token.rpartition("@")
        if at and local and "." in domain:
            found.add(token)
    return found


def card_owner_emails(card: ModelCard) -> set[str]:
    """E-mail addresses of the card's owners, contacts and developers."""
    texts = [f"{o.name} {o.contact} {o.role}" for o in card.owners]
    texts += card.model_details.developers
    return set().union(*(emails_in(text) for text in texts)) if texts else set()


def active_signer(session: Session, email: str) -> Identity:
    """The active identity that would sign as ``email``; refused when retired or unknown."""
    folded = normalise_email(email)
    row = session.scalar(
        select(Identity).where(Identity.email == folded, Identity.retired_at.is_(None))
    )
    if row is None:
        any_row = session.scalar(select(Identity.id).where(Identity.email == folded))
        if any_row is not None:
            raise IdentityRetired(
                f"the identity of {folded} is retired and can no longer sign; "
                "its earlier signatures still verify"
            )
        raise IdentityNotFound(
            f"no identity for {folded}; create one with `countersign identity create`"
        )
    return row


def check_rules(
    session: Session, draft: ReviewDraft, request: SignOffRequest, signer: Identity
) -> None:
    """Raise the first rule ``request`` breaks for ``draft`` signed by ``signer``."""
    for problem in rule_problems(session, draft, request, signer):
        raise problem


def rule_problems(
    session: Session, draft: ReviewDraft, request: SignOffRequest, signer: Identity | None
) -> Iterator[SignOffRefused]:
    """Every rule ``request`` breaks, in the order a sign-off checks them.

    ``signer`` None (a dry run naming nobody) leaves out the rules about who signs.
    """
    what = f"{draft.model} {draft.version}"
    steps: list[Callable[[], None]] = [
        lambda: _check_open(session, draft, what, request.re_review),
        lambda: _check_template(draft, what),
        lambda: _check_decision(request, signer),
    ]
    for step in steps:
        try:
            step()
        except SignOffRefused as problem:
            yield problem
    yield from answer_problems(draft, request)
    yield from terms_problems(draft, request)
    if request.decision == Decision.APPROVE:
        try:
            _check_classified(draft, what)
        except SignOffRefused as problem:
            yield problem
    if signer is None:
        return
    try:
        _check_re_review(draft, request, signer)
        if request.decision == Decision.APPROVE:
            _check_segregation(session, draft, signer)
        _check_not_signed(draft, signer)
        if request.decision == Decision.APPROVE:
            _check_escalations(draft, signer)
    except SignOffRefused as problem:
        yield problem


def _article(word: str) -> str:
    return "an" if word[:1] in ("a", "e", "i", "o", "u") else "a"


def _check_escalations(draft: ReviewDraft, signer: Identity) -> None:
    """A plain approval is refused while an escalation's role has not approved the round."""
    earlier = draft.open_review.signatures if draft.open_review is not None else ()
    for view in draft.items:
        escalation = view.escalation
        if not view.escalates or escalation is None or not escalation.role:
            continue
        if holds(signer.role, escalation.role):
            continue
        key = view.item.escalation
        if any(s.decision == Decision.APPROVE and key in s.escalations.signed for s in earlier):
            continue
        evidence = view.automatic.evidence if view.automatic is not None else ""
        raise EscalationNeeded(
            f"item {view.item.id!r} failed its threshold ({evidence}); approving needs the "
            f"escalation {key!r}, {escalation.text}: {escalation.describe()}, which has not "
            f"signed this round. {signer.email} is {_article(signer.role)} {signer.role}, so a "
            f"plain approval is refused until {_article(escalation.role)} {escalation.role} "
            "approves (or request changes instead)"
        )


def _check_template(draft: ReviewDraft, what: str) -> None:
    template = draft.template.template
    if draft.open_review is not None:
        ref = f"{draft.open_review.template_id}@{draft.open_review.template_version}"
        if ref != template.reference:
            raise TemplateNotApplicable(
                f"the open review of {what} uses checklist {ref}; sign it with that template, "
                f"not {template.reference}"
            )
    elif not template_serves(template.risk_tiers, draft.risk_tier):
        tiers = ", ".join(template.risk_tiers)
        raise TemplateNotApplicable(
            f"checklist {template.reference} is for {tiers} risk cards, and {what} is "
            f"{draft.risk_tier} risk; choose a template for that tier or a stricter one"
        )
    if draft.open_review is None and not template.serves_stage(draft.stage):
        raise TemplateNotApplicable(
            f"checklist {template.reference} serves the stages {', '.join(template.stages)}, "
            f"not {draft.stage}; choose a template for {draft.stage}"
        )


def _check_decision(request: SignOffRequest, signer: Identity | None) -> None:
    if not Decision.known(request.decision):
        raise SignOffRefused(
            f"unknown decision {request.decision!r}; decide one of {', '.join(Decision)}"
        )
    if signer is not None and not signer.role:
        raise RoleNotPermitted(
            f"{signer.email} has no role yet and signs nothing; an officer grants one with "
            f"`countersign identity grant {signer.email} --role reviewer|approver|officer "
            "--identity OFFICER_EMAIL`"
        )
    if (
        signer is not None
        and request.decision == Decision.APPROVE
        and signer.role not in APPROVING_ROLES
    ):
        raise RoleNotPermitted(
            f"{signer.email} is a {signer.role} and cannot approve; an approver or officer "
            "must sign the approval (a reviewer may request changes or reject)"
        )
    if len(request.comment) > MAX_NOTE_CHARS:
        raise SignOffRefused(f"the comment is longer than {MAX_NOTE_CHARS:,} characters")


def _check_classified(draft: ReviewDraft, what: str) -> None:
    if draft.last_stage and not draft.classified and draft.risk_tier == "unknown":
        raise StageRefused(
            f"{what} is not classified and its card states no risk rating, so it cannot be "
            f"approved for {draft.stage}; an officer must classify it first "
            "(`countersign classify`, or Classify… on the model page)"
        )


def _check_re_review(draft: ReviewDraft, request: SignOffRequest, signer: Identity) -> None:
    """A re-review of an approval that still holds suspends it: only an officer asks for one."""
    if (
        request.re_review
        and draft.stage_status == StageStatus.APPROVED
        and signer.role != Role.OFFICER
    ):
        raise RoleNotPermitted(
            f"{signer.email} has the role {signer.role}; only an officer asks for a re-review of an "
            f"approval that still holds (it is suspended until the new round decides)"
        )


def _check_open(session: Session, draft: ReviewDraft, what: str, re_review: bool = False) -> None:
    if re_review and (
        draft.status == CardStatus.SUPERSEDED
        or draft.stage_status not in (StageStatus.APPROVED, StageStatus.EXPIRED)
    ):
        raise ReviewClosed(
            f"{what} is {draft.status if draft.status == CardStatus.SUPERSEDED else draft.stage_status} "
            f"for {draft.stage}: only an approval (that holds or has expired) of a version not "
            "superseded is re-reviewed"
        )
    if draft.status == CardStatus.SUPERSEDED and draft.stage_status != StageStatus.APPROVED:
        newest = session.scalar(
            select(CardVersion.version)
            .join(Model, Model.id == CardVersion.model_id)
            .where(Model.name == draft.model)
            .order_by(CardVersion.seq.desc())
            .limit(1)
        )
        raise ReviewClosed(
            f"{what} was superseded by version {newest}; review the newest version instead"
        )
    status = draft.stage_status
    if status == StageStatus.APPROVED and not re_review:
        raise ReviewClosed(
            f"{what} is already decided (approved) for {draft.stage}; a card version never "
            "changes, so a new review needs a new version from the team (or an officer asks "
            "for a re-review: --re-review)"
        )
    if status == StageStatus.REVOKED:
        raise ReviewClosed(
            f"the approval of {what} for {draft.stage} was revoked; a new review needs a new "
            "version from the team"
        )
    if status not in (
        StageStatus.NOT_REQUESTED,
        StageStatus.IN_REVIEW,
        StageStatus.EXPIRED,
        StageStatus.APPROVED,
    ):
        raise ReviewClosed(
            f"{what} is already decided ({status}) for {draft.stage}; a card version never "
            "changes, so a new review needs a new version from the team"
        )
    for state in draft.stage_states:
        if state.stage == draft.stage:
            break
        if state.status != StageStatus.APPROVED:
            raise StageRefused(
                f"{what} is {state.status} for {state.stage}; approval for {draft.stage} needs "
                f"approval for every earlier stage, so review it for {state.stage} first"
            )


def answer_problems(draft: ReviewDraft, request: SignOffRequest) -> Iterator[ResponsesInvalid]:
    """Every problem of ``request``'s answers for ``draft``'s checklist, in checklist order.

    The sign-off refuses the first; a dry run lists them all at once.
    """
    template = draft.template.template
    source = request.source
    known = [item.id for item in template.items]
    unknown = [item_id for item_id in request.answers if item_id not in known]
    if unknown:
        yield ResponsesInvalid(
            f"unknown checklist item {', '.join(repr(u) for u in unknown)}; the items of "
            f"{template.reference} are {', '.join(known)}",
            source,
            unknown[0],
        )
    missing = [i.id for i in template.items if i.required and i.id not in request.answers]
    if missing:
        yield ResponsesInvalid(
            f"required item{'s' if len(missing) > 1 else ''} not answered: {', '.join(missing)}",
            source,
            missing[0],
        )
    for item in template.items:
        answer = request.answers.get(item.id)
        if answer is None:
            continue
        problem = _answer_problem(draft, item, answer, source)
        if problem is not None:
            yield problem
        if (
            request.decision == Decision.APPROVE
            and item.required
            and answer.answer == AnswerValue.FAIL
        ):
            yield ResponsesInvalid(
                f"required item {item.id!r} is answered fail, so the card cannot be approved; "
                "request changes instead",
                source,
                item.id,
            )


def terms_problems(draft: ReviewDraft, request: SignOffRequest) -> Iterator[TermsRefused]:
    """Every problem of the approval's conditions and expiry (none for a sign-off without them).

    Conditions and an expiry belong to an approval; the template's longest validity
    for the card's risk tier makes an expiry required and bounds it.
    """
    terms = request.terms
    if request.decision != Decision.APPROVE:
        if terms.conditions or terms.expires is not None:
            yield TermsRefused(
                "conditions and an expiry date belong to an approval; a request for changes "
                "or a rejection carries neither (say it in the comment)"
            )
        return
    yield from condition_problems(terms.conditions)
    yield from expiry_problems(terms, conditions.today(), draft.longest_validity, draft.risk_tier)


def _answer_problem(
    draft: ReviewDraft, item: ChecklistItem, answer: Answer, source: str
) -> ResponsesInvalid | None:
    if not AnswerValue.known(answer.answer):
        return ResponsesInvalid(
            f"the answer {str(answer.answer)!r} is not one of {', '.join(AnswerValue)}",
            source,
            f"{item.id}.answer",
        )
    if len(answer.note) > MAX_NOTE_CHARS:
        return ResponsesInvalid(
            f"the note is longer than {MAX_NOTE_CHARS:,} characters", source, f"{item.id}.note"
        )
    if answer.note.strip():
        return None
    automatic = draft.automatic(item.id)
    escalates = any(view.item.id == item.id and view.escalates for view in draft.items)
    if answer.answer == AnswerValue.FAIL:
        reason = "a fail needs a note saying what is wrong"
    elif escalates and automatic is not None:
        reason = (
            f"the threshold check failed ({automatic.evidence}); answering "
            f"{AnswerValue.word(answer.answer)} needs a note saying why, and approving needs "
            "the escalation the template names"
        )
    elif answer.answer == AnswerValue.NA and item.required:
        reason = "a required item answered not applicable needs a note saying why"
    elif answer.answer == AnswerValue.PASS and automatic is not None and not automatic.passed:
        reason = (
            f"the automatic check failed ({automatic.evidence}); answering pass needs a "
            "note saying why"
        )
    else:
        return None
    return ResponsesInvalid(reason, source, f"{item.id}.note")


def _check_segregation(session: Session, draft: ReviewDraft, signer: Identity) -> None:
    what = f"{draft.model} {draft.version}"
    if signer.email in card_owner_emails(draft.card):
        raise SegregationOfDuties(
            f"{signer.email} is named among the owners or developers of {what}, so cannot "
            "approve it (segregation of duties); someone independent must approve"
        )
    bundle = session.scalar(
        select(Bundle)
        .join(CardVersion, CardVersion.bundle_id == Bundle.id)
        .where(CardVersion.id == draft.card_version_id)
    )
    if bundle is None or not bundle.signer_fingerprint:
        return
    signed_it = bundle.signer_fingerprint == signer.fingerprint
    if not signed_it and bundle.signer_certificate_pem:
        try:
            bundle_cert = load_certificate(bundle.signer_certificate_pem)
        except ValueError:
            bundle_cert = None
        signed_it = bundle_cert is not None and signer.email in certificate_emails(bundle_cert)
    if signed_it:
        raise SegregationOfDuties(
            f"{signer.email} signed the bundle {bundle.file_name} that brought {what}, so "
            "cannot approve it (segregation of duties); someone independent must approve"
        )


def _check_not_signed(draft: ReviewDraft, signer: Identity) -> None:
    review = draft.open_review
    if review is None:
        return
    earlier = next((s for s in review.signatures if s.signer_email == signer.email), None)
    if earlier is not None:
        raise AlreadySigned(
            f"{signer.email} already signed this review of {draft.model} {draft.version} "
            f"({Decision.word(earlier.decision)}, {earlier.signed_at[:16]}Z); "
            "nobody signs the same round twice"
        )
