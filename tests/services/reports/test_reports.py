"""Signed review reports, checked by independent verifiers: poppler's pdfsig, pyHanko, our verify.

One registry is built for the module (exports take a fraction of a second each):
version 1.0 of a card full of markup and CJK text approved by Ana, version 2.0 sent
back by Bob, each exported as a report signed by Olga, the officer.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from countersign.services.identities.certificates import load_certificate
from countersign.services.identities.errors import IdentityRetired, WrongPassphrase
from countersign.services.importing.importer import Importer, LooseCardInfo
from countersign.services.registry import NotFound, Registry
from countersign.services.reports.errors import ReportRefused
from countersign.services.reports.reports import Reports, ReportSigner
from tests.helpers.registry import audit_actions, last_audit_details
from tests.helpers.reports import (
    ANA,
    CHINESE,
    JAPANESE,
    MARKUP,
    OLGA,
    ReportBench,
    markup_card,
    report_bench,
)
from tests.helpers.signoff import PASSPHRASE

BOB = "bob@example.org"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"poppler's {name} is not installed (scripts/setup.sh test installs it)")
    return found


@dataclass
class Exported:
    """The module's registry and its two exported reports."""

    bench: ReportBench
    approved: Path
    sent_back: Path
    folder: Path

    @property
    def reports(self) -> Reports:
        return self.bench.reports


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    folder = tmp_path_factory.mktemp("reports")
    with report_bench(folder) as bench:
        second = markup_card("2.0", license="apache-2.0")
        second.caveats_and_recommendations.limitations.append("新しい制限: drift <b>unchecked</b>.")
        second.quantitative_analyses.results[0].value = "0.89"
        second.quantitative_analyses.results[0].numeric = 0.89
        bench.bench.import_card(second)
        bench.bench.person(BOB, "reviewer", "Bob Reviewer")
        bench.bench.reviews.sign(
            bench.bench.request(
                BOB, "changes", version="2.0", comment="Explain <b>drift</b> & bias."
            ),
            PASSPHRASE,
        )
        approved = bench.export(folder / "approved.pdf", "1.0")
        sent_back = bench.export(folder / "sent-back.pdf", "2.0")
        yield Exported(bench, approved, sent_back, folder)


def _pdftotext(path: Path) -> str:
    result = subprocess.run(
        [_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pdfsig(path: Path) -> str:
    # pdfsig exits 0 whether or not the signature is valid: its words are what count.
    result = subprocess.run(
        [_tool("pdfsig"), str(path)], capture_output=True, text=True, check=False
    )
    return result.stdout + result.stderr


def _pyhanko_status(path: Path, trust_pem: str) -> object:
    reader = PdfFileReader(io.BytesIO(path.read_bytes()), strict=False)
    [signature] = reader.embedded_signatures
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    root = asn1_x509.Certificate.load(
        load_certificate(trust_pem).public_bytes(serialization.Encoding.DER)
    )
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    return validate_pdf_signature(signature, context)


def _officer_pem(exported: Exported) -> str:
    return exported.bench.bench.identities.get(OLGA).certificate_pem


# -- the signature, checked three ways ------------------------------------------------


def test_pdfsig_says_the_signature_is_valid_and_covers_the_document(exported: Exported) -> None:
    out = _pdfsig(exported.approved)
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out
    assert "Signature Type: ETSI.CAdES.detached" in out
    assert "Signer Certificate Common Name: Olga Officer" in out
    assert "Signing Hash Algorithm: SHA-256" in out


def test_pyhanko_says_intact_valid_trusted_whole_file(exported: Exported) -> None:
    status = _pyhanko_status(exported.approved, _officer_pem(exported))
    assert status.intact and status.valid and status.trusted  # type: ignore[attr-defined]
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE  # type: ignore[attr-defined]
    reader = PdfFileReader(io.BytesIO(exported.approved.read_bytes()), strict=False)
    [signature] = reader.embedded_signatures
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.sig_object["/Reason"] == "Review report of credit-scorer 1.0 (approved)"


def test_countersign_verify_holds_every_check(exported: Exported) -> None:
    result = exported.reports.verify(exported.approved)
    assert result.ok, [c.describe() for c in result.checks]
    names = [check.name for check in result.checks]
    assert names[:5] == ["PDF signature", "Coverage", "Signer", "Attached files", "Card"]
    assert names[5].startswith(f"Sign-off 1 ({ANA}, approve)")
    assert (result.model, result.version, result.status) == ("credit-scorer", "1.0", "approved")
    assert result.signer == f"Olga Officer <{OLGA}>"
    card_sha = Registry(exported.bench.bench.db).card_version("credit-scorer", "1.0").summary.sha256
    pages = len(_pdftotext(exported.approved).split("\f")) - 1
    assert result.card_sha256 == card_sha
    assert (
        result.checks[4].detail
        == f"card.json has SHA-256 {card_sha}, as printed on all {pages} pages"
    )


def test_a_one_byte_change_inside_the_signed_range_fails_all_three(
    exported: Exported, tmp_path: Path
) -> None:
    data = bytearray(exported.approved.read_bytes())
    # The first revision's producer string: early in the file, well inside the signed range.
    offset = data.index(b"ReportLab PDF Library") + len(b"ReportLab PDF Li")
    ranges = _byte_range(bytes(data))
    assert ranges[0] <= offset < ranges[0] + ranges[1]
    data[offset] = ord("X")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))

    assert "Digest Mismatch" in _pdfsig(tampered)
    assert "Signature is Valid." not in _pdfsig(tampered)
    status = _pyhanko_status(tampered, _officer_pem(exported))
    assert not status.intact  # type: ignore[attr-defined]
    result = exported.reports.verify(tampered)
    assert not result.ok
    assert result.checks[0].describe() == (
        "FAILED  PDF signature: BROKEN: the signed bytes were changed after signing "
        "(digest mismatch)"
    )
    assert result.verdict().startswith(f"INVALID: {tampered}")


