"""Checking reports from outside: broken files refused by name, forged contents caught."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from reportlab.pdfgen.canvas import Canvas

from countersign.services.identities.identities import Pkcs12File
from countersign.services.reports import verification as report_verification
from countersign.services.reports.attachments import CARD, report_attachments
from countersign.services.reports.data import Exporter, gather_report
from countersign.services.reports.errors import ReportUnreadable
from countersign.services.reports.pdf.document import build_report
from countersign.services.reports.reports import Reports, ReportSigner
from countersign.services.reports.signing import sign_report
from tests.helpers.reports import ANA, OLGA, ReportBench, report_bench
from tests.helpers.signoff import PASSPHRASE, issued_pkcs12, workbench


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReportBench]:
    with report_bench(tmp_path_factory.mktemp("verify")) as made:
        yield made


@pytest.fixture(scope="module")
def report(bench: ReportBench, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bench.export(tmp_path_factory.mktemp("out") / "report.pdf")


def _forged(bench: ReportBench, path: Path, change: str) -> Path:
    """A report signed by the officer whose card or sign-off was altered before signing."""
    signing = bench.bench.identities.unlock(OLGA, PASSPHRASE)
    exporter = Exporter("Olga Officer", OLGA, "officer", signing.identity.fingerprint)
    data = gather_report(
        bench.bench.db,
        "credit-scorer",
        "1.0",
        exported_at="2026-01-01T00:00:00Z",
        exporter=exporter,
    )
    if change == "sign-off":
        record = data.signoffs[0]
        forged = dataclasses.replace(
            record, payload=record.payload.replace(b'"pass"', b'"fail"', 1)
        )
        rounds = (dataclasses.replace(data.rounds[0], signoffs=(forged,)),)
        data = dataclasses.replace(data, rounds=rounds)
    if change == "card":
        data = dataclasses.replace(data, canonical_json='{"forged":true}')
    attachments = report_attachments(data)
    built = build_report(data, attachments)
    path.write_bytes(sign_report(built, attachments, data, signing, reason="forged"))
    return path


def test_not_a_pdf_is_refused_naming_the_file(bench: ReportBench, tmp_path: Path) -> None:
    for name, content in (("notes.pdf", b"hello"), ("empty.pdf", b"")):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ReportUnreadable) as refused:
            bench.reports.verify(path)
        assert str(refused.value) == f"{path}: is not a PDF file (it does not start with %PDF-)"


def test_a_missing_file_is_refused(bench: ReportBench, tmp_path: Path) -> None:
    with pytest.raises(ReportUnreadable, match=r"absent\.pdf: cannot be read: No such file"):
        bench.reports.verify(tmp_path / "absent.pdf")


def test_a_truncated_report_is_refused_or_invalid(
    bench: ReportBench, report: Path, tmp_path: Path
) -> None:
    data = report.read_bytes()
    for cut in (len(data) // 3, len(data) - 300):
        path = tmp_path / f"cut-{cut}.pdf"
        path.write_bytes(data[:cut])
        try:
            result = bench.reports.verify(path)
        except ReportUnreadable as refused:
            assert str(refused).startswith(f"{path}: ")
        else:
            assert not result.ok


def test_garbage_after_the_header_is_refused(bench: ReportBench, tmp_path: Path) -> None:
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    with pytest.raises(ReportUnreadable, match=r"garbage\.pdf: is not a readable PDF"):
        bench.reports.verify(path)


def test_size_is_bounded_before_reading(
    bench: ReportBench, report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_verification, "MAX_PDF_BYTES", 1024)
    with pytest.raises(ReportUnreadable, match="a report is at most 64 MiB"):
        bench.reports.verify(report)


def test_time_is_bounded(bench: ReportBench, report: Path) -> None:
    with pytest.raises(ReportUnreadable, match="checking took longer than 0 s"):
        report_verification.verify_report_file(report, {}, (), seconds=0.0005)


def test_an_unsigned_pdf_is_invalid(bench: ReportBench, tmp_path: Path) -> None:
    path = tmp_path / "unsigned.pdf"
    canvas = Canvas(str(path))
    canvas.drawString(72, 720, "Card SHA-256 " + "0" * 64)
    canvas.save()
    result = bench.reports.verify(path)
    assert not result.ok
    assert result.checks[0].describe() == "FAILED  PDF signature: the PDF is not signed"
    assert "FAILED  Attached files: there is no report.json attached" in [
        c.describe() for c in result.checks
    ]


def test_an_unknown_signer_fails_until_trusted(report: Path, tmp_path: Path) -> None:
    officer_pem = tmp_path / "officer.pem"
    with report_bench(tmp_path / "a") as bench:
        officer_pem.write_text(bench.bench.identities.get(OLGA).certificate_pem)
    (tmp_path / "b").mkdir()
    with workbench(tmp_path / "b") as stranger:
        reports = Reports(stranger.db, stranger.identities)
        result = reports.verify(report)
        signer = next(c for c in result.checks if c.name == "Signer")
        assert not signer.ok and not result.ok
        assert (
            "is neither in this registry nor among the certificates you trust (--trust)"
            in signer.detail
        )
        # The report was signed by another registry's Olga: trusting this Olga is not enough.
        assert not reports.verify(report, trust=[officer_pem]).ok


def test_trust_accepts_the_signers_certificate(
    bench: ReportBench, report: Path, tmp_path: Path
) -> None:
    officer_pem = tmp_path / "officer.pem"
    officer_pem.write_text(bench.bench.identities.get(OLGA).certificate_pem)
    approver_pem = tmp_path / "approver.pem"
    approver_pem.write_text(bench.bench.identities.get(ANA).certificate_pem)
    (tmp_path / "elsewhere").mkdir()
    with workbench(tmp_path / "elsewhere") as stranger:
        reports = Reports(stranger.db, stranger.identities)
        # The report's signer alone is not enough: the approval must come from a trusted approver.
        alone = reports.verify(report, trust=[officer_pem])
        result = reports.verify(report, trust=[officer_pem, approver_pem])
    checks = {c.name: c for c in alone.checks}
    assert checks["Signer"].ok and not alone.ok
    assert not checks["Decision"].ok
    assert result.ok, [c.describe() for c in result.checks]
    signer = next(c for c in result.checks if c.name == "Signer")
    assert signer.detail.endswith("among the certificates you trust (--trust)")
    signoff = next(c for c in result.checks if c.name.startswith("Sign-off"))
    assert signoff.ok and "certificate not in this registry, trusted (--trust" in signoff.detail
    decision = result.checks[-1]
    assert decision.name == "Decision"
    assert decision.detail.startswith("approved: 1 of 1 trusted approvals needed by standard@")


def test_a_card_that_is_not_the_printed_one_is_caught(bench: ReportBench, tmp_path: Path) -> None:
    result = bench.reports.verify(_forged(bench, tmp_path / "card.pdf", "card"))
    checks = {c.name: c for c in result.checks}
    assert checks["PDF signature"].ok and checks["Attached files"].ok
    assert not checks["Card"].ok and not result.ok
    assert checks["Card"].detail.startswith("the attached card has SHA-256 ")
    assert "but the pages print" in checks["Card"].detail
    sign_off = next(c for c in result.checks if c.name.startswith("Sign-off"))
    assert not sign_off.ok
    assert sign_off.detail == "the sign-off is for another card than the attached one"


def test_a_changed_sign_off_payload_is_caught(bench: ReportBench, tmp_path: Path) -> None:
    result = bench.reports.verify(_forged(bench, tmp_path / "signoff.pdf", "sign-off"))
    sign_off = next(c for c in result.checks if c.name.startswith("Sign-off"))
    assert sign_off.name.startswith("Sign-off 1 (ana@example.org, approve)")
    assert sign_off.describe().endswith("BROKEN: the signature does not verify over the payload")
    assert not result.ok
    failed = [c.name for c in result.checks if not c.ok]
    assert failed == [sign_off.name, "Decision"]


def test_an_attached_file_changed_against_the_manifest_is_caught(
    bench: ReportBench, report: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = report_verification._attachments

    def altered(reader: object, file: str) -> dict[str, bytes]:
        found = original(reader, file)  # type: ignore[arg-type]
        found[CARD] = found[CARD] + b" "
        found["extra.txt"] = b"slipped in"
        return found

    monkeypatch.setattr(report_verification, "_attachments", altered)
    result = bench.reports.verify(report)
    files = next(c for c in result.checks if c.name == "Attached files")
    assert files.detail == (
        "card.json does not match its SHA-256; extra.txt is attached but not listed"
    )


def test_a_report_signed_with_an_organisation_certificate_is_trusted_through_its_issuer(
    tmp_path: Path,
) -> None:
    data, _leaf, ca = issued_pkcs12("bea@example.org", b"p12 password")
    credential = tmp_path / "bea.p12"
    credential.write_bytes(data)
    issuer = tmp_path / "issuing-ca.pem"
    issuer.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    approver = tmp_path / "approver.pem"
    with report_bench(tmp_path / "office") as bench:
        approver.write_text(bench.bench.identities.get(ANA).certificate_pem)
        bench.bench.identities.import_pkcs12(
            Pkcs12File(credential, "p12 password"),
            PASSPHRASE,
            "officer",
            granted_by=bench.bench.officer(),
        )
        path = tmp_path / "report.pdf"
        bench.reports.export(
            "credit-scorer", "1.0", ReportSigner("bea@example.org", PASSPHRASE), path
        )
        assert bench.reports.verify(path).ok
    (tmp_path / "auditor").mkdir()
    with workbench(tmp_path / "auditor") as auditor:
        reports = Reports(auditor.db, auditor.identities)
        assert not reports.verify(path).ok
        result = reports.verify(path, trust=[issuer, approver])
    assert result.ok, [c.describe() for c in result.checks]
    signer = next(c for c in result.checks if c.name == "Signer")
    assert signer.detail.startswith("Bea Approver, certificate ")
    assert signer.detail.endswith("among the certificates you trust (--trust)")
