"""Escalations: what approving a card that fails a threshold takes, beyond a note.

A template names its escalations (``escalations:``) and a threshold or
regression item names the one it needs.  When that item's automatic check
fails, approving the card needs the escalation: an approval by an identity
holding a role (an officer), or more approvals than the quorum, or both.  A
plain approval is refused while a role the escalation asks for has not
approved the round; the round is approved only when the quorum, the extra
approvals and every role asked for are there.  Each sign-off signs the
escalations its answers needed and the ones its signer's role fulfils, so
that verification re-derives the round's status from the signed rows alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from countersign.models.checklist import ChecklistTemplate, Escalation
from countersign.models.vocabulary import APPROVING_ROLES, AnswerValue, CardStatus, Decision


@dataclass(frozen=True)
class Vote:
    """One sign-off as the round counts it: who, what they decided, and its escalations."""

    signer: str
    decision: str
    needs: Mapping[str, Escalation] = field(default_factory=dict)
    """The escalations the sign-off's answers needed (its failed threshold items), by id."""
    signs: frozenset[str] = frozenset()
    """The escalations the sign-off fulfils (its signer held the role asked for)."""


def holds(role: str, wanted: str) -> bool:
    """Whether an identity holding ``role`` fulfils an escalation asking for ``wanted``.

    An officer may do all an approver may; an officer's role is asked by name.
    """
    if wanted == "approver":
        return role in APPROVING_ROLES
    return bool(wanted) and role == wanted


def needed(template: ChecklistTemplate, failed_items: Iterable[str]) -> dict[str, Escalation]:
    """The escalations the failed automatic checks of ``failed_items`` make necessary, by id."""
    out: dict[str, Escalation] = {}
    for item_id in failed_items:
        item = template.item(item_id)
        escalation = template.escalation_of(item) if item is not None else None
        if escalation is not None and item is not None:
            out[item.escalation] = escalation
    return out


def fulfilled_by(role: str, needs: Mapping[str, Escalation]) -> frozenset[str]:
    """The escalations among ``needs`` an approval by a ``role`` fulfils."""
    return frozenset(key for key, e in needs.items() if e.role and holds(role, e.role))


def of_signoff(
    template: ChecklistTemplate, responses: Iterable[tuple[str, str]], role: str, decision: str
) -> tuple[dict[str, Escalation], frozenset[str]]:
    """What a sign-off's ``(item, automatic result)`` answers need, and what its signer fulfils.

    Only an approval fulfils an escalation.
    """
    needs = needed(template, failed_items(responses))
    signs = fulfilled_by(role, needs) if decision == Decision.APPROVE else frozenset()
    return needs, signs


def missing(votes: Sequence[Vote], quorum: int) -> list[str]:
    """What the approvals of ``votes`` still lack, in words (empty: the round is approved)."""
    approvals = [v for v in votes if v.decision == Decision.APPROVE]
    needs: dict[str, Escalation] = {}
    for vote in approvals:
        needs.update(vote.needs)
    signers = {v.signer for v in approvals}
    wanted = quorum + sum(e.approvals for e in needs.values())
    lacking = []
    if len(signers) < wanted:
        extra = wanted - quorum
        because = f" ({quorum} + {extra} for escalation)" if extra else ""
        lacking.append(f"{wanted - len(signers)} more approval(s) of {wanted}{because}")
    signed = frozenset().union(*(v.signs for v in approvals)) if approvals else frozenset()
    for key, escalation in needs.items():
        if escalation.role and key not in signed:
            lacking.append(f"escalation {key!r}: {escalation.describe()}")
    return lacking


def round_outcome(votes: Sequence[Vote], quorum: int) -> CardStatus:
    """The status of a round from its sign-offs in signing order, escalations included."""
    for index, vote in enumerate(votes):
        if vote.decision in (Decision.CHANGES, Decision.REJECT):
            return Decision(vote.decision).outcome
        if vote.decision == Decision.APPROVE and not missing(votes[: index + 1], quorum):
            return CardStatus.APPROVED
    return CardStatus.IN_REVIEW


def failed_items(responses: Iterable[tuple[str, str]]) -> list[str]:
    """The item ids whose automatic result was ``fail``, from ``(item, automatic)`` pairs."""
    return [item for item, automatic in responses if automatic == AnswerValue.FAIL]
