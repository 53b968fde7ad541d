"""The escalations of a review round in words: what its failed thresholds needed, who signed.

A threshold or regression item whose automatic check failed needs the
escalation its template names (an approval by an officer, more approvals).
Each sign-off signs the escalations its answers needed and those its signer
fulfilled by their role; the report prints them beside the decision (cover),
under each round's status (checklist) and in each sign-off's facts, so that a
reader sees why a decision took more than the quorum, and who carried it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.platypus.flowables import Flowable

from countersign.models.vocabulary import AnswerValue, CardStatus, Decision
from countersign.services.reports.data import ChecklistRound, ReportData, SignOffRecord
from countersign.services.reports.pdf.flowables import TextBlock
from countersign.services.reports.pdf.layout import Span
from countersign.services.reports.pdf.styles import BODY
from countersign.services.reviews.escalations import SignedEscalations


@dataclass(frozen=True)
class RoundEscalation:
    """One escalation a round's answers needed: what it asks, why, and who fulfilled it."""

    key: str
    text: str
    """The template's words for it (empty when the template is not in the registry)."""
    asks: str
    """What it takes, in words (``an approval by an officer``)."""
    items: tuple[str, ...]
    """The items whose failed check needed it."""
    signers: tuple[str, ...]
    """Who fulfilled it: ``Ola Officer (officer)``, marked when the signature fails."""
    role: str = ""
    """The role it asks an approval from (empty: it asks only more approvals)."""

    def sentence(self) -> str:
        """``fair-lending — Fair lending review (an approval by an officer), needed because
        adverse-impact failed its threshold: signed by Ola Officer (officer).``"""
        about = f" — {self.text}" if self.text else ""
        asks = f" ({self.asks})" if self.asks else ""
        because = (
            f", needed because {', '.join(self.items)} failed "
            f"{'its threshold' if len(self.items) == 1 else 'their thresholds'}"
            if self.items
            else ", needed by the answers signed"
        )
        if self.signers:
            done = f"signed by {', '.join(self.signers)}"
        elif self.role:
            done = f"NOT signed by an approving {self.role}"
        elif self.asks:
            done = "the round's count of approvals includes it"
        else:
            done = "its terms are not in the registry's copy of the template"
        return f"{self.key}{about}{asks}{because}: {done}."


def round_escalations(checklist_round: ChecklistRound) -> list[RoundEscalation]:
    """Every escalation a sign-off of the round signed as needed, in id order."""
    needed = sorted(
        {key for record in checklist_round.signoffs for key in _escalations(record).needed}
    )
    template = checklist_round.template
    known = template.escalations if template is not None else {}
    out = []
    for key in needed:
        escalation = known.get(key)
        out.append(
            RoundEscalation(
                key=key,
                text=escalation.text if escalation else "",
                asks=escalation.describe() if escalation else "",
                items=_failed_items(checklist_round, key),
                signers=tuple(
                    _signer(record)
                    for record in checklist_round.signoffs
                    if key in _escalations(record).signed
                ),
                role=escalation.role if escalation else "",
            )
        )
    return out


def _escalations(record: SignOffRecord) -> SignedEscalations:
    return record.signature.escalations


def _failed_items(checklist_round: ChecklistRound, key: str) -> tuple[str, ...]:
    """The items naming escalation ``key`` whose automatic check failed in a sign-off."""
    template = checklist_round.template
    if template is None:
        return ()
    naming = [item.id for item in template.items if item.escalation == key]
    failed = {
        response.item
        for record in checklist_round.signoffs
        for response in record.signature.responses
        if response.automatic == AnswerValue.FAIL
    }
    return tuple(item for item in naming if item in failed)


def _signer(record: SignOffRecord) -> str:
    s = record.signature
    role = s.escalations.role or s.signer_role
    mark = "" if record.verified else " — its signature does NOT verify"
    return f"{s.signer_name} ({role}){mark}"


def deciding_round(data: ReportData) -> ChecklistRound | None:
    """The round the cover's decision speaks of: the last decided one, else the open one."""
    decided = [
        r
        for r in data.rounds
        if r.review.status not in (CardStatus.IN_REVIEW, CardStatus.SUPERSEDED)
    ]
    if decided:
        return decided[-1]
    return next((r for r in data.rounds if r.review.open), None)


def cover_escalations(data: ReportData) -> str:
    """The cover's "Escalations" row: the deciding round's, one sentence each (empty: none)."""
    found = deciding_round(data)
    if found is None:
        return ""
    return "\n".join(e.sentence() for e in round_escalations(found))


def round_story(checklist_round: ChecklistRound) -> list[Flowable]:
    """Under a round's status: each escalation its answers needed, and who signed it."""
    story: list[Flowable] = []
    for escalation in round_escalations(checklist_round):
        story.append(TextBlock((Span("Escalation ", "bold"), Span(escalation.sentence())), BODY))
    return story


def signoff_rows(record: SignOffRecord) -> Sequence[tuple[str, str]]:
    """A sign-off's facts about escalations: those its answers needed, those it fulfilled."""
    signed = record.signature.escalations
    fulfilled = ""
    if signed.signed:
        fulfilled = f"{', '.join(signed.signed)}, as {signed.role or 'no role'}"
    elif signed.needed and record.signature.decision == Decision.APPROVE:
        fulfilled = "none (its signer did not hold the role asked for)"
    return [
        ("Escalations needed", ", ".join(signed.needed)),
        ("Escalations fulfilled", fulfilled),
    ]
