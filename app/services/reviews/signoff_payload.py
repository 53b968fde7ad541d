"""The signed payload of a sign-off: what exactly a reviewer's signature covers.

The payload is the canonical JSON (sorted keys, UTF-8, no insignificant
whitespace) of: the card version's SHA-256, model, version, checklist
template id and version, every response, decision, comment, UTC time and the
signer's certificate fingerprint, under a ``format`` tag so that a sign-off
signature can never be mistaken for a signature over anything else.  It is
signed with ECDSA P-256 / SHA-256.  Format version 2 adds ``chain``: the
audit chain's head (sequence number and hash) the sign-off extends, so that
the signature also pins every event before it.  An approval may also sign
``conditions`` (short texts) and ``expires`` (the last day it holds,
``YYYY-MM-DD``); a payload without them is the same as before they existed.
A sign-off whose checklist has a failed threshold also signs ``escalations``: the escalations its answers
needed and those its signer fulfilled by their role.

The registry does not store the payload: verification rebuilds it from the
rows, so that a changed row no longer matches its signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from countersign.models.card import canonical_json
from countersign.services.identities.certificates import load_certificate
from countersign.services.reviews.conditions import ApprovalTerms

PAYLOAD_FORMAT = "countersign-sign-off"
PAYLOAD_FORMAT_VERSION = 2
"""Version 2 signs the chain head; version 1 (no ``chain``) still verifies."""


@dataclass(frozen=True)
class SignedResponse:
    """One checklist answer as signed: item id, answer, note, and the automatic result shown."""

    item: str
    answer: str
    note: str = ""
    automatic: str = ""
    evidence: str = ""

    def as_json(self) -> dict[str, Any]:
        """The response inside the payload."""
        return {
            "item": self.item,
            "answer": self.answer,
            "note": self.note,
            "automatic": (
                {"result": self.automatic, "evidence": self.evidence} if self.automatic else None
            ),
        }


@dataclass(frozen=True)
class SignoffContent:
    """What one sign-off signs: the card version, the template, the answers, the decision.

    ``chain`` is the ``(sequence number, hash)`` of the audit chain's head the
    sign-off extends; without it the payload is format version 1, as signed
    before chain heads were.  A sign-off for a stage also signs the stage and
    the model files the card version names (``artifacts``); one from before
    stages (``stage`` None) signs neither.  An approval's ``terms`` sign its
    ``conditions`` and the date it ``expires`` (members present only when set).
    """

    card_version_sha256: str
    model: str
    version: str
    template_id: str
    template_version: int
    responses: Sequence[SignedResponse]
    decision: str
    comment: str
    signed_at: str
    signer_fingerprint: str
    chain: tuple[int, str] | None = None
    stage: str | None = None
    artifacts: Sequence[dict[str, Any]] = ()
    terms: ApprovalTerms = field(default_factory=ApprovalTerms)
    escalations: dict[str, Any] | None = None
    """The escalations the answers needed and the signer fulfilled (``{"needed": [ids],
    "signed": [ids]}``); None when the sign-off met none, and then not in the payload."""


def signoff_payload(content: SignoffContent) -> dict[str, Any]:
    """The payload of one sign-off, as JSON data (responses in the template's item order)."""
    extra: dict[str, Any] = {}
    if content.chain is not None:
        extra["chain"] = {"seq": content.chain[0], "hash": content.chain[1]}
    if content.stage is not None:
        extra.update({"stage": content.stage, "artifacts": [dict(a) for a in content.artifacts]})
    extra.update(content.terms.payload_members())
    if content.escalations is not None:
        extra["escalations"] = content.escalations
    return {
        **extra,
        "format": PAYLOAD_FORMAT,
        "format_version": PAYLOAD_FORMAT_VERSION if content.chain is not None else 1,
        "card_version_sha256": content.card_version_sha256,
        "model": content.model,
        "version": content.version,
        "template": {"id": content.template_id, "version": content.template_version},
        "responses": [response.as_json() for response in content.responses],
        "decision": content.decision,
        "comment": content.comment,
        "signed_at": content.signed_at,
        "signer_fingerprint": content.signer_fingerprint,
    }


def payload_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed: the payload's canonical JSON in UTF-8."""
    return canonical_json(payload).encode("utf-8")


def signature_matches(certificate_pem: str, payload: dict[str, Any], signature: bytes) -> bool:
    """Whether ``signature`` is the certificate key's ECDSA P-256 / SHA-256 signature of ``payload``."""
    try:
        key = load_certificate(certificate_pem).public_key()
    except ValueError:
        return False
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    try:
        key.verify(signature, payload_bytes(payload), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
