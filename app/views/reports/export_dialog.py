"""File ▸ Export signed report…: where to save the report, who signs it, and the passphrase.

Before any passphrase is asked, the dialog checks that the chosen identity may
sign a report (:meth:`Reports.check_export`: not retired, a keyring that can
hold keys) and says in words why not.  The export itself (unlock the key, lay
out, sign, write) runs on the worker thread with a progress dialog; a wrong
passphrase is said plainly and nothing is written.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.models.safe_text import display_text
from countersign.services.progress import Cancelled, Progress
from countersign.services.reports.reports import ExportResult, Reports, ReportSigner
from countersign.views.reports.folder import (
    last_report_folder,
    remember_report_folder,
    safe_file_stem,
)
from countersign.views.reports.subject import ShownVersion, Signers
from countersign.views.widgets.keyed_work import KeyedWorkDialog, add_path_row
from countersign.views.widgets.signer_fields import SignerFields, problem_label, sentence

PDF_FILTER = "PDF reports (*.pdf)"

NO_IDENTITY = (
    "There is no identity to sign the report with. Create one in Settings ▸ Identities…, "
    "then export again."
)


def report_file_name(model: str, version: str) -> str:
    """The file name a report is offered under: model, version, ``review-report.pdf``."""
    return f"{safe_file_stem(model, version, 'review-report')}.pdf"


class ExportDialog(KeyedWorkDialog):
    """Exports the signed review report of one card version, signed by the identity chosen."""

    exported = Signal(object)
    """The report was written: the :class:`ExportResult`."""

    NOTHING_DONE = "exported"

    def __init__(
        self,
        reports: Reports,
        shown: ShownVersion,
        signers: Signers,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        model, version, status = shown.model, shown.version, shown.status
        self._reports = reports
        self._model = model
        self._version = version
        self._settings = settings
        self.result_value: ExportResult | None = None
        self.setWindowTitle(display_text(f"Export signed report: {model} {version}"))
        self.setAccessibleName("Export the signed report")
        self.setMinimumWidth(680)

        self.summary = self._summary_label(
            f"<p style='font-size: large'><b>Review report</b> of {_e(model)} {_e(version)}"
            f" <span style='color: gray'>({_e(status)})</span></p>"
            "<p>The report shows the card, what changed since the last approved version, the "
            "checklist with every answer, the sign-offs and the audit trail of this card "
            "version. It is signed with your identity, so anyone can check it in a PDF reader "
            "or with <tt>countersign verify</tt>, without this registry.</p>",
            "What will be exported",
        )

        self.file_edit = QLineEdit(self)
        self.file_edit.setAccessibleName("Report file")
        self.file_edit.setText(str(last_report_folder(settings) / report_file_name(model, version)))
        self.file_button = QPushButton("C&hoose…", self)
        self.file_button.setAccessibleName("Choose where to save the report")
        self.signer = SignerFields(signers.identities, signers.preferred, self)
        self.problem = problem_label(self, "Why the report cannot be exported")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        add_path_row(form, "Save &to:", self.file_edit, self.file_button)
        self.signer.add_to(form)
        self.export_button = self._action_buttons("&Export", "Export and sign the report")

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.file_button.clicked.connect(self._on_file_button_clicked)
        self.signer.identity_changed.connect(self._on_signer_identity_changed)
        self._check_identity()

    # -- public ---------------------------------------------------------------------

    @property
    def identity(self) -> str:
        """The e-mail address of the chosen identity."""
        return self.signer.identity

    @property
    def passphrase(self) -> QLineEdit:
        """The passphrase field."""
        return self.signer.passphrase

    @property
    def output(self) -> Path:
        """The file the report will be written to (``.pdf`` added when it has no suffix)."""
        path = Path(self.file_edit.text().strip()).expanduser()
        return path if path.suffix else path.with_suffix(".pdf")

    @property
    def exporting(self) -> bool:
        """Whether the report is being made and signed."""
        return self._task is not None

    def problem_text(self) -> str:
        """The refusal shown, or empty."""
        return self.problem.text() if not self.problem.isHidden() else ""

    def accept(self) -> None:
        """Export (the dialog closes when the report is written)."""
        if self.exporting or not self.export_button.isEnabled():
            return
        if not self.file_edit.text().strip():
            self._show_problem("Choose the file to save the report to.")
            return
        if not self.passphrase.text():
            self._show_problem(f"Type the passphrase of {self.identity} to sign the report.")
            self.passphrase.setFocus()
            return
        passphrase = self.signer.take_passphrase()
        reports, model, version = self._reports, self._model, self._version
        identity, output = self.identity, self.output

        def work(progress: Progress, _cancelled: Cancelled) -> ExportResult:
            return reports.export(
                model, version, ReportSigner(identity, passphrase), output, progress
            )

        self._start_keyed_work(work, "Exporting the signed report")

    # -- events ---------------------------------------------------------------------

    def _on_file_button_clicked(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self, "Save the signed report", str(self.output), PDF_FILTER
        )
        if name:
            self.file_edit.setText(name)
            remember_report_folder(self._settings, self.output.parent)

    def _on_signer_identity_changed(self, _email: str) -> None:
        self._check_identity()

    def _work_succeeded(self, result: ExportResult) -> None:
        self.result_value = result
        remember_report_folder(self._settings, result.path.parent)
        self.exported.emit(result)
        super().accept()

    # -- internals ------------------------------------------------------------------

    def _check_identity(self) -> None:
        if self.signer.chosen is None:
            self._refuse(NO_IDENTITY)
            return
        try:
            self._reports.check_export(self._model, self._version, self.identity)
        except CountersignError as refusal:
            self._refuse(sentence(str(refusal)))
            return
        self.problem.hide()
        self.signer.set_passphrase_open(True)
        self.export_button.setEnabled(True)
        self.passphrase.setFocus()

    def _refuse(self, message: str) -> None:
        self._show_problem(message)
        self.signer.set_passphrase_open(False)
        self.export_button.setEnabled(False)

    def _set_busy(self, busy: bool) -> None:
        super()._set_busy(busy)
        self.file_edit.setEnabled(not busy)
        self.file_button.setEnabled(not busy)


def _e(text: str) -> str:
    return html.escape(text)
