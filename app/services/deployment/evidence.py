"""The offline deployment gate: published evidence and trusted certificates, no registry.

The evidence is a folder written by ``countersign publish`` or the signed
review report PDF alone (an approval attestation is checked by
:mod:`~countersign.services.deployment.attestation_gate`).  The gate passes only when:

* the report is intact (PDF signature valid over the whole file, its signer
  trusted, every attached file matching ``report.json``, the card the one
  printed on every page, every sign-off's signature valid over its payload),
  and in a folder every file matches ``SHA256SUMS``, the card is the
  report's card, and the folder's approval attestation for the stage (when
  there is one) passes the attestation gate for the report's card;
* for the stage and every earlier one, distinct approvers whose certificates
  are trusted (the certificate itself or its issuer) signed an approval of
  this card for that stage, at least the round's quorum;
* the report does not say the approval was revoked, nor does a trusted
  revocation in ``--revocations``;
* a given model file's SHA-256 is among the files the approvals signed.

Evidence published before a revocation cannot know of it: only a
revocations file exported later can say so.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from countersign.errors import CountersignError, InputRefused
from countersign.formats.limits import load_json
from countersign.models.vocabulary import Decision, StageStatus
from countersign.plain_files import read_plain, read_plain_text
from countersign.services.deployment.attestation_gate import attestation_gate, is_attestation
from countersign.services.deployment.errors import EvidenceUnreadable
from countersign.services.deployment.gate import artifact_check
from countersign.services.deployment.records import GateCheck, GateQuestion, GateResult
from countersign.services.deployment.trusted import (
    TrustedCertificate,
    revocations_check,
    trusted_certificates,
)
from countersign.services.identities.certificates import certificate_fingerprint, load_certificate
from countersign.services.reports.attestation import ATTESTATION_FOLDER
from countersign.services.reports.verdict import ReportVerification
from countersign.services.reports.verification import verify_report_file
from countersign.services.reviews import conditions
from countersign.services.trust.anchors import Anchor, TrustAnchors

REPORT_IN_FOLDER = "review-report.pdf"
CARD_IN_FOLDER = "card.canonical.json"
SUMS = "SHA256SUMS"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def evidence_gate(
    evidence: Path,
    question: GateQuestion,
    *,
    trust: Sequence[Path],
    revocations: Path | None = None,
) -> GateResult:
    """Check ``evidence`` (a published folder, a report PDF or an attestation) for the question.

    An approval whose signed expiry date is before the question's day (today) fails.
    """
    if is_attestation(evidence):
        return attestation_gate(evidence, question, trust=trust, revocations=revocations)
    stage, artifact_sha256, as_of = question.stage, question.artifact_sha256, question.as_of
    trusted = trusted_certificates(trust)
    checks: list[GateCheck] = []
    pdf = evidence / REPORT_IN_FOLDER if evidence.is_dir() else evidence
    if evidence.is_dir() and not pdf.is_file():
        raise EvidenceUnreadable(f"{evidence}: no {REPORT_IN_FOLDER}; is this a published folder?")
    anchors = TrustAnchors(Anchor(c.certificate, "--trust") for c in trusted)
    verification = verify_report_file(pdf, {}, anchors)
    checks.append(_report_check(verification))
    if evidence.is_dir():
        checks.append(_folder_check(evidence, verification.card_sha256))
        checks.extend(_folder_attestation(evidence, question, trust, verification.card_sha256))
    manifest = _manifest(verification.attachments)
    result_base = (verification.model, verification.version, verification.card_sha256)
    stages = [s for s in manifest.get("stages", []) if isinstance(s, dict)]
    names = [str(s.get("stage")) for s in stages]
    if stage not in names:
        checks.append(
            GateCheck(
                "stage",
                False,
                f"the evidence knows the stages {', '.join(names) or 'none'}, not {stage!r}",
            )
        )
        return GateResult("evidence", stage, *result_base, tuple(checks))
    payloads = _trusted_payloads(verification, manifest, trusted)
    signed_artifacts: list[dict[str, Any]] = []
    for entry in stages[: names.index(stage) + 1]:
        check, artifacts = _stage_check(
            entry, payloads, verification.card_sha256, as_of or conditions.today()
        )
        checks.append(check)
        if entry.get("stage") == stage:
            signed_artifacts = artifacts
    if revocations is not None:
        checks.append(
            revocations_check(
                revocations, trusted, verification.card_sha256, names[: names.index(stage) + 1]
            )
        )
    if artifact_sha256 is not None:
        checks.append(artifact_check(signed_artifacts, artifact_sha256))
    return GateResult("evidence", stage, *result_base, tuple(checks))


def _folder_attestation(
    folder: Path, question: GateQuestion, trust: Sequence[Path], card_sha256: str
) -> list[GateCheck]:
    """The folder's approval attestation for the stage, when it holds one, checked as a whole."""
    stage = question.stage
    name = f"{ATTESTATION_FOLDER}/{stage}.intoto.json"
    path = folder / ATTESTATION_FOLDER / f"{stage}.intoto.json"
    if Path(stage).name != stage or not path.is_file():
        return []
    try:
        result = attestation_gate(path, GateQuestion(stage, as_of=question.as_of), trust=trust)
    except CountersignError as error:
        return [GateCheck("attestation", False, str(error))]
    if result.card_sha256 != card_sha256:
        return [GateCheck("attestation", False, f"{name} attests another card than the report's")]
    if not result.ok:
        problems = "; ".join(f"{c.check}: {c.detail}" for c in result.failed)
        return [GateCheck("attestation", False, f"{name}: {problems}")]
    return [GateCheck("attestation", True, f"{name}: {result.checks[0].detail}")]


