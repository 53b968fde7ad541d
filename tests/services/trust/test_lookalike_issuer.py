"""An organisation's issuing certificate is trusted through its key, never its name.

README, "Trust: what holds": with `countersign trust add CERT.pem` (or `--trust`), the
certificates an organisation's CA issued are trusted "through their signature, not their
name".  The attacker makes a CA of their own with the very same name ("Example Bank Issuing
CA"), issues themselves a certificate from it, founds a registry with it, approves and
exports a signed report.  With the real CA trusted, the report and the registry both fail.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from countersign.services.identities.identities import Pkcs12File
from countersign.services.integrity.registry_check import verify_registry
from countersign.services.reports.reports import Reports, ReportSigner
from countersign.services.trust.anchors import TrustAnchors, anchors_from_pem
from tests.helpers.signoff import PASSPHRASE, issued_pkcs12, medium_card, workbench

MALLORY = "mallory@example.org"


def _pem(certificate: x509.Certificate, path: Path) -> Path:
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def test_a_certificate_from_a_look_alike_ca_is_not_trusted(tmp_path: Path) -> None:
    _, _, real_ca = issued_pkcs12("bea@example.org", b"pw")
    data, leaf, fake_ca = issued_pkcs12(MALLORY, b"pw", common_name="Mallory")
    assert fake_ca.subject == real_ca.subject and leaf.issuer == real_ca.subject
    credential = tmp_path / "mallory.p12"
    credential.write_bytes(data)
    report = tmp_path / "report.pdf"
    with workbench(tmp_path / "mallory") as forged:
        forged.identities.import_pkcs12(Pkcs12File(credential, "pw"), PASSPHRASE, "officer")
        forged.import_card(medium_card(version="1.0"))
        assert forged.sign(MALLORY, version="1.0").card_status == "approved"
        forged.services.reports.export(
            "credit-scorer", "1.0", ReportSigner(MALLORY, PASSPHRASE), report
        )
        real = TrustAnchors(
            anchors_from_pem(real_ca.public_bytes(serialization.Encoding.PEM).decode(), "test")
        )
        with forged.db.read() as session:
            registry = verify_registry(session, real)
            unanchored = verify_registry(session, TrustAnchors())
    # Trusting nothing, the forged registry agrees with itself, and the check says that is
    # all it proves (README: "What does not hold").
    assert unanchored.ok and not unanchored.anchored
    assert unanchored.notes[0].startswith("Not anchored: no certificate is trusted")
    assert not registry.ok
    assert any(
        f"the registry was founded by {MALLORY}" in p
        and "which is not among the certificates trusted here" in p
        for p in registry.problems
    ), registry.problems

    (tmp_path / "auditor").mkdir()
    with workbench(tmp_path / "auditor") as auditor:
        reports = Reports(auditor.db, auditor.identities)
        refused = reports.verify(report, trust=[_pem(real_ca, tmp_path / "real-ca.pem")])
        # The same report with the look-alike trusted passes: only the key tells them apart.
        accepted = reports.verify(report, trust=[_pem(fake_ca, tmp_path / "fake-ca.pem")])
    assert not refused.ok
    signer = next(c for c in refused.checks if c.name == "Signer")
    assert not signer.ok, signer.describe()
    assert "is neither in this registry nor among the certificates you trust" in signer.detail
    assert accepted.ok, [c.describe() for c in accepted.checks]
