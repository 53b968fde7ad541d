"""A re-review: a new round for a stage whose approval expired, or that an officer asks to
review again (Request a re-review…; the approval is suspended once it is signed), started
from the last approval.

The checklist starts from the last approving sign-off's answers (each marked
pre-filled, to be checked again), the header says what expired and when, and
the signing dialog offers that approval's conditions again.
"""

from __future__ import annotations

from countersign.models.vocabulary import CardStatus, Decision, StageStatus
from countersign.services.reviews.reviews import ReviewDraft, ReviewInfo, SignatureInfo


def last_approval_round(rounds: list[ReviewInfo]) -> ReviewInfo | None:
    """The stage's last round, when it is a closed approval (a new round is then a re-review)."""
    closed = [r for r in rounds if not r.open]
    if not closed or closed[-1].status != CardStatus.APPROVED or any(r.open for r in rounds):
        return None
    return closed[-1]


def last_approval(rounds: list[ReviewInfo]) -> SignatureInfo | None:
    """The last approving sign-off of the stage's last approval round (see above)."""
    last = last_approval_round(rounds)
    approving = [s for s in last.signatures if s.decision == Decision.APPROVE] if last else []
    return approving[-1] if approving else None


def round_conditions(review: ReviewInfo) -> tuple[str, ...]:
    """Every condition of the round's sign-offs, each once, in signing order."""
    found: list[str] = []
    for signature in review.signatures:
        found.extend(c for c in signature.conditions if c not in found)
    return tuple(found)


def re_review_text(rounds: list[ReviewInfo], draft: ReviewDraft) -> str:
    """What a re-review starts from: the approval (expired, or to be suspended), its answers
    and its conditions."""
    last = last_approval_round(rounds)
    if last is None or draft.stage_status not in (StageStatus.EXPIRED, StageStatus.APPROVED):
        return ""
    until = min((s.expires_on for s in last.signatures if s.expires_on), default="")
    held = round_conditions(last)
    conditions = (
        " Its conditions: " + " ".join(f"({n}) {c}" for n, c in enumerate(held, start=1))
        if held
        else ""
    )
    day = (last.closed_at or "")[:10]
    if draft.stage_status == StageStatus.APPROVED:
        approval = f"the approval of {day}" + (f" (until {until})" if until else "")
        why = f"{approval} is suspended once the first sign-off of this re-review is stored"
    else:
        why = f"the approval of {day} held until {until} and has expired"
    # The round as this version counts its rounds (the registry's row id means nothing here).
    number = next((n for n, r in enumerate(rounds, start=1) if r.id == last.id), 0)
    return (
        f"Re-review for {draft.stage}: {why}. The answers are pre-filled from that review "
        f"(round {number} of this version); check each again.{conditions}"
    )