def _report_check(verification: ReportVerification) -> GateCheck:
    if verification.ok:
        return GateCheck(
            "report",
            True,
            f"the signed report is intact and its signer trusted ({verification.signer}); "
            f"all {len(verification.checks)} checks hold",
        )
    return GateCheck(
        "report",
        False,
        "; ".join(f"{c.name}: {c.detail}" for c in verification.failures),
    )


def _folder_check(folder: Path, card_sha256: str) -> GateCheck:
    """Every file listed in SHA256SUMS matches, nothing else is there, the card is the report's."""
    sums = folder / SUMS
    try:
        lines = read_plain_text(sums).splitlines()
    except (OSError, UnicodeDecodeError):
        return GateCheck("published folder", False, f"{SUMS} is missing or unreadable")
    listed: dict[str, str] = {}
    for line in lines:
        digest, _, name = line.partition("  ")
        if name:
            listed[name.strip()] = digest.strip()
    problems = []
    for name, digest in listed.items():
        path = folder / name
        if ".." in Path(name).parts or not path.is_file():
            problems.append(f"{name} is listed but missing")
        elif hashlib.sha256(read_plain(path)).hexdigest() != digest:
            problems.append(f"{name} was changed (its SHA-256 is not the one listed)")
    present = {
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != SUMS
    }
    problems += [f"{name} is not listed in {SUMS}" for name in sorted(present - set(listed))]
    card = folder / CARD_IN_FOLDER
    if card.is_file() and hashlib.sha256(read_plain(card)).hexdigest() != card_sha256:
        problems.append(f"{CARD_IN_FOLDER} is not the card the report signs")
    if problems:
        return GateCheck("published folder", False, "; ".join(problems[:6]))
    return GateCheck(
        "published folder", True, f"{len(listed)} files match {SUMS}; the card is the report's"
    )


def _manifest(attachments: Mapping[str, bytes]) -> dict[str, Any]:
    raw = attachments.get("report.json")
    if raw is None:
        return {}
    try:
        value = load_json(raw.decode("utf-8"), "report.json")
    except (UnicodeDecodeError, InputRefused):
        return {}
    return value if isinstance(value, dict) else {}


def _trusted_payloads(
    verification: ReportVerification,
    manifest: Mapping[str, Any],
    trusted: Sequence[TrustedCertificate],
) -> list[tuple[dict[str, Any], str, bool]]:
    """Each sign-off payload whose signature verifies: (payload, signer e-mail, trusted)."""
    out = []
    attachments = verification.attachments
    for entry in manifest.get("signoffs", []):
        if not isinstance(entry, dict):
            continue
        payload_raw = attachments.get(str(entry.get("payload")))
        signature = attachments.get(str(entry.get("signature")))
        pem = attachments.get(str(entry.get("certificate")))
        if payload_raw is None or signature is None or pem is None:
            continue
        try:
            certificate = load_certificate(pem)
            payload = json.loads(payload_raw.decode("utf-8"))
            key = certificate.public_key()
            if not isinstance(key, ec.EllipticCurvePublicKey):
                continue
            key.verify(signature, payload_raw, ec.ECDSA(hashes.SHA256()))
        except (ValueError, InvalidSignature, UnicodeDecodeError):
            continue
        if not isinstance(payload, dict):
            continue
        if payload.get("signer_fingerprint") != certificate_fingerprint(certificate):
            continue
        signer = entry.get("signer")
        email = str(signer.get("email", "")) if isinstance(signer, dict) else ""
        vouched = any(t.vouches_for(certificate) for t in trusted)
        out.append((payload, email or certificate_fingerprint(certificate), vouched))
    return out


