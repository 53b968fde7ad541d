"""The preview of an exported report: pages from the file, navigation, zoom, Show in folder,
and the verdict of the file as written (and of one changed since)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtPdfWidgets import QPdfView
from pytestqt.qtbot import QtBot

from countersign.services.reports.reports import ExportResult, ReportSigner
from countersign.views.main_window import MainWindow
from countersign.views.reports import folder as report_folder
from countersign.views.reports.preview import ReportPreview
from tests.helpers.report_window import report_window, tampered_copy
from tests.helpers.reports import OLGA, ReportBench
from tests.helpers.signoff import PASSPHRASE

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


@dataclass
class Exported:
    main: MainWindow
    bench: ReportBench
    result: ExportResult


@pytest.fixture
def exported(qtbot: QtBot, tmp_path: Path) -> Iterator[Exported]:
    with report_window(qtbot, tmp_path) as (main, bench):
        result = bench.reports.export(
            "credit-scorer", "1.0", ReportSigner(OLGA, PASSPHRASE), tmp_path / "report.pdf"
        )
        yield Exported(main, bench, result)


def _preview(qtbot: QtBot, exported: Exported, path: Path | None = None) -> ReportPreview:
    preview = ReportPreview(
        path or exported.result.path,
        exported.bench.reports,
        exported.main,
        export=exported.result if path is None else None,
    )
    qtbot.addWidget(preview)
    preview.resize(1200, 800)
    preview.show()
    qtbot.waitUntil(lambda: not preview.verifying, timeout=20_000)
    return preview


def test_pages_can_be_paged_through(qtbot: QtBot, exported: Exported) -> None:
    preview = _preview(qtbot, exported)
    pages = exported.result.pages
    assert preview.page_count == pages
    assert preview.page_count_label.text() == f"of {pages}"
    assert preview.page_spin.maximum() == pages
    assert preview.page_spin.value() == 1
    assert not preview.previous_button.isEnabled()
    preview.next_button.click()
    qtbot.waitUntil(lambda: preview.current_page == 1, timeout=5000)
    assert preview.page_spin.value() == 2
    assert preview.previous_button.isEnabled()
    preview.page_spin.setValue(pages)
    qtbot.waitUntil(lambda: preview.current_page == pages - 1, timeout=5000)
    assert not preview.next_button.isEnabled()
    preview.go_to_page(99)  # beyond the end: the last page
    assert preview.current_page == pages - 1


def test_zoom_steps_and_fit_modes(exported: Exported, qtbot: QtBot) -> None:
    preview = _preview(qtbot, exported)
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    assert preview.zoom_combo.currentText() == "Fit width"
    preview.zoom_in_button.click()
    assert preview.view.zoomMode() == QPdfView.ZoomMode.Custom
    assert preview.view.zoomFactor() == pytest.approx(1.25)
    assert preview.zoom_combo.currentText() == "125%"
    preview.zoom_out()
    preview.zoom_out()
    assert preview.view.zoomFactor() == pytest.approx(0.75)
    preview.zoom_combo.setCurrentIndex(preview.zoom_combo.findText("Fit page"))
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitInView


def test_show_in_folder_opens_the_reports_folder(
    qtbot: QtBot, exported: Exported, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(report_folder, "show_in_folder", opened.append)
    preview = _preview(qtbot, exported)
    preview.folder_button.click()
    assert opened == [exported.result.path]


def test_the_verdict_of_the_file_as_written(qtbot: QtBot, exported: Exported) -> None:
    preview = _preview(qtbot, exported)
    assert preview.verification is not None and preview.verification.ok
    assert preview.panel.verdict_text().startswith(f"VALID: {exported.result.path} is an intact")
    assert preview.panel.verdict.property("verdict") == "valid"
    model = preview.panel.model
    assert {model.index(row, 0).data() for row in range(model.rowCount())} == {"✔ holds"}


def test_a_report_changed_since_shows_invalid(
    qtbot: QtBot, exported: Exported, tmp_path: Path
) -> None:
    tampered = tampered_copy(exported.result.path, tmp_path / "tampered.pdf")
    preview = _preview(qtbot, exported, tampered)
    assert preview.title.text() == "Signed report: tampered.pdf"
    assert preview.page_count == exported.result.pages  # still readable as a PDF
    assert preview.verification is not None and not preview.verification.ok
    assert preview.panel.verdict_text().startswith(f"INVALID: {tampered}")
    assert preview.panel.verdict.property("verdict") == "invalid"
    assert preview.panel.model.index(0, 0).data() == "✘ fails"


def test_a_file_qtpdf_cannot_read_says_so(qtbot: QtBot, exported: Exported, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not a PDF body\n")
    preview = _preview(qtbot, exported, broken)
    assert preview.pages.currentWidget() is preview.unreadable
    assert preview.unreadable.text().startswith("The pages of broken.pdf cannot be shown (")
    assert preview.page_count_label.text() == "of 0"
    assert preview.panel.verdict_text().startswith(f"NOT CHECKED: {broken}: is not a readable PDF")
