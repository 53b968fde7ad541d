"""The preview that follows an export: the signed PDF as written, and its verification verdict.

The report is shown from the file on disk (QtPdf renders it), not from
memory, so what the officer sees is what will be sent.  The file is verified
again on the worker thread, as any recipient would check it, and the verdict
shows beside the pages.  "Show in folder" opens the file manager where the
report was saved.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.models.safe_text import display_text
from countersign.services.progress import Cancelled, Progress
from countersign.services.reports.reports import ExportResult, Reports
from countersign.services.reports.verdict import ReportVerification
from countersign.views.background import BackgroundTask
from countersign.views.crash_dialog import show_failure
from countersign.views.presentation import byte_size
from countersign.views.reports import folder as report_folder
from countersign.views.reports.checks import VerificationPanel
from countersign.views.widgets.signer_fields import sentence
from countersign.views.widgets.window_keys import close_with_keys

ZOOM_STEPS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
"""The zoom factors Zoom in and Zoom out step through (after Fit width and Fit page)."""

_FIT_WIDTH, _FIT_PAGE = "Fit width", "Fit page"


class ReportPreview(QWidget):
    """A window showing one signed report: pages, navigation, zoom, verdict, Show in folder."""

    def __init__(
        self,
        path: Path,
        reports: Reports,
        parent: QWidget | None = None,
        *,
        export: ExportResult | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.path = path
        self.export = export
        self.verification: ReportVerification | None = None
        self._reports = reports
        self._task: BackgroundTask | None = None
        self.setWindowTitle(f"Signed report: {display_text(path.name)}")
        self.setAccessibleName("Signed report preview")
        close_with_keys(self)

        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setAccessibleName("Report")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.facts = QLabel(self)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setAccessibleName("Report file")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setAccessibleName("Report pages")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.unreadable = QLabel(self)
        self.unreadable.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.unreadable.setWordWrap(True)
        self.unreadable.setAccessibleName("The report cannot be shown")
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.view)
        self.pages.addWidget(self.unreadable)

        self.previous_button = _tool_button("◀", "Previous page", self)
        self.page_spin = QSpinBox(self)
        self.page_spin.setAccessibleName("Page")
        self.page_spin.setMinimum(1)
        self.page_count_label = QLabel(self)
        self.page_count_label.setAccessibleName("Page count")
        self.next_button = _tool_button("▶", "Next page", self)
        self.zoom_out_button = _tool_button("−", "Zoom out", self)
        self.zoom_combo = QComboBox(self)
        self.zoom_combo.setAccessibleName("Zoom")
        self.zoom_combo.addItem(_FIT_WIDTH, 0.0)
        self.zoom_combo.addItem(_FIT_PAGE, -1.0)
        for factor in ZOOM_STEPS:
            self.zoom_combo.addItem(f"{factor:.0%}", factor)
        self.zoom_in_button = _tool_button("+", "Zoom in", self)
        self.folder_button = QPushButton("Show in &folder", self)
        self.folder_button.setAccessibleName("Show the report in its folder")
        self.close_button = QPushButton("&Close", self)
        bar = QHBoxLayout()
        navigation: tuple[QWidget, ...] = (
            self.previous_button,
            self.page_spin,
            self.page_count_label,
            self.next_button,
        )
        zoom: tuple[QWidget, ...] = (self.zoom_out_button, self.zoom_combo, self.zoom_in_button)
        for widget in navigation:
            bar.addWidget(widget)
        bar.addSpacing(16)
        for widget in zoom:
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.folder_button)
        bar.addWidget(self.close_button)

        self.panel = VerificationPanel(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.pages)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([840, 560])

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)

        for sequence, slot in (
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
        ):
            action = QAction(self)
            action.setShortcut(QKeySequence(sequence))
            action.triggered.connect(slot)
            self.addAction(action)

        self.previous_button.clicked.connect(self._on_previous_button_clicked)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        self.page_spin.valueChanged.connect(self._on_page_spin_value_changed)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.zoom_combo.currentIndexChanged.connect(self._on_zoom_combo_current_changed)
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.close_button.clicked.connect(self.close)
        self.view.pageNavigator().currentPageChanged.connect(self._on_navigator_page_changed)

        self._load()
        self.verify()

    # -- public ---------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        """How many pages the report has, as QtPdf reads them."""
        return self.document.pageCount()

    @property
    def current_page(self) -> int:
        """The page in view, counted from 0."""
        return self.view.pageNavigator().currentPage()

    @property
    def verifying(self) -> bool:
        """Whether the file is being checked."""
        return self._task is not None

    def go_to_page(self, page: int) -> None:
        """Scroll to ``page`` (counted from 0), within the report."""
        if self.page_count == 0:
            return
        page = max(0, min(page, self.page_count - 1))
        navigator = self.view.pageNavigator()
        navigator.jump(page, QPointF(), navigator.currentZoom())
        self._show_page(page)

    def zoom_in(self) -> None:
        """The next zoom step up."""
        current = self._zoom()
        self._set_zoom(next((z for z in ZOOM_STEPS if z > current + 1e-6), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        """The next zoom step down."""
        current = self._zoom()
        smaller = [z for z in ZOOM_STEPS if z < current - 1e-6]
        self._set_zoom(smaller[-1] if smaller else ZOOM_STEPS[0])

    def verify(self) -> None:
        """Check the file on disk on the worker thread; the verdict shows when done."""
        if self.verifying:
            return
        reports, path = self._reports, self.path

        def work(progress: Progress, _cancelled: Cancelled) -> ReportVerification:
            return reports.verify(path, (), progress)

        self.panel.show_pending(f"Checking {path.name} as a recipient would…")
        self._task = BackgroundTask(
            work, on_success=self._on_task_succeeded, on_failure=self._on_task_failed, parent=self
        )
        self._task.start()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Let go of the file."""
        self.document.close()
        super().closeEvent(event)

    # -- events ---------------------------------------------------------------------

    def _on_previous_button_clicked(self) -> None:
        self.go_to_page(self.current_page - 1)

    def _on_next_button_clicked(self) -> None:
        self.go_to_page(self.current_page + 1)

    def _on_page_spin_value_changed(self, value: int) -> None:
        if value - 1 != self.current_page:
            self.go_to_page(value - 1)

    def _on_navigator_page_changed(self, page: int) -> None:
        self._show_page(page)

    def _on_zoom_combo_current_changed(self, _index: int) -> None:
        factor = float(self.zoom_combo.currentData())
        if factor == 0.0:
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif factor < 0:
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(factor)

    def _on_folder_button_clicked(self) -> None:
        report_folder.show_in_folder(self.path)

    def _on_task_succeeded(self, result: ReportVerification) -> None:
        self._task = None
        self.verification = result
        self.panel.show_result(result)

    def _on_task_failed(self, error: BaseException, trace: str) -> None:
        self._task = None
        if isinstance(error, CountersignError):
            self.panel.show_refusal(sentence(str(error)))
        else:
            self.panel.clear()
            show_failure(self, error, trace)

    # -- internals ------------------------------------------------------------------

    def _load(self) -> None:
        export = self.export
        if export is not None:
            self.title.setText(f"{export.model} {export.version} ({export.status}): signed report")
            unverified = (
                f", {export.unverified_signoffs} not verifying"
                if export.unverified_signoffs
                else ""
            )
            self.facts.setText(
                f"{self.path} · {export.pages} pages · {byte_size(export.size)} · signed by "
                f"{export.signer} · {export.signoffs} sign-off"
                f"{'s' if export.signoffs != 1 else ''}{unverified}"
            )
        else:
            self.title.setText(f"Signed report: {self.path.name}")
            self.facts.setText(str(self.path))
        error = self.document.load(str(self.path))
        if error != QPdfDocument.Error.None_:
            self.unreadable.setText(
                f"The pages of {self.path.name} cannot be shown ({_load_error(error)})."
            )
            self.pages.setCurrentWidget(self.unreadable)
        count = self.page_count
        self.page_spin.setMaximum(max(count, 1))
        self.page_count_label.setText(f"of {count}")
        for widget in (self.page_spin, self.previous_button, self.next_button):
            widget.setEnabled(count > 0)
        self._show_page(0)

    def _show_page(self, page: int) -> None:
        self.page_spin.blockSignals(True)
        self.page_spin.setValue(page + 1)
        self.page_spin.blockSignals(False)
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < self.page_count - 1)

    def _zoom(self) -> float:
        if self.view.zoomMode() == QPdfView.ZoomMode.Custom:
            return float(self.view.zoomFactor())
        return 1.0

    def _set_zoom(self, factor: float) -> None:
        index = self.zoom_combo.findData(factor)
        if index >= 0:
            self.zoom_combo.setCurrentIndex(index)


def _tool_button(text: str, name: str, parent: QWidget) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(name)
    button.setAccessibleName(name)
    button.setAutoRaise(True)
    return button


def _load_error(error: QPdfDocument.Error) -> str:
    return {
        QPdfDocument.Error.FileNotFound: "the file is gone",
        QPdfDocument.Error.InvalidFileFormat: "not a PDF QtPdf can read",
        QPdfDocument.Error.IncorrectPassword: "it is protected by a password",
        QPdfDocument.Error.UnsupportedSecurityScheme: "it is encrypted",
    }.get(error, "QtPdf could not read it")
