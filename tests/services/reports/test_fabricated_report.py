"""A report is VALID only when its claimed decision is backed by trusted sign-offs.

The red team's case: someone with the reviewer role builds a one-page
"APPROVED" report for a card the registry holds as "changes requested", with
a sign-off signed by a key that is in no registry.  Its PDF signature is
intact and its signer is known; it must still fail.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from countersign.services.identities.certificates import (
    certificate_fingerprint,
    load_certificate,
    make_self_signed,
    pem_of,
)
from countersign.services.identities.identities import SigningKey
from countersign.services.reports.attachments import report_attachments
from countersign.services.reports.data import Exporter, ReportData, SignOffRecord, gather_report
from countersign.services.reports.pdf.document import build_report
from countersign.services.reports.signing import sign_report
from countersign.services.reports.verdict import ReportVerification
from countersign.services.reviews.records import SignatureInfo
from countersign.services.reviews.signoff_payload import (
    SignoffContent,
    payload_bytes,
    signoff_payload,
)
from tests.helpers.registry import raw_connection
from tests.helpers.reports import ANA, OLGA, ReportBench, report_bench
from tests.helpers.signoff import PASSPHRASE

REX = "rex@example.org"
"""A reviewer: in the registry, with no right to approve."""


@pytest.fixture
def bench(tmp_path: Path, registry_db: str) -> Iterator[ReportBench]:
    with report_bench(tmp_path / "registry", approve=False, db=registry_db) as made:
        made.bench.person(REX, "reviewer", "Rex Reviewer")
        made.bench.sign(ANA, "changes", comment="The fairness section is missing.")
        yield made


def _approval(
    data: ReportData, signer: SigningKey | tuple[ec.EllipticCurvePrivateKey, str], signed_at: str
) -> SignOffRecord:
    """A sign-off approving the card of ``data``, signed by ``signer`` (a key and its PEM)."""
    if isinstance(signer, SigningKey):
        key, pem = signer.key, signer.identity.certificate_pem
        name, email = signer.identity.name, signer.identity.email
    else:
        key, pem = signer
        name, email = "Mallory", "mallory@example.net"
    fingerprint = certificate_fingerprint(load_certificate(pem))
    payload = payload_bytes(
        signoff_payload(
            SignoffContent(
                card_version_sha256=data.sha256,
                model=data.model,
                version=data.version,
                template_id="standard",
                template_version=1,
                responses=[],
                decision="approve",
                comment="Looks fine.",
                signed_at=signed_at,
                signer_fingerprint=fingerprint,
            )
        )
    )
    signature = key.sign(payload, ec.ECDSA(hashes.SHA256()))
    info = SignatureInfo(
        id=99,
        signer_name=name,
        signer_email=email,
        signer_role="approver",
        fingerprint=fingerprint,
        decision="approve",
        comment="Looks fine.",
        signed_at=signed_at,
        signature=signature,
        responses=(),
    )
    return SignOffRecord(
        review_id=1, signature=info, certificate_pem=pem, payload=payload, problem=""
    )


def _fabricate(
    bench: ReportBench,
    path: Path,
    exporter: SigningKey,
    approval: SignOffRecord,
    exported_at: str = "2026-01-01T00:00:00Z",
) -> ReportVerification:
    """An "approved" report with ``approval`` as its one sign-off, signed by ``exporter``."""
    identity = exporter.identity
    data = gather_report(
        bench.bench.db,
        "credit-scorer",
        "1.0",
        exported_at=exported_at,
        exporter=Exporter(identity.name, identity.email, identity.role, identity.fingerprint),
    )
    summary = dataclasses.replace(data.summary, status="approved")
    rounds = (dataclasses.replace(data.rounds[0], signoffs=(approval,)),)
    data = dataclasses.replace(data, summary=summary, rounds=rounds)
    attachments = report_attachments(data)
    built = build_report(data, attachments)
    path.write_bytes(sign_report(built, attachments, data, exporter, reason="fabricated"))
    return bench.reports.verify(path)


def _checks(result: ReportVerification) -> dict[str, str]:
    return {c.name.split(" (")[0]: c.describe() for c in result.checks}


def test_a_foreign_approval_in_a_reviewers_report_fails(bench: ReportBench, tmp_path: Path) -> None:
    attacker = ec.generate_private_key(ec.SECP256R1())
    pem = pem_of(make_self_signed(attacker, "Mallory", "mallory@example.net", "approver"))
    rex = bench.bench.identities.unlock(REX, PASSPHRASE)
    data = gather_report(bench.bench.db, "credit-scorer", "1.0", exported_at="")
    result = _fabricate(
        bench,
        tmp_path / "approved.pdf",
        rex,
        _approval(data, (attacker, pem), "2026-01-01T00:00:00Z"),
    )
    checks = _checks(result)
    assert not result.ok
    assert result.verdict().startswith("INVALID: ")
    # The PDF itself is intact and signed by a known identity: that alone proves nothing.
    assert checks["PDF signature"].startswith("ok ")
    assert checks["Signer"].startswith("ok ")
    assert "FAILED  Sign-off 99" in checks["Sign-off 99"]
    assert (
        "neither in this registry nor among the certificates trusted here" in checks["Sign-off 99"]
    )
    assert checks["Decision"] == (
        "FAILED  Decision: the report claims 'approved', but no trusted sign-off approves it"
    )
    assert checks["Registry"] == (
        "FAILED  Registry: the report claims 'approved', but this registry holds "
        "credit-scorer 1.0 as 'changes requested'"
    )


def test_a_reviewers_own_approval_does_not_make_a_quorum(
    bench: ReportBench, tmp_path: Path
) -> None:
    rex = bench.bench.identities.unlock(REX, PASSPHRASE)
    data = gather_report(bench.bench.db, "credit-scorer", "1.0", exported_at="")
    result = _fabricate(
        bench, tmp_path / "rex.pdf", rex, _approval(data, rex, "2026-01-01T00:00:00Z")
    )
    checks = _checks(result)
    assert checks["Sign-off 99"].startswith("ok ")  # the signature is Rex's own, and verifies
    assert checks["Decision"] == (
        "FAILED  Decision: the report claims 'approved', but standard@1 needs 1 approvals "
        "from trusted approvers, the report has 0; rex@example.org may not approve"
    )
    assert not result.ok


def test_a_retired_key_signs_nothing_dated_after_its_retirement(
    bench: ReportBench, tmp_path: Path
) -> None:
    ana = bench.bench.identities.unlock(ANA, PASSPHRASE)  # the key survives elsewhere (a .p12)
    olga = bench.bench.identities.unlock(OLGA, PASSPHRASE)
    bench.bench.identities.retire(ANA, "left the bank")
    bench.bench.identities.retire(OLGA, "left the bank")
    later = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    data = gather_report(bench.bench.db, "credit-scorer", "1.0", exported_at="")
    result = _fabricate(bench, tmp_path / "late.pdf", olga, _approval(data, ana, later), later)
    checks = _checks(result)
    assert "after its identity was retired" in checks["Sign-off 99"]
    assert checks["Sign-off 99"].startswith("FAILED")
    assert checks["Exported"].startswith("FAILED  Exported: the report is dated ")
    assert "after its signer olga@example.org was retired" in checks["Exported"]
    assert not result.ok


def test_a_role_written_into_the_registry_is_not_a_grant(
    bench: ReportBench, tmp_path: Path
) -> None:
    # The attacker can write the registry file: Rex's row now says approver, but no officer
    # signed that grant, so his approval still counts for nothing.
    with raw_connection(bench.bench.path) as connection:
        connection.execute(f"UPDATE identities SET role = 'approver' WHERE email = '{REX}'")
    rex = bench.bench.identities.unlock(REX, PASSPHRASE)
    data = gather_report(bench.bench.db, "credit-scorer", "1.0", exported_at="")
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = _fabricate(bench, tmp_path / "rex.pdf", rex, _approval(data, rex, now))
    checks = _checks(result)
    assert "role reviewer" in checks["Sign-off 99"]
    assert checks["Decision"].startswith("FAILED  Decision: the report claims 'approved'")
    assert "rex@example.org may not approve" in checks["Decision"]