def _byte_range(data: bytes) -> list[int]:
    start = data.rindex(b"/ByteRange")
    inside = data[data.index(b"[", start) + 1 : data.index(b"]", start)]
    return [int(value) for value in inside.split()]


def test_bytes_added_after_signing_break_coverage(exported: Exported, tmp_path: Path) -> None:
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(exported.approved.read_bytes() + b"\n% appended by someone\n")
    result = exported.reports.verify(appended)
    coverage = next(c for c in result.checks if c.name == "Coverage")
    assert not coverage.ok and not result.ok
    assert "does not cover the whole file" in coverage.detail


# -- what the report says -------------------------------------------------------------


def test_markup_and_cjk_show_literally(exported: Exported) -> None:
    text = _flat(_pdftotext(exported.approved))
    assert f"Summary with {MARKUP}" in text
    assert JAPANESE in text
    assert CHINESE in text
    assert "Mixed: モデル v2 <i>x</i> & 模型." in text
    assert "<script>document.write('x')</script>" in text
    assert "Notes <para>" in text and "code <b>x</b>" in text
    assert "auc <b> 0.87 holdout & co" in text
    assert "精度 0.91 日本語データ" in text


def test_fonts_are_embedded_and_the_cjk_fallback_is_used(exported: Exported) -> None:
    result = subprocess.run(
        [_tool("pdffonts"), str(exported.approved)], capture_output=True, text=True, check=True
    )
    rows = [line.split() for line in result.stdout.splitlines()[2:] if line.strip()]
    names = {row[0].split("+")[-1] for row in rows}
    assert {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono", "DroidSansFallback"} <= names
    assert all(row[-5] == "yes" for row in rows), result.stdout  # emb column: every font embedded


def test_every_page_has_the_card_hash_and_its_number(exported: Exported) -> None:
    result = exported.reports.verify(exported.approved)
    pages = _pdftotext(exported.approved).split("\f")[:-1]
    assert len(pages) >= 4
    for number, page in enumerate(pages, start=1):
        assert f"Card SHA-256 {result.card_sha256}" in page
        assert f"Page {number} of {len(pages)}" in page


def test_status_and_decision_are_said_plainly(exported: Exported) -> None:
    approved = _flat(_pdftotext(exported.approved))
    assert "APPROVED for staging on " in approved
    assert " by Ana Approver Approved on " in approved
    assert "Stages staging: approved; production: not requested" in approved
    assert "by Ana Approver (1 of 1 required approval, checklist standard@1)" in approved
    assert "No approved version yet before version 1.0 of credit-scorer" in approved
    assert "Exporting officer Olga Officer <olga@example.org>, officer" in approved

    sent_back = _flat(_pdftotext(exported.sent_back))
    assert "NOT APPROVED — status: changes requested" in sent_back
    assert 'by Bob Reviewer: NOT approved — "Explain <b>drift</b> & bias."' in sent_back
    assert '& bias."."' not in sent_back  # the comment's own full stop ends the sentence
    assert "Compared with version 1.0, approved" in sent_back
    assert "license changed proprietary apache-2.0" in sent_back
    assert "auc <b> on holdout & co changed 0.87 0.89 +0.02 better (higher is better)" in sent_back
    assert "+ - 新しい制限: drift <b>unchecked</b>." in sent_back


def test_checklist_signatures_and_audit_are_in_the_report(exported: Exported) -> None:
    text = _flat(_pdftotext(exported.approved))
    assert "Review 1: Standard model card review (standard@1)" in text
    assert "owner-contact (required)" in text
    assert "Ana Approver: pass — Checked by hand." in text
    assert "fail: evaluation_data is empty" in text
    fingerprint = exported.bench.bench.identities.get(ANA).fingerprint
    assert f"Certificate SHA-256 {fingerprint}" in text
    assert "valid: the signature verifies over the registry rows" in text
    audit = text[text.rindex("5. Audit trail") :]
    assert "Card version 1.0 of credit-scorer imported from credit-scorer-1.0.json" in audit
    assert (
        "ana@example.org approved card version 1.0 of credit-scorer (for staging, checklist standard@1)"
        in (audit)
    )
    assert "changed status from submitted to approved" in audit
    assert "card_version.imported" not in text and "review.signed" not in text  # words, not codes
    for name in ("card.json", "sign-off-1.json", "sign-off-1.sig", "report.json"):
        assert name in text


def test_the_controls_the_checklist_cites_are_tabled_with_answers(exported: Exported) -> None:
    text = _flat(_pdftotext(exported.approved))
    start = text.index("Controls covered")
    controls = text[start : text.index("4. Signatures", start)]
    assert (
        "clauses of NIST AI RMF 1.0, ISO/IEC 42001, SR 11-7 that the items of standard@1 cite"
        in (controls)
    )
    assert "Reference Item Answer Evidence Signer" in controls
    # Each clause with the items citing it, the answer, the evidence and who signed.
    assert "NIST AI RMF 1.0 GOVERN 2 owner-contact pass" in controls
    assert (
        "ISO/IEC 42001 A.6.2.4 evaluation-data pass automatic fail: evaluation_data is empty"
        in (controls)
    )
    assert "Ana Approver: Checked by hand." in controls
    # Frameworks in order, and clauses by number: GOVERN before MAP, MAP 1 before MAP 2.
    assert controls.index("GOVERN 2") < controls.index("MAP 1") < controls.index("MAP 2 ")
    assert controls.index("A.3.2") < controls.index("A.10.3")


def test_a_rendered_page_is_not_blank(exported: Exported, tmp_path: Path) -> None:
    subprocess.run(
        [
            _tool("pdftoppm"),
            *("-gray", "-r", "40", "-f", "1", "-l", "2"),
            str(exported.approved),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    for image in sorted(tmp_path.glob("page-*.pgm")):
        pixels = _pgm_pixels(image.read_bytes())
        dark = sum(1 for value in pixels if value < 128)
        assert dark > len(pixels) // 200, f"{image.name} looks blank"


def _pgm_pixels(data: bytes) -> bytes:
    """The pixels of a binary PGM (P5) image."""
    fields: list[bytes] = []
    position = 0
    while len(fields) < 4:
        while data[position : position + 1].isspace():
            position += 1
        end = position
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    assert fields[0] == b"P5"
    return data[position + 1 :]


def test_the_exported_report_carries_the_signed_payloads_and_card(exported: Exported) -> None:
    reader = PdfFileReader(io.BytesIO(exported.approved.read_bytes()), strict=False)
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    listed = [str(names[i]) for i in range(0, len(names), 2)]
    assert listed == ["card.json", "sign-off-1.json", "sign-off-1.sig", listed[3], "report.json"]
    assert listed[3].startswith("certificate-") and listed[3].endswith(".pem")


# -- export: any status, refusals, audit ----------------------------------------------


def test_an_unreviewed_version_exports_and_says_so(tmp_path: Path) -> None:
    with report_bench(tmp_path, approve=False) as bench:
        path = bench.export(tmp_path / "unreviewed.pdf")
        text = _flat(_pdftotext(path))
        assert "NOT APPROVED — status: submitted" in text
        assert "Submitted, NOT reviewed yet: no decision has been made." in text
        assert "No review yet: nobody has answered the checklist" in text
        assert "The automatic checks of checklist standard@1, as of this report" in text
        assert "No sign-offs: nobody has signed a decision on this card version." in text
        assert bench.reports.verify(path).ok


def test_export_is_recorded_in_the_audit_trail(exported: Exported) -> None:
    registry = exported.bench.bench.path
    assert audit_actions(registry)[-2:] == ["report.exported", "report.exported"]
    details = last_audit_details(registry)
    assert details["version"] == "2.0" and details["status"] == "changes requested"
    assert details["file"] == "sent-back.pdf"
    assert details["pdf_sha256"] == hashlib.sha256(exported.sent_back.read_bytes()).hexdigest()


def test_refusals_write_nothing(tmp_path: Path) -> None:
    with report_bench(tmp_path) as bench:
        reports = bench.reports
        before = bench.bench.counts()
        output = tmp_path / "out.pdf"
        with pytest.raises(WrongPassphrase):
            reports.export("credit-scorer", "1.0", ReportSigner(OLGA, "not the passphrase"), output)
        with pytest.raises(NotFound, match=r"credit-scorer has no version '9\.9'"):
            reports.export("credit-scorer", "9.9", ReportSigner(OLGA, PASSPHRASE), output)
        with pytest.raises(ReportRefused, match=r"the folder .*missing does not exist"):
            reports.export(
                "credit-scorer",
                "1.0",
                ReportSigner(OLGA, PASSPHRASE),
                tmp_path / "missing" / "r.pdf",
            )
        with pytest.raises(ReportRefused, match="is a folder"):
            reports.export("credit-scorer", "1.0", ReportSigner(OLGA, PASSPHRASE), tmp_path)
        bench.bench.identities.retire(ANA, "left")
        with pytest.raises(IdentityRetired, match="can no longer sign a report"):
            reports.export("credit-scorer", "1.0", ReportSigner(ANA, PASSPHRASE), output)
        assert not output.exists()
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []
        after = bench.bench.counts()
        assert after["audit_events"] == before["audit_events"] + 1  # the retirement only


def test_progress_is_reported_step_by_step(tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    with report_bench(tmp_path) as bench:
        bench.reports.export(
            "credit-scorer",
            "1.0",
            ReportSigner(OLGA, PASSPHRASE),
            tmp_path / "r.pdf",
            progress=lambda done, total, what: seen.append((done, total, what)),
        )
    assert [done for done, _, _ in seen] == [0, 1, 2, 3, 4, 5]
    assert {total for _, total, _ in seen} == {5}
    assert seen[3][2].startswith("Signing ") and seen[-1][2] == "Done"


def test_importing_the_report_service_loads_neither_reportlab_nor_pyhanko() -> None:
    code = (
        "import sys\n"
        "import countersign.cli, countersign.commands.reports, countersign.services.reports.reports, countersign.services.reports.publishing\n"
        "import countersign.services.reports.data, countersign.services.reports.pdf.fonts, countersign.services.reports.pdf.layout\n"
        "import countersign.services.reports.pdf.markdown, countersign.services.reports.verdict\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'reportlab', 'pyhanko', 'pyhanko_certvalidator', 'asn1crypto'})\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_a_huge_hostile_card_lays_out_and_verifies(tmp_path: Path) -> None:
    """A 150 KB line with no space, a 2,000-row table, wide cells and deep lists: no layout error."""
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| {i} | {'x' * 3000} |" for i in range(2000))
    card = markup_card(
        model_details={
            "name": "credit-scorer",
            "version": "1.0",
            "description": "y" * 150_000,
            "summary": "<para>" * 2000,
        },
        extra_sections=[
            {"title": "Huge table", "text": table, "source": "README.md"},
            {
                "title": "Deep list",
                "text": "\n".join("    " * (i % 8) + "- item" for i in range(500)),
            },
        ],
    )
    with report_bench(tmp_path, card=card) as bench:
        path = bench.export(tmp_path / "huge.pdf")
        assert bench.reports.verify(path).ok
    text = _pdftotext(path)
    assert "… 1600 more rows of this table are in the attached card." in text
    assert "more characters in the attached card]" in text


def test_a_card_left_as_a_template_says_how_many_sections_are_placeholders(
    tmp_path: Path,
) -> None:
    fixture = Path(__file__).parents[2] / "fixtures" / "cards" / "hf" / "unfilled-hub-template.md"
    with report_bench(tmp_path, approve=False) as bench:
        report = Importer(bench.bench.db, actor="officer").import_file(
            fixture, LooseCardInfo(model="ticket-router", version="0.1", team="Support")
        )
        assert report.ok, report.plan.reason()
        path = bench.export(tmp_path / "template.pdf", version="0.1", model="ticket-router")
        text = _flat(_pdftotext(path))
    assert "9 sections left as the template's placeholder: read as empty" in text
    assert "'Model Card Contact' is left as the template's placeholder" in text


def test_metric_trends_are_charted_with_the_approved_version_marked(exported: Exported) -> None:
    sent_back = _flat(_pdftotext(exported.sent_back))
    assert "Metric trends across the card versions" in sent_back
    chart = sent_back[sent_back.index("Metric trends across the card versions") :]
    assert "(higher is better)" in chart
    assert "1.0 (approved)" in chart  # the version axis names the approved version
    assert "ringed in green: an approved version" in chart
    # The approved report of 1.0 has one version: nothing to chart.
    assert "Metric trends across the card versions" not in _flat(_pdftotext(exported.approved))


def test_sign_offs_are_numbered_within_the_report(exported: Exported) -> None:
    sent_back = _flat(_pdftotext(exported.sent_back))
    assert "Sign-off 1 of 1 —" in sent_back
    # The registry's id still names the attached files, and the report says which they are.
    assert "Attached as sign-off-" in sent_back
