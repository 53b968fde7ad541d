"""An officer's signed acts: a risk classification, a revocation, the registry's stages.

The same shape as the trust model's signed acts (``countersign-act``): the
canonical JSON of ``{"format", "format_version", "act", "subject", "chain",
"signed_at", "signer_fingerprint"}``, signed with ECDSA P-256 / SHA-256,
where ``chain`` is the audit chain's head the act extends.  The act travels
in the details of the audit event that records it (``"signed": {"act",
"signature", "certificate"}``) and in its own row, so both the registry and
exported files carry their own evidence.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.formats.bundle.signing import certificate_fingerprint
from countersign.models.card import canonical_json
from countersign.models.tables import AuditEvent
from countersign.services.audit.trail import GENESIS_HASH
from countersign.services.identities.identities import SigningKey

ACT_FORMAT = "countersign-act"
ACT_FORMAT_VERSION = 1
CLASSIFICATION = "classification"
REVOCATION = "revocation"
OFFICER_ACTS = (CLASSIFICATION, REVOCATION)
"""The kinds of act this module signs and checks."""


def act_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes signed: the payload's canonical JSON in UTF-8."""
    return canonical_json(payload).encode("utf-8")


@dataclass(frozen=True)
class SignedAct:
    """An act with its DER signature and the signer's certificate (PEM)."""

    payload: dict[str, Any]
    signature: bytes
    certificate_pem: str

    @property
    def kind(self) -> str:
        """What was done: classification or revocation."""
        return str(self.payload.get("act", ""))

    @property
    def subject(self) -> dict[str, Any]:
        """What the act is about."""
        subject = self.payload.get("subject")
        return subject if isinstance(subject, dict) else {}

    def as_json(self) -> dict[str, Any]:
        """The act as an audit event or an exported file carries it."""
        return {
            "act": self.payload,
            "signature": base64.b64encode(self.signature).decode("ascii"),
            "certificate": self.certificate_pem,
        }

    def certificate(self) -> x509.Certificate:
        """The signer's certificate (check :meth:`problem` first)."""
        return x509.load_pem_x509_certificate(self.certificate_pem.encode("ascii"))

    def problem(self) -> str:
        """Why the act does not verify by itself (``""`` when its signature holds)."""
        if self.payload.get("format") != ACT_FORMAT or self.kind not in OFFICER_ACTS:
            return "it is not a signed act this version of Countersign knows"
        try:
            certificate = self.certificate()
        except (ValueError, UnicodeEncodeError):
            return "its certificate is unreadable"
        if certificate_fingerprint(certificate) != self.payload.get("signer_fingerprint"):
            return "it names another certificate than the one it carries"
        key = certificate.public_key()
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return "its certificate holds no ECDSA key"
        try:
            key.verify(self.signature, act_bytes(self.payload), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "its signature does not verify (the act was changed after signing)"
        return ""


def read_act(value: Any) -> SignedAct | None:
    """A signed act from its JSON form, or None when malformed."""
    if not isinstance(value, dict):
        return None
    payload, signature, pem = value.get("act"), value.get("signature"), value.get("certificate")
    if not isinstance(payload, dict) or not isinstance(signature, str) or not isinstance(pem, str):
        return None
    try:
        raw = base64.b64decode(signature, validate=True)
    except (ValueError, binascii.Error):
        return None
    return SignedAct(payload, raw, pem)


def sign_act(
    session: Session, signing: SigningKey, kind: str, subject: dict[str, Any], signed_at: str
) -> SignedAct:
    """Sign ``kind`` over ``subject`` at the chain head read in ``session`` (a write)."""
    row = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    seq, head = (row[0], row[1]) if row else (0, GENESIS_HASH)
    payload = {
        "format": ACT_FORMAT,
        "format_version": ACT_FORMAT_VERSION,
        "act": kind,
        "subject": subject,
        "chain": {"seq": seq, "hash": head},
        "signed_at": signed_at,
        "signer_fingerprint": signing.identity.fingerprint,
    }
    signature = signing.sign(act_bytes(payload))
    pem = signing.identity.certificate_pem
    act = SignedAct(payload, signature, pem)
    if act.problem():
        raise ValueError(f"a freshly signed act does not verify: {act.problem()}")
    return act
