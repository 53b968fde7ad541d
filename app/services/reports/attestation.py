"""An approval attestation of a card version for a stage, from the registry, signed by an officer.

``publish`` writes one for every stage the version is approved for
(``attestations/STAGE.intoto.json`` and the signer's certificate
``attestations/STAGE.intoto.pem``) when the publishing identity is an
officer; ``countersign attest`` writes one on its own.  What it states is
read from the same :class:`~countersign.services.reports.data.ReportData` as
the report, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from countersign.models.vocabulary import Decision, Role, StageStatus
from countersign.services.attestation.dsse import Envelope, sign_envelope
from countersign.services.attestation.statement import (
    ApprovalFacts,
    Approver,
    Classification,
    approval_statement,
)
from countersign.services.identities.identities import IdentityInfo, SigningKey
from countersign.services.reports.data import ChecklistRound, ReportData
from countersign.services.reports.errors import ReportRefused

ATTESTATION_FOLDER = "attestations"


class AttestationRefused(ReportRefused):
    """An attestation that cannot be signed: not approved for the stage, not an officer…"""


@dataclass(frozen=True)
class SignedAttestation:
    """A signed approval attestation and the certificate of its signer."""

    stage: str
    envelope: Envelope
    certificate_pem: str
    signer: str
    """Who signed it: "Olga Officer <olga@…>"."""

    def published_files(self) -> list[tuple[str, bytes]]:
        """The envelope and certificate as a published folder holds them."""
        stem = f"{ATTESTATION_FOLDER}/{self.stage}.intoto"
        return [
            (f"{stem}.json", self.envelope.file_bytes()),
            (f"{stem}.pem", self.certificate_pem.encode("ascii")),
        ]


def check_attester(identity: IdentityInfo) -> None:
    """Refuse an identity that may not sign an attestation: retired, or not an officer."""
    if not identity.active:
        raise AttestationRefused(
            f"the identity of {identity.email} was retired and can no longer sign"
        )
    if identity.role != Role.OFFICER:
        raise AttestationRefused(
            f"{identity.email} has the role {identity.role or 'none'}; "
            "only an officer signs an approval attestation"
        )


def approved_stages(data: ReportData) -> list[str]:
    """The stages the reported card version is approved for, in order."""
    return [s.stage for s in data.stages if s.status == StageStatus.APPROVED]


def sign_attestation(
    data: ReportData, stage: str, signing: SigningKey, signed_at: str
) -> SignedAttestation:
    """Sign the approval of ``data``'s card version for ``stage`` with an officer's key."""
    identity = signing.identity
    check_attester(identity)
    facts = approval_facts(
        data,
        stage,
        Approver(identity.name, identity.email, identity.fingerprint, signed_at),
    )
    envelope = sign_envelope(approval_statement(facts), signing.key, signing.certificate)
    signer = f"{identity.name} <{identity.email}>"
    return SignedAttestation(stage, envelope, identity.certificate_pem, signer)


def approval_facts(data: ReportData, stage: str, attester: Approver) -> ApprovalFacts:
    """What the attestation of ``stage`` states, or :class:`AttestationRefused`."""
    state = next((s for s in data.stages if s.stage == stage), None)
    what = f"{data.model} {data.version}"
    if state is None:
        known = ", ".join(s.stage for s in data.stages)
        raise AttestationRefused(f"{stage!r} is not a stage of this registry ({known})")
    if state.status != StageStatus.APPROVED:
        raise AttestationRefused(
            f"{what} is not approved for {stage} (its status there: "
            f"{StageStatus.word(state.status)}); only an approval is attested"
        )
    deciding = next((r for r in data.rounds if r.review.id == state.review_id), None)
    if deciding is None:
        raise AttestationRefused(f"the review round that approved {what} for {stage} is missing")
    c = data.classification
    classification = (
        Classification(c.tier, c.officer, c.reason, c.signed_at)
        if c is not None
        else Classification(data.risk_tier or "unknown")
    )
    return ApprovalFacts(
        model=data.model,
        version=data.version,
        stage=stage,
        card_sha256=data.sha256,
        decided_at=state.decided_at or "",
        template=(deciding.review.template_id, deciding.review.template_version),
        quorum=deciding.review.quorum,
        approvers=_approvers(deciding, what),
        classification=classification,
        artifacts=tuple((str(a.get("name")), str(a.get("sha256"))) for a in data.artifacts),
        attested_by=attester,
        conditions=state.conditions,
        expires=state.expires_on or "",
    )


def _approvers(deciding: ChecklistRound, what: str) -> tuple[Approver, ...]:
    approvers = []
    for record in deciding.signoffs:
        s = record.signature
        if s.decision != Decision.APPROVE:
            continue
        if not record.verified:
            raise AttestationRefused(
                f"the approval of {what} by {s.signer_email} no longer verifies "
                f"({record.problem}); run `countersign audit --verify`"
            )
        approvers.append(Approver(s.signer_name, s.signer_email, s.fingerprint, s.signed_at))
    if not approvers:
        raise AttestationRefused(f"the round that approved {what} holds no approval")
    return tuple(approvers)
