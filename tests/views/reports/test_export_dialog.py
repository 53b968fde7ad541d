"""File ▸ Export signed report…: refusals before the passphrase, a wrong passphrase writing
nothing, and an export whose file verifies and opens in the preview."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from countersign.views.main_window import MainWindow
from countersign.views.reports.export_dialog import NO_IDENTITY, ExportDialog, report_file_name
from countersign.views.reports.preview import ReportPreview
from countersign.views.reports.subject import ShownVersion, Signers
from countersign.views.settings import REPORT_FOLDER
from tests.helpers.layout import assert_usable
from tests.helpers.registry import audit_actions, last_audit_details
from tests.helpers.report_window import report_window
from tests.helpers.reports import OLGA, ReportBench
from tests.helpers.signoff import PASSPHRASE

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)

SHOWN = ShownVersion("credit-scorer", "1.0", "approved")


@pytest.fixture
def shown(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[MainWindow, ReportBench]]:
    with report_window(qtbot, tmp_path) as made:
        yield made


def _open(main: MainWindow) -> ExportDialog:
    main.activateWindow()
    main.commands["export_report"].trigger()
    dialog = main.report_commands.export_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def _choose_identity(dialog: ExportDialog, email: str) -> None:
    combo = dialog.signer.identity_combo
    combo.setCurrentIndex(combo.findData(email))
    assert dialog.identity == email


def test_export_action_follows_the_card_version_shown(
    qtbot: QtBot, shown: tuple[MainWindow, ReportBench]
) -> None:
    main, _bench = shown
    action = main.commands["export_report"]
    assert action.shortcut().toString() == "Ctrl+E"
    assert action.isEnabled()
    main.model_page.clear()
    assert not action.isEnabled()
    assert action.statusTip() == "Choose a card version first."
    main.model_page.show_model("credit-scorer")
    assert action.isEnabled()
    qtbot.keySequence(main, QKeySequence("Ctrl+E"))
    dialog = main.report_commands.export_dialog
    assert dialog is not None
    assert dialog.windowTitle() == "Export signed report: credit-scorer 1.0"
    assert "(approved)" in dialog.summary.text()
    dialog.reject()


def test_export_writes_a_report_that_verifies_and_the_preview_shows_it(
    qtbot: QtBot, shown: tuple[MainWindow, ReportBench], tmp_path: Path
) -> None:
    main, bench = shown
    dialog = _open(main)
    # Offered in the home folder at first, under a name made of model and version.
    assert Path(dialog.file_edit.text()).name == "credit-scorer-1.0-review-report.pdf"
    _choose_identity(dialog, OLGA)
    assert dialog.problem_text() == ""
    assert dialog.passphrase.isEnabled()
    out = tmp_path / "reports" / "credit-scorer"
    out.parent.mkdir()
    dialog.file_edit.setText(str(out))  # no suffix: .pdf is added
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: main.report_commands.preview is not None, timeout=20_000)

    written = out.with_suffix(".pdf")
    assert written.read_bytes().startswith(b"%PDF-")
    result = bench.reports.verify(written)
    assert result.ok, result.verdict()
    assert (result.model, result.version, result.status) == ("credit-scorer", "1.0", "approved")
    assert result.signer == "Olga Officer <olga@example.org>"
    assert main.report_commands.export_dialog is None
    assert "report.exported" in audit_actions(bench.bench.path)
    assert last_audit_details(bench.bench.path)["file"] == "credit-scorer.pdf"
    # The next export starts in the folder this one went to.
    assert REPORT_FOLDER.read(main.settings) == str(out.parent)

    preview = main.report_commands.preview
    assert isinstance(preview, ReportPreview)
    assert preview.isVisible()
    assert preview.export is not None
    pages = preview.export.pages
    assert pages >= 3
    assert preview.page_count == pages
    assert preview.page_count_label.text() == f"of {pages}"
    assert preview.title.text() == "credit-scorer 1.0 (approved): signed report"
    assert "signed by Olga Officer <olga@example.org> · 1 sign-off" in preview.facts.text()
    qtbot.waitUntil(lambda: preview.verification is not None, timeout=20_000)
    assert preview.panel.verdict_text() == result.verdict()
    assert preview.panel.model.rowCount() == len(result.checks)
    preview.close()


def test_a_wrong_passphrase_says_so_and_writes_nothing(
    qtbot: QtBot, shown: tuple[MainWindow, ReportBench], tmp_path: Path
) -> None:
    main, bench = shown
    before = audit_actions(bench.bench.path)
    dialog = _open(main)
    _choose_identity(dialog, OLGA)
    out = tmp_path / "out"
    out.mkdir()
    dialog.file_edit.setText(str(out / "report.pdf"))
    qtbot.keyClicks(dialog.passphrase, "not the passphrase")
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.exporting, timeout=20_000)
    assert dialog.problem_text() == (
        "The passphrase is wrong for olga@example.org. Nothing was exported; "
        "type it again (letter case counts)."
    )
    assert dialog.isVisible()
    assert_usable(qtbot, dialog)
    assert dialog.passphrase.text() == ""
    assert list(out.iterdir()) == []
    assert audit_actions(bench.bench.path) == before
    assert main.report_commands.preview is None
    dialog.reject()


def test_an_empty_passphrase_is_asked_for(shown: tuple[MainWindow, ReportBench]) -> None:
    main, _bench = shown
    dialog = _open(main)
    _choose_identity(dialog, OLGA)
    dialog.export_button.click()
    assert dialog.problem_text() == "Type the passphrase of olga@example.org to sign the report."
    assert not dialog.exporting
    dialog.reject()


def test_a_missing_folder_is_refused_in_words(
    qtbot: QtBot, shown: tuple[MainWindow, ReportBench], tmp_path: Path
) -> None:
    main, _bench = shown
    dialog = _open(main)
    _choose_identity(dialog, OLGA)
    dialog.file_edit.setText(str(tmp_path / "gone" / "report.pdf"))
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.exporting, timeout=20_000)
    assert dialog.problem_text() == (
        f"Cannot write {tmp_path / 'gone' / 'report.pdf'}: "
        f"the folder {tmp_path / 'gone'} does not exist."
    )
    assert not (tmp_path / "gone").exists()
    dialog.reject()


def test_no_identity_is_refused_before_any_passphrase(
    qtbot: QtBot, shown: tuple[MainWindow, ReportBench], tmp_path: Path
) -> None:
    main, bench = shown
    settings = QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat)
    dialog = ExportDialog(bench.reports, SHOWN, Signers(), settings, main)
    qtbot.addWidget(dialog)
    assert dialog.problem_text() == NO_IDENTITY
    assert not dialog.passphrase.isEnabled()
    assert not dialog.export_button.isEnabled()


def test_a_retired_identity_is_refused_before_any_passphrase(
    qtbot: QtBot, shown: tuple[MainWindow, ReportBench], tmp_path: Path
) -> None:
    main, bench = shown
    olga = bench.bench.identities.get(OLGA)
    bench.bench.identities.retire(OLGA, "left the team")
    settings = QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat)
    dialog = ExportDialog(bench.reports, SHOWN, Signers([olga]), settings, main)
    qtbot.addWidget(dialog)
    assert dialog.problem_text().startswith("The identity of olga@example.org was retired on ")
    assert dialog.problem_text().endswith("and can no longer sign a report.")
    assert not dialog.passphrase.isEnabled()
    assert not dialog.export_button.isEnabled()


def test_report_file_names_are_safe() -> None:
    assert report_file_name("credit-scorer", "1.0") == "credit-scorer-1.0-review-report.pdf"
    assert report_file_name("org/model name", "2.0 rc") == "org-model-name-2.0-rc-review-report.pdf"
    assert report_file_name("../../etc", "") == "etc-review-report.pdf"
