"""Certificates given to the offline gate with ``--trust``, and revocations they sign.

Shared by the gate over a published folder or report
(:mod:`~countersign.services.deployment.evidence`) and over an approval
attestation (:mod:`~countersign.services.deployment.attestation_gate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from countersign.errors import InputRefused
from countersign.formats.limits import load_json
from countersign.plain_files import read_plain_text
from countersign.services.deployment.errors import EvidenceUnreadable
from countersign.services.deployment.records import GateCheck
from countersign.services.identities.certificates import certificate_fingerprint, load_certificate
from countersign.services.trust.acts import REVOCATION, read_act

MAX_REVOCATIONS_BYTES = 16 * 1024 * 1024


class TrustedCertificate:
    """A certificate given with ``--trust``."""

    def __init__(self, certificate: x509.Certificate) -> None:
        self.certificate = certificate
        self.fingerprint = certificate_fingerprint(certificate)

    def vouches_for(self, certificate: x509.Certificate) -> bool:
        """Whether ``certificate`` is this one, or was issued (signed) by it."""
        if certificate_fingerprint(certificate) == self.fingerprint:
            return True
        if certificate.issuer != self.certificate.subject:
            return False
        key = self.certificate.public_key()
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return False
        algorithm = certificate.signature_hash_algorithm
        try:
            key.verify(
                certificate.signature,
                certificate.tbs_certificate_bytes,
                ec.ECDSA(algorithm if algorithm is not None else hashes.SHA256()),
            )
        except InvalidSignature:
            return False
        return True


def trusted_certificates(paths: Sequence[Path]) -> list[TrustedCertificate]:
    out = []
    for path in paths:
        try:
            text = read_plain_text(path, "ascii")
        except (OSError, UnicodeDecodeError) as error:
            raise EvidenceUnreadable(
                f"{path}: cannot be read as a PEM certificate ({error})"
            ) from None
        blocks = [b for b in text.split("-----END CERTIFICATE-----") if "BEGIN CERTIFICATE" in b]
        if not blocks:
            raise EvidenceUnreadable(f"{path}: holds no PEM certificate")
        for block in blocks:
            try:
                out.append(
                    TrustedCertificate(load_certificate(block + "-----END CERTIFICATE-----\n"))
                )
            except ValueError as error:
                raise EvidenceUnreadable(f"{path}: an unreadable certificate ({error})") from None
    return out


def revocations_check(
    path: Path, trusted: Sequence[TrustedCertificate], card_sha256: str, stages: Sequence[str]
) -> GateCheck:
    try:
        if path.stat().st_size > MAX_REVOCATIONS_BYTES:
            raise EvidenceUnreadable(f"{path}: larger than 16 MiB; not a revocations file")
        document = load_json(read_plain_text(path), str(path))
    except (OSError, UnicodeDecodeError, InputRefused) as error:
        raise EvidenceUnreadable(
            f"{path}: cannot be read as a revocations file ({error})"
        ) from None
    if not isinstance(document, dict) or document.get("format") != "countersign-revocations":
        raise EvidenceUnreadable(f"{path}: not a file written by `countersign revocations export`")
    entries = document.get("revocations")
    ignored = 0
    for value in entries if isinstance(entries, list) else []:
        act = read_act(value)
        if act is None or act.kind != REVOCATION or act.problem():
            ignored += 1
            continue
        if not any(t.vouches_for(act.certificate()) for t in trusted):
            ignored += 1
            continue
        subject = act.subject
        if subject.get("card_version_sha256") == card_sha256 and subject.get("stage") in stages:
            return GateCheck(
                "not revoked",
                False,
                f"the approval for {subject.get('stage')} was revoked on "
                f"{str(act.payload.get('signed_at'))[:10]}: {subject.get('reason')}",
            )
    note = (
        f" ({ignored} entries not signed by a trusted certificate were ignored)" if ignored else ""
    )
    return GateCheck(
        "not revoked", True, f"no trusted revocation in {path.name} names this card{note}"
    )
