"""Tools ▸ Verify report…: every check of a good report and of a changed one, a certificate to
trust, and hostile files refused in words, never with a traceback."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from countersign.services.reports.reports import Reports, ReportSigner
from countersign.services.reports.verdict import ReportCheck
from countersign.views.main_window import MainWindow
from countersign.views.reports import verify_dialog
from countersign.views.reports.checks import ReportChecksModel
from countersign.views.reports.verify_dialog import VerifyDialog
from countersign.views.settings import REPORT_FOLDER
from tests.helpers.report_window import report_window, tampered_copy
from tests.helpers.reports import ANA, OLGA, ReportBench
from tests.helpers.signoff import PASSPHRASE, workbench

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


@dataclass
class Verifying:
    main: MainWindow
    bench: ReportBench
    report: Path
    dialog: VerifyDialog
    crashes: list[BaseException]


@pytest.fixture
def verifying(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Verifying]:
    crashes: list[BaseException] = []
    monkeypatch.setattr(
        verify_dialog, "show_failure", lambda _parent, error, _trace: crashes.append(error)
    )
    with report_window(qtbot, tmp_path) as (main, bench):
        report = tmp_path / "report.pdf"
        bench.reports.export("credit-scorer", "1.0", ReportSigner(OLGA, PASSPHRASE), report)
        main.commands["verify_report"].trigger()
        dialog = main.report_commands.verify_dialog
        assert dialog is not None and dialog.isVisible()
        yield Verifying(main, bench, report, dialog, crashes)
        dialog.close()


def _check(qtbot: QtBot, dialog: VerifyDialog, report: Path, trust: Path | None = None) -> None:
    dialog.verify_file(report, trust)
    qtbot.waitUntil(lambda: not dialog.checking, timeout=30_000)


def _rows(dialog: VerifyDialog) -> list[tuple[str, str, str]]:
    model = dialog.panel.model
    return [
        tuple(str(model.index(row, column).data()) for column in range(3))  # type: ignore[misc]
        for row in range(model.rowCount())
    ]


def test_verify_is_in_the_tools_menu_and_opens_once(verifying: Verifying) -> None:
    main = verifying.main
    assert main.commands["verify_report"].text() == "&Verify report…"
    main.commands["verify_report"].trigger()
    assert main.report_commands.verify_dialog is verifying.dialog
    assert not verifying.dialog.verify_button.isEnabled()  # nothing chosen yet
    assert verifying.dialog.panel.verdict_text() == "Choose a signed report to check."


def test_a_good_report_shows_every_check_passing(qtbot: QtBot, verifying: Verifying) -> None:
    dialog, report = verifying.dialog, verifying.report
    _check(qtbot, dialog, report)
    expected = verifying.bench.reports.verify(report)
    assert expected.ok
    rows = _rows(dialog)
    assert [(name, detail) for _mark, name, detail in rows] == [
        (check.name, check.detail) for check in expected.checks
    ]
    assert {mark for mark, _name, _detail in rows} == {"✔ holds"}
    names = [name for _mark, name, _detail in rows]
    assert names[:3] == ["PDF signature", "Coverage", "Signer"]
    assert "Card" in names and any(name.startswith("Sign-off 1") for name in names)
    assert dialog.panel.verdict_text() == expected.verdict()
    assert dialog.panel.verdict_text().startswith(
        f"VALID: {report} is an intact report of credit-scorer 1.0 (approved), "
        "signed by Olga Officer <olga@example.org>"
    )
    assert dialog.result_value is not None and dialog.result_value.ok
    assert REPORT_FOLDER.read(verifying.main.settings) == str(report.parent)
    assert verifying.crashes == []


def test_a_byte_changed_inside_the_signed_range_fails(
    qtbot: QtBot, verifying: Verifying, tmp_path: Path
) -> None:
    dialog = verifying.dialog
    tampered = tampered_copy(verifying.report, tmp_path / "tampered.pdf")
    _check(qtbot, dialog, tampered)
    rows = _rows(dialog)
    assert rows[0] == (
        "✘ fails",
        "PDF signature",
        "BROKEN: the signed bytes were changed after signing (digest mismatch)",
    )
    assert rows[1][:2] == ("✔ holds", "Coverage")
    # Every check is listed, failing or not.
    assert len(rows) == len(verifying.bench.reports.verify(tampered).checks)
    verdict = dialog.panel.verdict_text()
    assert verdict.startswith(f"INVALID: {tampered} of credit-scorer 1.0 (approved): ")
    assert verdict.endswith(" checks fail.")
    assert dialog.panel.verdict.property("verdict") == "invalid"
    assert verifying.crashes == []


def test_a_certificate_to_trust_for_a_signer_this_registry_does_not_know(
    qtbot: QtBot, verifying: Verifying, tmp_path: Path
) -> None:
    certificate = tmp_path / "olga-and-ana.pem"
    # The report's signer and the approver: trusting the signer alone does not make an approval.
    identities = verifying.bench.bench.identities
    certificate.write_text(identities.certificate_pem(OLGA) + identities.certificate_pem(ANA))
    other = tmp_path / "other"
    other.mkdir()
    settings = QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat)
    with workbench(other) as elsewhere:
        dialog = VerifyDialog(Reports(elsewhere.db, elsewhere.identities), settings)
        qtbot.addWidget(dialog)
        _check(qtbot, dialog, verifying.report)
        signer = _rows(dialog)[2]
        assert signer[0] == "✘ fails"
        assert signer[2].endswith(
            "is neither in this registry nor among the certificates you trust (--trust)"
        )
        _check(qtbot, dialog, verifying.report, certificate)
        assert dialog.result_value is not None and dialog.result_value.ok, _rows(dialog)
        assert _rows(dialog)[2][0] == "✔ holds"


def _pdf(*objects: bytes) -> bytes:
    """A well-formed PDF of ``objects`` (object 1 is the catalogue), with its cross-references."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


