"""Signed acts: what an identity signs when it changes who may do what, or anchors the trail.

A signed act is the canonical JSON of::

    {"format": "countersign-act", "format_version": 1, "act": KIND,
     "subject": {...what the act is about...},
     "chain": {"seq": N, "hash": H},   # the audit chain's head the act extends
     "signed_at": TIME, "signer_fingerprint": SHA256}

signed with the signer's ECDSA P-256 key.  It travels inside the details of
the audit event that records it (``"signed": {"act", "signature",
"certificate"}``), so the trail carries its own evidence: whoever can write
the registry file can drop such an event, but cannot make one, and every
event up to the signed head is pinned by the signature.

Grants, retirements, report exports, publishing and checkpoints are acts
today; risk classifications, stage approvals and revocations are acts of the
same shape (a new ``act`` kind with its own subject).  A sign-off has its own
payload (:mod:`countersign.services.reviews.signoff_payload`), which carries
the same ``chain`` member.
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

ACT_FORMAT = "countersign-act"
ACT_FORMAT_VERSION = 1

GRANT = "grant"
RETIREMENT = "retirement"
REPORT = "report"
PUBLISH = "publish"
CHECKPOINT = "checkpoint"
CLASSIFICATION = "classification"
REVOCATION = "revocation"
ACT_KINDS = (GRANT, RETIREMENT, REPORT, PUBLISH, CHECKPOINT, CLASSIFICATION, REVOCATION)
"""Every kind of signed act this version knows (classifications and revocations are the
deployment service's, signed with the same :class:`ActSigner`)."""


@dataclass(frozen=True)
class ChainHead:
    """A point of the audit chain: the sequence number (event id) and hash of its newest event."""

    seq: int
    hash: str

    def as_json(self) -> dict[str, Any]:
        """The head inside a signed payload."""
        return {"seq": self.seq, "hash": self.hash}


def chain_head(session: Session) -> ChainHead:
    """The newest event of the chain (read in the caller's write transaction)."""
    row = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return ChainHead(row[0], row[1]) if row else ChainHead(0, GENESIS_HASH)


def act_payload(
    kind: str, subject: dict[str, Any], head: ChainHead, signed_at: str, signer_fingerprint: str
) -> dict[str, Any]:
    """The payload of one signed act, as JSON data."""
    return {
        "format": ACT_FORMAT,
        "format_version": ACT_FORMAT_VERSION,
        "act": kind,
        "subject": subject,
        "chain": head.as_json(),
        "signed_at": signed_at,
        "signer_fingerprint": signer_fingerprint,
    }


def payload_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes signed: the payload's canonical JSON in UTF-8."""
    return canonical_json(payload).encode("utf-8")


@dataclass(frozen=True)
class SignedAct:
    """An act with its signature and the signer's certificate (PEM)."""

    payload: dict[str, Any]
    signature: bytes
    certificate_pem: str

    @property
    def kind(self) -> str:
        """What was done: grant, retirement, report, publish, checkpoint…"""
        return str(self.payload.get("act", ""))

    @property
    def subject(self) -> dict[str, Any]:
        """What the act is about."""
        subject = self.payload.get("subject")
        return subject if isinstance(subject, dict) else {}

    @property
    def head(self) -> ChainHead | None:
        """The chain head the act extends (None when the payload names none readably)."""
        chain = self.payload.get("chain")
        if not isinstance(chain, dict):
            return None
        seq, digest = chain.get("seq"), chain.get("hash")
        if isinstance(seq, int) and not isinstance(seq, bool) and isinstance(digest, str):
            return ChainHead(seq, digest)
        return None

    @property
    def signed_at(self) -> str:
        """When the signer says it signed (UTC, ISO-8601)."""
        return str(self.payload.get("signed_at", ""))

    @property
    def signer_fingerprint(self) -> str:
        """SHA-256 of the signer's certificate, as the payload names it."""
        return str(self.payload.get("signer_fingerprint", ""))

    def as_json(self) -> dict[str, Any]:
        """The act as an audit event (or a checkpoint file) carries it."""
        return {
            "act": self.payload,
            "signature": base64.b64encode(self.signature).decode("ascii"),
            "certificate": self.certificate_pem,
        }

    def problem(self) -> str:
        """Why the act does not verify by itself (``""`` when its signature holds)."""
        if self.payload.get("format") != ACT_FORMAT or self.kind not in ACT_KINDS:
            return "it is not a signed act this version of Countersign knows"
        try:
            certificate = x509.load_pem_x509_certificate(self.certificate_pem.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            return "its certificate is unreadable"
        if certificate_fingerprint(certificate) != self.signer_fingerprint:
            return "it names another certificate than the one it carries"
        key = certificate.public_key()
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return "its certificate holds no ECDSA key"
        try:
            key.verify(self.signature, payload_bytes(self.payload), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "its signature does not verify (the act was changed after signing)"
        if self.head is None:
            return "it names no chain head"
        return ""

    def certificate(self) -> x509.Certificate:
        """The signer's certificate (call :meth:`problem` first)."""
        return x509.load_pem_x509_certificate(self.certificate_pem.encode("ascii"))


def read_act(value: Any) -> SignedAct | None:
    """A signed act from its JSON form (an event's ``signed`` member), or None when malformed."""
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


class ActSigner:
    """Something that signs acts: an unlocked identity's key and certificate."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, certificate_pem: str) -> None:
        self.key = key
        self.certificate_pem = certificate_pem
        self.fingerprint = certificate_fingerprint(
            x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
        )

    def sign(
        self, session: Session, kind: str, subject: dict[str, Any], signed_at: str
    ) -> SignedAct:
        """Sign ``kind`` over ``subject`` at the chain head read in ``session`` (a write)."""
        payload = act_payload(kind, subject, chain_head(session), signed_at, self.fingerprint)
        signature = self.key.sign(payload_bytes(payload), ec.ECDSA(hashes.SHA256()))
        return SignedAct(payload, signature, self.certificate_pem)
