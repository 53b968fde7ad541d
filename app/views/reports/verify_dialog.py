"""Tools ▸ Verify report…: check a signed review report from anywhere, and show each check.

The officer chooses a PDF (and, for a report signed with an organisation's
credential this registry does not know, the certificate to trust).  The check
runs on the worker thread; every check then shows with its mark and detail,
under the overall verdict.  A file that is no readable report (not a PDF,
broken, hostile, too large) shows the refusal in words, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.services.progress import Cancelled, Progress
from countersign.services.reports.reports import Reports
from countersign.services.reports.verdict import ReportVerification
from countersign.views.background import BackgroundTask, run_with_progress
from countersign.views.crash_dialog import show_failure
from countersign.views.reports.checks import VerificationPanel
from countersign.views.reports.folder import last_report_folder, remember_report_folder
from countersign.views.widgets.fitting import FittingDialog
from countersign.views.widgets.signer_fields import sentence

PDF_FILTER = "PDF reports (*.pdf);;All files (*)"
CERTIFICATE_FILTER = "Certificates (*.pem *.crt *.cer *.der);;All files (*)"

_INTRO = (
    "Checks a signed review report without trusting anything it says about itself: the PDF "
    "signature and that it covers the whole file, who signed it, every sign-off inside, and "
    "the attached card against the SHA-256 printed on each page. A report signed with an "
    "organisation's credential this registry does not know needs that organisation's "
    "certificate to be trusted."
)


class VerifyDialog(FittingDialog):
    """Choose a report (and a certificate to trust), check it off the GUI thread, show each check."""

    verified = Signal(object)
    """A report was checked: the :class:`ReportVerification`."""
    refused = Signal(str)
    """A file could not be checked at all: why, in words."""

    def __init__(
        self, reports: Reports, settings: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._reports = reports
        self._settings = settings
        self._task: BackgroundTask | None = None
        self.result_value: ReportVerification | None = None
        self.setWindowTitle("Verify a signed report")
        self.setAccessibleName("Verify a signed report")
        self.setMinimumSize(820, 520)

        intro = QLabel(_INTRO, self)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.report_edit = QLineEdit(self)
        self.report_edit.setAccessibleName("Report to verify")
        self.report_edit.setPlaceholderText("The signed PDF report")
        self.report_edit.setClearButtonEnabled(True)
        self.report_button = QPushButton("&Choose…", self)
        self.report_button.setAccessibleName("Choose the report")
        self.trust_edit = QLineEdit(self)
        self.trust_edit.setAccessibleName("Trusted certificate")
        self.trust_edit.setPlaceholderText(
            "Optional: the certificate of the organisation that issued the signer's"
        )
        self.trust_edit.setClearButtonEnabled(True)
        self.trust_button = QPushButton("C&hoose…", self)
        self.trust_button.setAccessibleName("Choose a certificate to trust")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(
            _label("&Report:", self.report_edit), _beside(self.report_edit, self.report_button)
        )
        form.addRow(_label("&Trust:", self.trust_edit), _beside(self.trust_edit, self.trust_button))

        self.panel = VerificationPanel(self)
        self.buttons = QDialogButtonBox(self)
        self.verify_button = QPushButton("&Verify", self)
        self.verify_button.setAccessibleName("Verify the report")
        self.verify_button.setDefault(True)
        self.buttons.addButton(self.verify_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.buttons)

        self.report_button.clicked.connect(self._on_report_button_clicked)
        self.trust_button.clicked.connect(self._on_trust_button_clicked)
        self.verify_button.clicked.connect(self._on_verify_button_clicked)
        self.report_edit.textChanged.connect(self._on_report_edit_text_changed)
        self._on_report_edit_text_changed(self.report_edit.text())

    # -- public ---------------------------------------------------------------------

    @property
    def checking(self) -> bool:
        """Whether a report is being checked."""
        return self._task is not None

    def verify_file(self, report: Path, trust: Path | None = None) -> None:
        """Check ``report`` (trusting the certificate in ``trust``), as choosing both would."""
        self.report_edit.setText(str(report))
        self.trust_edit.setText(str(trust) if trust is not None else "")
        self.verify()

    def verify(self) -> None:
        """Check the chosen report on the worker thread; the result replaces the last one."""
        if self.checking:
            return
        text = self.report_edit.text().strip()
        if not text:
            self.panel.show_refusal("Choose the signed PDF report to verify.")
            return
        report = Path(text).expanduser()
        trust_text = self.trust_edit.text().strip()
        trust = [Path(trust_text).expanduser()] if trust_text else []
        remember_report_folder(self._settings, report.parent)
        reports = self._reports

        def work(progress: Progress, _cancelled: Cancelled) -> ReportVerification:
            return reports.verify(report, trust, progress)

        self.result_value = None
        self.panel.show_pending(f"Checking {report.name}…")
        self._set_busy(True)
        self._task = run_with_progress(
            self,
            "Verifying the report",
            work,
            on_success=self._on_task_succeeded,
            on_failure=self._on_task_failed,
            cancellable=False,
        )

    def reject(self) -> None:
        """Close, unless a report is being checked (it ends on its own, within 30 s)."""
        if not self.checking:
            super().reject()

    # -- events ---------------------------------------------------------------------

    def _on_report_button_clicked(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, "Choose the signed report", self._start_folder(), PDF_FILTER
        )
        if name:
            self.report_edit.setText(name)
            self.verify()

    def _on_trust_button_clicked(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, "Choose a certificate to trust", self._start_folder(), CERTIFICATE_FILTER
        )
        if name:
            self.trust_edit.setText(name)

    def _on_verify_button_clicked(self) -> None:
        self.verify()

    def _on_report_edit_text_changed(self, text: str) -> None:
        self.verify_button.setEnabled(bool(text.strip()) and not self.checking)

    def _on_task_succeeded(self, result: ReportVerification) -> None:
        self._task = None
        self._set_busy(False)
        self.result_value = result
        self.panel.show_result(result)
        self.verified.emit(result)

    def _on_task_failed(self, error: BaseException, trace: str) -> None:
        self._task = None
        self._set_busy(False)
        if isinstance(error, CountersignError):
            message = sentence(str(error))
            self.panel.show_refusal(message)
            self.refused.emit(message)
        else:
            self.panel.clear()
            show_failure(self, error, trace)

    # -- internals ------------------------------------------------------------------

    def _start_folder(self) -> str:
        current = self.report_edit.text().strip()
        if current and Path(current).expanduser().parent.is_dir():
            return str(Path(current).expanduser().parent)
        return str(last_report_folder(self._settings))

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.report_edit, self.report_button, self.trust_edit, self.trust_button):
            widget.setEnabled(not busy)
        self.verify_button.setEnabled(not busy and bool(self.report_edit.text().strip()))


def _label(text: str, buddy: QLineEdit) -> QLabel:
    # A field that is a layout gets no buddy from QFormLayout: the mnemonic needs one.
    label = QLabel(text, buddy.parentWidget())
    label.setBuddy(buddy)
    return label


def _beside(edit: QLineEdit, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row