_BOMB = zlib.compress(b"\0" * (64 * 1024 * 1024), 9)

HOSTILE = {
    "empty.pdf": (b"", "is not a PDF file (it does not start with %PDF-)"),
    "notes.pdf": (b"Meeting notes.\n", "is not a PDF file (it does not start with %PDF-)"),
    "garbage.pdf": (b"%PDF-1.7\n" + bytes(range(256)) * 40, "is not a readable PDF ("),
    "bomb.pdf": (
        _pdf(
            b"<< /Type /Catalog /Pages 2 0 R"
            b" /Names << /EmbeddedFiles << /Names [(card.json) 3 0 R] >> >> >>",
            b"<< /Type /Pages /Kids [] /Count 0 >>",
            b"<< /Type /Filespec /F (card.json) /EF << /F 4 0 R >> >>",
            b"<< /Type /EmbeddedFile /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
            % (len(_BOMB), _BOMB),
        ),
        "the attached file 'card.json' is larger than 40 MiB",
    ),
}
"""Files that are no readable report, and the start of the reason each is refused with."""


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_show_the_refusal_never_a_traceback(
    qtbot: QtBot, verifying: Verifying, tmp_path: Path, name: str
) -> None:
    dialog = verifying.dialog
    _check(qtbot, dialog, verifying.report)  # a verdict first: a refusal replaces it
    hostile = tmp_path / name
    content, reason = HOSTILE[name]
    hostile.write_bytes(content)
    _check(qtbot, dialog, hostile)
    verdict = dialog.panel.verdict_text()
    assert verdict.startswith(f"NOT CHECKED: {hostile}: {reason}"), verdict
    assert "Traceback" not in verdict
    assert dialog.panel.model.rowCount() == 0
    assert dialog.result_value is None
    assert verifying.crashes == []


def test_a_truncated_report_and_a_missing_file_are_refused(
    qtbot: QtBot, verifying: Verifying, tmp_path: Path
) -> None:
    dialog = verifying.dialog
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(verifying.report.read_bytes()[:40_000])
    _check(qtbot, dialog, truncated)
    assert dialog.panel.verdict_text().startswith(
        f"NOT CHECKED: {truncated}: is not a readable PDF ("
    )
    _check(qtbot, dialog, tmp_path / "gone.pdf")
    assert dialog.panel.verdict_text().startswith(f"NOT CHECKED: {tmp_path / 'gone.pdf'}: cannot")
    _check(qtbot, dialog, tmp_path)
    assert dialog.panel.verdict_text().startswith(f"NOT CHECKED: {tmp_path}: ")
    assert verifying.crashes == []


def test_a_pdf_that_is_no_report_lists_what_it_lacks(
    qtbot: QtBot, verifying: Verifying, tmp_path: Path
) -> None:
    dialog = verifying.dialog
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(
        _pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        )
    )
    _check(qtbot, dialog, plain)
    assert _rows(dialog) == [
        ("✘ fails", "PDF signature", "the PDF is not signed"),
        ("✘ fails", "Attached files", "there is no report.json attached"),
        ("✘ fails", "Card", "there is no card.json attached"),
    ]
    assert dialog.panel.verdict_text() == f"INVALID: {plain}: 3 of 3 checks fail."
    assert verifying.crashes == []


def test_a_trust_file_that_is_no_certificate_is_refused(
    qtbot: QtBot, verifying: Verifying, tmp_path: Path
) -> None:
    dialog = verifying.dialog
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate")
    _check(qtbot, dialog, verifying.report, bogus)
    assert dialog.panel.verdict_text() == (f"NOT CHECKED: {bogus}: not a certificate (PEM or DER).")
    assert verifying.crashes == []


def test_the_checks_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = ReportChecksModel()
    model.set_checks(
        (
            ReportCheck("PDF signature", True, "intact and valid"),
            ReportCheck("Card", False, "card.json does not match the SHA-256 printed"),
        )
    )
    qtmodeltester.check(model)
    assert model.index(1, 0).data() == "✘ fails"
    assert model.index(1, 0).data(Qt.ItemDataRole.AccessibleTextRole) == "fails"
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Detail"
