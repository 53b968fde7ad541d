"""The files a signed report carries inside it, and the manifest that lists them.

* ``card.json``: the card version's canonical JSON, exactly the bytes whose
  SHA-256 is printed at the foot of every page;
* for each sign-off, ``sign-off-N.json`` (the exact bytes its signer signed),
  ``sign-off-N.sig`` (the DER ECDSA P-256 / SHA-256 signature) and the
  signer's certificate ``certificate-<fingerprint>.pem``, so that anyone can
  check a sign-off with ``openssl dgst -sha256 -verify``;
* ``report.json``: what the report is about and every other file with its
  SHA-256, read by ``countersign verify``.

Publishing writes the same files next to the report.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from countersign.models.card import canonical_json
from countersign.models.vocabulary import StageStatus
from countersign.services.reports.data import ReportData, SignOffRecord

MANIFEST = "report.json"
CARD = "card.json"
MANIFEST_FORMAT = "countersign-report"
MANIFEST_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Attachment:
    """One file carried inside the report PDF."""

    name: str
    data: bytes
    media_type: str
    description: str

    @property
    def sha256(self) -> str:
        """SHA-256 (hex) of the file."""
        return hashlib.sha256(self.data).hexdigest()


def payload_name(signature_id: int) -> str:
    """The attached file holding sign-off ``signature_id``'s signed bytes."""
    return f"sign-off-{signature_id}.json"


def signature_name(signature_id: int) -> str:
    """The attached file holding sign-off ``signature_id``'s DER signature."""
    return f"sign-off-{signature_id}.sig"


def certificate_name(fingerprint: str) -> str:
    """The attached file holding the certificate with SHA-256 ``fingerprint``."""
    return f"certificate-{fingerprint[:16]}.pem"


def report_attachments(data: ReportData) -> list[Attachment]:
    """Every file the report of ``data`` carries, the manifest last."""
    files = [
        Attachment(
            CARD,
            data.canonical_json.encode("utf-8"),
            "application/json",
            f"Canonical JSON of {data.model} {data.version} (SHA-256 {data.sha256})",
        )
    ]
    certificates: set[str] = set()
    for record in data.signoffs:
        files.extend(_signoff_files(record, certificates))
    files.append(
        Attachment(
            MANIFEST,
            (canonical_json(_manifest(data, files)) + "\n").encode("utf-8"),
            "application/json",
            "What this report is about, and the SHA-256 of every other attached file",
        )
    )
    return files


def _signoff_files(record: SignOffRecord, certificates: set[str]) -> list[Attachment]:
    """A sign-off's signed bytes and signature, and its signer's certificate the first time
    that certificate is met (``certificates`` holds those already attached)."""
    s = record.signature
    files = [
        Attachment(
            payload_name(s.id),
            record.payload,
            "application/json",
            f"Signed sign-off of {s.signer_email}: {s.decision}, {s.signed_at}",
        ),
        Attachment(
            signature_name(s.id),
            s.signature,
            "application/octet-stream",
            f"ECDSA P-256 / SHA-256 signature (DER) of {payload_name(s.id)}",
        ),
    ]
    if record.certificate_pem and s.fingerprint not in certificates:
        certificates.add(s.fingerprint)
        files.append(
            Attachment(
                certificate_name(s.fingerprint),
                record.certificate_pem.encode("ascii"),
                "application/x-pem-file",
                f"Certificate of {s.signer_name} <{s.signer_email}>",
            )
        )
    return files


def _manifest(data: ReportData, files: list[Attachment]) -> dict[str, Any]:
    """``report.json``: what the report is about, ``files`` with their hashes, the sign-offs."""
    exporter = data.exporter
    return {
        "format": MANIFEST_FORMAT,
        "format_version": MANIFEST_FORMAT_VERSION,
        "model": data.model,
        "version": data.version,
        "status": data.status,
        "card_sha256": data.sha256,
        "exported_at": data.exported_at,
        "exported_by": (
            {
                "name": exporter.name,
                "email": exporter.email,
                "role": exporter.role,
                "fingerprint": exporter.fingerprint,
            }
            if exporter
            else None
        ),
        "files": [{"name": f.name, "sha256": f.sha256, "size": len(f.data)} for f in files],
        "stages": [
            {
                "stage": st.stage,
                "status": st.status,
                "review": st.review_id,
                "quorum": data.stage_quorum(st.stage),
                "escalations": data.stage_escalations(st.stage),
                "decided_at": st.decided_at,
                "expires_on": st.expires_on,
                "conditions": list(st.conditions),
                "revoked": (
                    {"by": st.revoked_by, "at": st.revoked_at, "reason": st.revoked_reason}
                    if st.status == StageStatus.REVOKED
                    else None
                ),
            }
            for st in data.stages
        ],
        "classification": (
            {
                "tier": data.classification.tier,
                "reason": data.classification.reason,
                "by": data.classification.officer,
                "at": data.classification.signed_at,
                "from_version": data.classification.version,
            }
            if data.classification
            else None
        ),
        "card_rating": data.card_rating or None,
        "artifacts": [dict(a) for a in data.artifacts],
        "signoffs": [_signoff_entry(record) for record in data.signoffs],
    }


def _signoff_entry(record: SignOffRecord) -> dict[str, Any]:
    """One sign-off as ``report.json`` lists it, with the files that hold it."""
    s = record.signature
    return {
        "id": s.id,
        "review": record.review_id,
        "signer": {"name": s.signer_name, "email": s.signer_email, "role": s.signer_role},
        "decision": s.decision,
        "signed_at": s.signed_at,
        "fingerprint": s.fingerprint,
        "payload": payload_name(s.id),
        "signature": signature_name(s.id),
        "certificate": certificate_name(s.fingerprint) if record.certificate_pem else None,
        "verified_at_export": record.verified,
    }
