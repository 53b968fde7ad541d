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

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from countersign.models.checklist import ChecklistTemplate, Escalation
from countersign.models.vocabulary import APPROVING_ROLES, CardStatus, Decision, Role


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
    if wanted == Role.APPROVER:
        return role in APPROVING_ROLES
    return bool(wanted) and role == wanted


@dataclass(frozen=True)
class SignedEscalations:
    """What one sign-off signs about escalations: the ones needed and the ones it fulfils."""

    needed: tuple[str, ...]
    """Escalation ids its failed threshold items needed, sorted."""
    signed: tuple[str, ...]
    """Escalation ids its signer fulfilled by their role (approvals only), sorted."""
    role: str = ""
    """The role the signer held when fulfilling them (empty when it fulfilled none)."""

    def as_json(self) -> dict[str, Any] | None:
        """The part of the signed payload (None when the sign-off met no escalation)."""
        if not self.needed and not self.signed:
            return None
        out: dict[str, Any] = {"needed": list(self.needed), "signed": list(self.signed)}
        if self.signed:
            out["role"] = self.role
        return out

    def stored(self) -> str:
        """The text of the sign-off row's ``escalations_json`` column."""
        return json.dumps(self.as_json() or {}, sort_keys=True)

    def vote(self, signer: str, decision: str, template: ChecklistTemplate | None) -> Vote:
        """How the sign-off counts in its round under ``template`` (its escalations' terms)."""
        known = template.escalations if template is not None else {}
        needs = {key: known[key] for key in self.needed if key in known}
        # Only what the role it signed with may fulfil counts.
        signs = {key for key in self.signed if key in known and holds(self.role, known[key].role)}
        return Vote(signer, decision, needs, frozenset(signs))


UNREADABLE = "(unreadable)"
"""Stands for a stored list that cannot be read; the signature then no longer matches."""


def read_escalations(stored: str) -> SignedEscalations:
    """The escalations a sign-off row records (``{}`` or empty: none)."""
    try:
        value = json.loads(stored or "{}")
    except ValueError:
        value = None
    return escalations_from(value)


def escalations_from(value: object) -> SignedEscalations:
    """The escalations of a payload's ``escalations`` part (None: none)."""
    if value is None:
        return SignedEscalations((), ())
    if not isinstance(value, dict):
        return SignedEscalations((UNREADABLE,), ())
    lists = [value.get("needed", []), value.get("signed", [])]
    if not all(isinstance(v, list) for v in lists):
        return SignedEscalations((UNREADABLE,), ())
    needed, signed = (tuple(str(x) for x in v) for v in lists)
    return SignedEscalations(needed, signed, str(value.get("role", "")))


def fulfilled_by(role: str, needs: Mapping[str, Escalation]) -> frozenset[str]:
    """The escalations among ``needs`` an approval by a ``role`` fulfils."""
    return frozenset(key for key, e in needs.items() if e.role and holds(role, e.role))


def of_signoff(
    template: ChecklistTemplate, escalating: Iterable[str], role: str, decision: str
) -> SignedEscalations:
    """What a sign-off signs: the escalations its ``escalating`` items (their thresholds
    broken) need, and those its signer's ``role`` fulfils (only an approval fulfils any)."""
    needs: dict[str, Escalation] = {}
    for item_id in escalating:
        item = template.item(item_id)
        escalation = template.escalation_of(item) if item is not None else None
        if item is not None and escalation is not None:
            needs[item.escalation] = escalation
    signs = fulfilled_by(role, needs) if decision == Decision.APPROVE else frozenset()
    return SignedEscalations(tuple(sorted(needs)), tuple(sorted(signs)), role if signs else "")


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
