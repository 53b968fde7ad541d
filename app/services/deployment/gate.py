"""The deployment gate against the registry: may this card version go to this stage?

Every check is said in words, passed or not, so that a pipeline's log shows
why a deployment stopped.  The offline gate over published evidence is
:mod:`countersign.services.deployment.evidence`.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.models.tables import CardVersion, Identity, Signature
from countersign.models.vocabulary import Decision, StageStatus
from countersign.services.deployment.records import GateCheck, GateQuestion, GateResult
from countersign.services.reviews.signoff_verification import verify_signoffs
from countersign.services.reviews.stages import StageState, stage_names, stage_states


def registry_gate(
    session: Session, cv: CardVersion, model: str, question: GateQuestion
) -> GateResult:
    """Check ``cv`` of ``model`` for the question's stage against the registry (read in ``session``).

    An approval whose expiry date is before the question's day (today) fails.
    """
    stage, artifact_sha256 = question.stage, question.artifact_sha256
    names = stage_names(session)
    checks: list[GateCheck] = []
    if stage not in names:
        checks.append(
            GateCheck(
                "stage", False, f"{stage!r} is not a stage of this registry ({', '.join(names)})"
            )
        )
        return GateResult("registry", stage, model, cv.version, cv.sha256, tuple(checks))
    states = {s.stage: s for s in stage_states(session, cv, question.as_of)}
    for name in names[: names.index(stage) + 1]:
        checks.append(_approval_check(session, states[name]))
    problems = [p for p in verify_signoffs(session, cv.id).problems]
    checks.append(
        GateCheck(
            "sign-offs",
            not problems,
            "every sign-off verifies against the registry"
            if not problems
            else "; ".join(p.problem for p in problems),
        )
    )
    if artifact_sha256 is not None:
        checks.append(artifact_check(json.loads(cv.artifacts_json), artifact_sha256))
    return GateResult("registry", stage, model, cv.version, cv.sha256, tuple(checks))


def _approval_check(session: Session, state: StageState) -> GateCheck:
    name = f"approved for {state.stage}"
    if state.status == StageStatus.REVOKED:
        return GateCheck(
            name,
            False,
            f"the approval for {state.stage} was revoked on {state.revoked_at[:10]} by "
            f"{state.revoked_by}: {state.revoked_reason}",
        )
    if state.status == StageStatus.EXPIRED:
        return GateCheck(
            name,
            False,
            f"the approval for {state.stage} expired: it held until {state.expires_on}",
        )
    if state.status != StageStatus.APPROVED:
        return GateCheck(name, False, f"not approved for {state.stage}: {state.status}")
    approvers = []
    if state.review_id is not None:
        approvers = list(
            session.scalars(
                select(Identity.email)
                .join(Signature, Signature.identity_id == Identity.id)
                .where(
                    Signature.review_id == state.review_id, Signature.decision == Decision.APPROVE
                )
                .order_by(Signature.id)
            )
        )
    when = (state.decided_at or "")[:10]
    until = f", until {state.expires_on}" if state.expires_on else ""
    return GateCheck(
        name, True, f"approved for {state.stage} on {when} by {', '.join(approvers)}{until}"
    )


def artifact_check(artifacts: list[dict[str, object]], sha256: str) -> GateCheck:
    """Whether the file with ``sha256`` is among the approved card version's artifacts."""
    wanted = sha256.strip().lower()
    match = next((a for a in artifacts if str(a.get("sha256", "")).lower() == wanted), None)
    if match is not None:
        return GateCheck("artifact", True, f"{match.get('name')} (SHA-256 {wanted}) was approved")
    if not artifacts:
        return GateCheck(
            "artifact",
            False,
            f"the approved card version names no model files, so {wanted} is not approved",
        )
    return GateCheck(
        "artifact",
        False,
        f"no approved model file has SHA-256 {wanted}; the approved files are "
        + ", ".join(f"{a.get('name')} ({a.get('sha256')})" for a in artifacts),
    )