def _stage_check(
    entry: Mapping[str, Any],
    payloads: Sequence[tuple[dict[str, Any], str, bool]],
    card_sha256: str,
    as_of: datetime.date,
) -> tuple[GateCheck, list[dict[str, Any]]]:
    stage = str(entry.get("stage"))
    name = f"approved for {stage}"
    status = str(entry.get("status"))
    if status == StageStatus.REVOKED:
        revoked = entry.get("revoked") or {}
        return GateCheck(
            name,
            False,
            f"the report says the approval for {stage} was revoked"
            + (
                f" by {revoked.get('by')}: {revoked.get('reason')}"
                if isinstance(revoked, dict)
                else ""
            ),
        ), []
    if status != StageStatus.APPROVED:
        return GateCheck(name, False, f"the report says {stage}: {status}"), []
    quorum = entry.get("quorum")
    quorum = quorum if isinstance(quorum, int) and quorum >= 1 else 1
    counted = _approvals(payloads, stage, card_sha256)
    approvers = counted.approvers
    escalation, extra_approvals = _escalation_problem(entry, payloads, stage, approvers)
    if escalation:
        return GateCheck(name, False, escalation), counted.artifacts
    quorum += extra_approvals
    if len(approvers) < quorum:
        untrusted = counted.untrusted
        extra = f"; not trusted: {', '.join(sorted(untrusted))}" if untrusted else ""
        return GateCheck(
            name,
            False,
            f"{len(approvers)} trusted approval(s) of this card for {stage}, {quorum} needed{extra}",
        ), counted.artifacts
    until = min(counted.expiries) if counted.expiries else None
    if until is not None and not (_DATE.match(until) and as_of.isoformat() <= until):
        return GateCheck(
            name, False, f"the approval for {stage} expired: it held until {until[:40]}"
        ), counted.artifacts
    return GateCheck(
        name,
        True,
        f"{len(approvers)} trusted approval(s) of {quorum} needed: {', '.join(sorted(approvers))}"
        + (f"; until {until}" if until else ""),
    ), counted.artifacts


@dataclass
class _Counted:
    """The approvals of one card for one stage among the report's sign-offs."""

    approvers: set[str] = field(default_factory=set)
    untrusted: set[str] = field(default_factory=set)
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    expiries: list[str] = field(default_factory=list)
    """The signed expiry dates of the trusted approvals (the earliest ends the approval)."""


def _approvals(
    payloads: Sequence[tuple[dict[str, Any], str, bool]], stage: str, card_sha256: str
) -> _Counted:
    counted = _Counted()
    for payload, signer, vouched in payloads:
        if (
            payload.get("decision") != Decision.APPROVE
            or payload.get("card_version_sha256") != card_sha256
        ):
            continue
        if payload.get("stage", stage) != stage:  # a sign-off from before stages counts for each
            continue
        if not vouched:
            counted.untrusted.add(signer)
            continue
        counted.approvers.add(signer)
        if "expires" in payload:
            counted.expiries.append(str(payload.get("expires")))
        signed = payload.get("artifacts")
        if isinstance(signed, list):
            counted.artifacts = [a for a in signed if isinstance(a, dict)]
    return counted


def _escalation_problem(
    entry: Mapping[str, Any],
    payloads: Sequence[tuple[dict[str, Any], str, bool]],
    stage: str,
    approvers: set[str],
) -> tuple[str, int]:
    """Why the trusted approvals miss an escalation a broken threshold needed (``""``: they
    do not), and the approvals the escalations add to the quorum.

    The trusted approvals' payloads say which escalations were needed and which each
    fulfilled; the report's stage entry says what each asks.
    """
    asks = entry.get("escalations")
    asks = asks if isinstance(asks, dict) else {}
    needed: set[str] = set()
    signed: set[str] = set()
    for payload, signer, _vouched in payloads:
        if signer not in approvers or payload.get("stage", stage) != stage:
            continue
        part = payload.get("escalations")
        if isinstance(part, dict):
            needed.update(str(key) for key in part.get("needed", []) if isinstance(key, str))
            signed.update(str(key) for key in part.get("signed", []) if isinstance(key, str))
    extra = 0
    for key in sorted(needed):
        ask = asks.get(key)
        if not isinstance(ask, dict):
            return (
                f"the approvals needed the escalation {key!r}, which the report does not state",
                0,
            )
        if ask.get("role") and key not in signed:
            return (
                f"the approvals needed the escalation {key!r} (an approval by an "
                f"{ask.get('role')}), which no trusted approval fulfils"
            ), 0
        approvals = ask.get("approvals")
        extra += approvals if isinstance(approvals, int) and approvals > 0 else 0
    return "", extra
