"""The offline gate over an approval attestation: a DSSE envelope holding an in-toto statement.

The gate passes only when:

* the envelope's signature verifies over DSSE's pre-authentication encoding
  with a certificate you trust (``--trust``: the signer's certificate itself,
  or its issuer, the signer's certificate then read from the ``.pem`` file
  beside the envelope);
* the statement is Countersign's approval predicate, its ``card.canonical.json``
  subject is the card it names, and it lists at least the quorum of approvers;
* it is for the stage asked, with the decision ``approve``, and not expired;
* no trusted revocation in ``--revocations`` names this card for this stage;
* a given model file's SHA-256 is among its subjects.

An attestation is the officer's word at the time it was signed: only a
revocations file exported later can say the approval was withdrawn since.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509

from countersign.formats.bundle.signing import certificate_fingerprint
from countersign.models.vocabulary import Decision
from countersign.plain_files import open_plain, read_plain
from countersign.services.attestation.dsse import Envelope, certificate_path, read_envelope
from countersign.services.attestation.statement import (
    CARD_SUBJECT,
    ApprovalStatement,
    read_statement,
)
from countersign.services.deployment.errors import EvidenceUnreadable
from countersign.services.deployment.gate import artifact_check
from countersign.services.deployment.records import GateCheck, GateQuestion, GateResult
from countersign.services.deployment.trusted import (
    TrustedCertificate,
    revocations_check,
    trusted_certificates,
)
from countersign.services.identities.certificates import common_name
from countersign.services.reviews import conditions

MAX_CERTIFICATE_BYTES = 1024 * 1024


def is_attestation(path: Path) -> bool:
    """Whether ``path`` is a file that looks like JSON (an envelope), not a PDF or a folder."""
    if not path.is_file():
        return False
    try:
        with open_plain(path) as handle:
            start = handle.read(64).lstrip()
    except OSError:
        return False
    return start.startswith(b"{")


def attestation_gate(
    path: Path,
    question: GateQuestion,
    *,
    trust: Sequence[Path],
    revocations: Path | None = None,
) -> GateResult:
    """Check the approval attestation at ``path`` for ``question`` with ``trust``."""
    trusted = trusted_certificates(trust)
    envelope = read_envelope(path)
    checks = [_signature_check(envelope, path, trusted)]
    statement = read_statement(envelope.payload, str(path))
    card_sha256 = statement.text("card_sha256")
    checks.append(_statement_check(statement))
    checks.append(_stage_check(statement, question.stage))
    checks.append(_expiry_check(statement, question.as_of or conditions.today()))
    if revocations is not None:
        checks.append(revocations_check(revocations, trusted, card_sha256, [question.stage]))
    if question.artifact_sha256 is not None:
        files: list[dict[str, object]] = [
            {"name": name, "sha256": digest} for name, digest in statement.model_files
        ]
        checks.append(artifact_check(files, question.artifact_sha256))
    return GateResult(
        "attestation",
        question.stage,
        statement.text("model"),
        statement.text("version"),
        card_sha256,
        tuple(checks),
    )


def _side_certificate(path: Path) -> x509.Certificate | None:
    """The signer's certificate in the ``.pem`` file beside the envelope, when there is one."""
    pem = certificate_path(path)
    if not pem.is_file():
        return None
    try:
        if pem.stat().st_size > MAX_CERTIFICATE_BYTES:
            raise EvidenceUnreadable(f"{pem}: too large to be a certificate file")
        return x509.load_pem_x509_certificate(read_plain(pem))
    except (OSError, ValueError) as error:
        raise EvidenceUnreadable(f"{pem}: not a PEM certificate ({error})") from None


def _signature_check(
    envelope: Envelope, path: Path, trusted: Sequence[TrustedCertificate]
) -> GateCheck:
    side = _side_certificate(path)
    candidates = [t.certificate for t in trusted] + ([side] if side is not None else [])
    signers = [c for c in candidates if envelope.signed_by(c)]
    if not signers:
        beside = f" or {certificate_path(path).name}" if side is not None else ""
        return GateCheck(
            "signature",
            False,
            "the envelope's signature does not verify with any certificate you trust"
            f"{beside}: its payload or signature was changed, or another key signed it",
        )
    for signer in signers:
        if any(t.vouches_for(signer) for t in trusted):
            return GateCheck(
                "signature",
                True,
                f"signed by {common_name(signer) or 'a certificate'} "
                f"(SHA-256 {certificate_fingerprint(signer)[:16]}…), trusted",
            )
    return GateCheck(
        "signature",
        False,
        f"signed by {common_name(signers[0]) or 'a certificate'} "
        f"(SHA-256 {certificate_fingerprint(signers[0])[:16]}…), which is not among the "
        "certificates you trust",
    )


def _statement_check(statement: ApprovalStatement) -> GateCheck:
    card = statement.text("card_sha256")
    named = [digest for name, digest in statement.subjects if name == CARD_SUBJECT]
    if not card or named != [card]:
        return GateCheck(
            "subjects",
            False,
            f"the {CARD_SUBJECT} subject is not the card the predicate names ({card or 'none'})",
        )
    approvers = {str(a.get("certificate_sha256")) for a in statement.approvers}
    quorum = statement.quorum
    if quorum < 1 or len(approvers) < quorum:
        return GateCheck(
            "subjects",
            False,
            f"the attestation lists {len(approvers)} approver(s) for a quorum of {quorum}",
        )
    files = len(statement.model_files)
    return GateCheck(
        "subjects",
        True,
        f"the card {card[:16]}… and {files} model file(s); {len(approvers)} approver(s) of "
        f"{quorum} needed",
    )


def _stage_check(statement: ApprovalStatement, stage: str) -> GateCheck:
    attested = statement.text("stage")
    decision = statement.text("decision")
    if attested != stage:
        return GateCheck(
            "stage", False, f"the attestation is for {attested or 'no stage'!s}, not {stage!r}"
        )
    if decision != Decision.APPROVE:
        return GateCheck("stage", False, f"the decision attested is {decision or 'none'}")
    conditions = statement.predicate.get("conditions")
    listed = [str(c) for c in conditions] if isinstance(conditions, list) else []
    detail = f"approved for {stage} on {statement.text('decided_at')[:10]}"
    if listed:
        detail += "; conditions: " + "; ".join(listed)
    return GateCheck("stage", True, detail)


def _expiry_check(statement: ApprovalStatement, day: datetime.date) -> GateCheck:
    """An approval holds through its expiry date, and not after it (judged on ``day``)."""
    if "expires" not in statement.predicate:
        return GateCheck("not expired", True, "the approval has no expiry")
    expires = statement.text("expires")
    try:
        last_day = datetime.date.fromisoformat(expires)
    except ValueError:
        return GateCheck("not expired", False, f"the expiry {expires!r} is not a date")
    if last_day < day:
        return GateCheck("not expired", False, f"the approval expired: it held until {last_day}")
    return GateCheck("not expired", True, f"the approval holds until {last_day}")
