"""Publish approved version…: write an approved card version, its signed report and sign-offs
into an empty folder for the team, then show what was written.

The refusals come first, in words, before any passphrase: a card version that
is not approved, a folder that is not new or empty, an identity that may not
sign.  Publishing signs a fresh report (the passphrase unlocks the key) and
writes every file at once on the worker thread; then the dialog lists each
file with its size and SHA-256, and offers "Show in folder".
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QObject,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.models.safe_text import display_text
from countersign.services.progress import Cancelled, Progress
from countersign.services.reports.publishing import PublishedFile, PublishResult
from countersign.services.reports.reports import PublishSource, Reports
from countersign.views.presentation import byte_size
from countersign.views.reports import folder as report_folder
from countersign.views.reports.subject import ShownVersion, Signers
from countersign.views.widgets.keyed_work import KeyedWorkDialog, add_path_row
from countersign.views.widgets.list_table import ListTableModel, set_up_row_table
from countersign.views.widgets.signer_fields import SignerFields, problem_label, sentence

FILE_HEADERS = ("File", "Size", "SHA-256")
"""The columns of the table of files written."""


class PublishedFilesModel(ListTableModel[PublishedFile]):
    """The files a publication wrote, one row each: name, size, SHA-256."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(FILE_HEADERS, parent)

    def set_files(self, files: tuple[PublishedFile, ...]) -> None:
        """Show ``files``."""
        self.set_rows(files)

    def cell(self, item: PublishedFile, column: int, role: int) -> Any:
        """A file's name, size and SHA-256 (the digest in a fixed-width font)."""
        if role == Qt.ItemDataRole.DisplayRole:
            return (item.name, byte_size(item.size), item.sha256)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and column == 2:
            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        return None


class PublishDialog(KeyedWorkDialog):
    """Publishes one approved card version into a new or empty folder, then lists the files."""

    published = Signal(object)
    """The folder was written: the :class:`PublishResult`."""

    NOTHING_DONE = "published"

    def __init__(
        self,
        reports: Reports,
        shown: ShownVersion,
        signers: Signers,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        model, version = shown.model, shown.version
        self._reports = reports
        self._model = model
        self._version = version
        self._settings = settings
        self.result_value: PublishResult | None = None
        self.setWindowTitle(display_text(f"Publish: {model} {version}"))
        self.setAccessibleName("Publish the approved card version")
        self.setMinimumWidth(720)

        ask = self._build_ask_page(model, version, signers)
        done = self._build_done_page()
        self.pages = QStackedWidget(self)
        self.pages.addWidget(ask)
        self.pages.addWidget(done)
        self.publish_button = self._action_buttons("&Publish", "Sign the report and publish")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.buttons)

        # The folder is checked once typing pauses: each check reads the card version.
        self._folder_timer = QTimer(self)
        self._folder_timer.setSingleShot(True)
        self._folder_timer.setInterval(250)
        self._folder_timer.timeout.connect(self._on_folder_timer_timeout)
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.folder_edit.textChanged.connect(self._on_folder_edit_text_changed)
        self.folder_shown_button.clicked.connect(self._on_folder_shown_button_clicked)
        self.signer.identity_changed.connect(self._on_signer_identity_changed)
        self._check()

    def _build_ask_page(self, model: str, version: str, signers: Signers) -> QWidget:
        """What will be published, the folder, the signer and passphrase, and any problem."""
        self.summary = self._summary_label(
            f"<p style='font-size: large'><b>Publish</b> {_e(model)} {_e(version)}</p>"
            "<p>Writes the approved card as a Hugging Face <tt>README.md</tt> and as Countersign "
            "JSON, the review report signed now with your identity, every signed sign-off with "
            "its certificate, and <tt>SHA256SUMS</tt> over them all, into a new or empty "
            "folder: ready to send back to the team.</p>",
            "What will be published",
        )
        self.folder_edit = QLineEdit(self)
        self.folder_edit.setAccessibleName("Folder to publish into")
        self.folder_edit.setText(
            str(
                report_folder.last_report_folder(self._settings)
                / report_folder.safe_file_stem(model, version)
            )
        )
        self.folder_button = QPushButton("C&hoose…", self)
        self.folder_button.setAccessibleName("Choose the folder to publish into")
        self.signer = SignerFields(signers.identities, signers.preferred, self)
        self.problem = problem_label(self, "Why the card version cannot be published")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        add_path_row(form, "&Folder:", self.folder_edit, self.folder_button)
        self.signer.add_to(form)
        ask = QWidget(self)
        ask_layout = QVBoxLayout(ask)
        ask_layout.setContentsMargins(0, 0, 0, 0)
        ask_layout.addWidget(self.summary)
        ask_layout.addSpacing(6)
        ask_layout.addLayout(form)
        ask_layout.addWidget(self.problem)
        ask_layout.addStretch(1)
        return ask

    def _build_done_page(self) -> QWidget:
        """What was published: the folder, each file with its SHA-256, Show in folder."""
        self.written = QLabel(self)
        self.written.setWordWrap(True)
        self.written.setTextFormat(Qt.TextFormat.PlainText)
        self.written.setAccessibleName("What was published")
        self.written.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.files = PublishedFilesModel(self)
        self.files_table = QTableView(self)
        set_up_row_table(self.files_table, self.files, "Files written")
        self.files_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.files_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.files_table.verticalHeader().setDefaultSectionSize(
            self.files_table.fontMetrics().height() + 8
        )
        self.files_table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.files_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.folder_shown_button = QPushButton("Show in &folder", self)
        self.folder_shown_button.setAccessibleName("Show the published folder")
        done = QWidget(self)
        done_layout = QVBoxLayout(done)
        done_layout.setContentsMargins(0, 0, 0, 0)
        done_layout.addWidget(self.written)
        done_layout.addWidget(self.files_table, 1)
        show_row = QHBoxLayout()
        show_row.addWidget(self.folder_shown_button)
        show_row.addStretch(1)
        done_layout.addLayout(show_row)
        return done

    # -- public ---------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        """The folder to publish into."""
        return Path(self.folder_edit.text().strip()).expanduser()

    @property
    def passphrase(self) -> QLineEdit:
        """The passphrase field."""
        return self.signer.passphrase

    @property
    def publishing(self) -> bool:
        """Whether the report is being signed and the files written."""
        return self._task is not None

    def problem_text(self) -> str:
        """The refusal shown, or empty."""
        return self.problem.text() if not self.problem.isHidden() else ""

    def accept(self) -> None:
        """Publish; once written, the dialog shows the files (Close then closes it)."""
        if self.result_value is not None:
            super().accept()
            return
        if self.publishing:
            return
        if self._folder_timer.isActive():
            self._folder_timer.stop()
            self._check()
        if not self.publish_button.isEnabled():
            return
        if not self.passphrase.text():
            self._show_problem(f"Type the passphrase of {self.signer.identity} to sign the report.")
            self.passphrase.setFocus()
            return
        passphrase = self.signer.take_passphrase()
        reports, model, version = self._reports, self._model, self._version
        identity, folder = self.signer.identity, self.folder

        def work(progress: Progress, _cancelled: Cancelled) -> PublishResult:
            return reports.publish(
                model,
                version,
                folder,
                PublishSource(identity=identity, passphrase=passphrase),
                progress=progress,
            )

        self._start_keyed_work(work, "Publishing")

    # -- events ---------------------------------------------------------------------

    def _on_folder_button_clicked(self) -> None:
        start = self.folder if self.folder.is_dir() else self.folder.parent
        name = QFileDialog.getExistingDirectory(
            self, "Choose an empty folder to publish into", str(start)
        )
        if name:
            self.folder_edit.setText(name)

    def _on_folder_edit_text_changed(self, _text: str) -> None:
        self._folder_timer.start()

    def _on_folder_timer_timeout(self) -> None:
        self._check()

    def _on_signer_identity_changed(self, _email: str) -> None:
        self._check()

    def _on_folder_shown_button_clicked(self) -> None:
        if self.result_value is not None:
            report_folder.show_in_folder(self.result_value.folder)

    def _work_succeeded(self, result: PublishResult) -> None:
        self.result_value = result
        report_folder.remember_report_folder(self._settings, result.folder.parent)
        self.written.setText(
            f"Published {result.model} {result.version} into {result.folder}: "
            f"{len(result.files)} files. The report's SHA-256 is {result.report_sha256}. "
            + (
                f"Approval attestation (in-toto) for {', '.join(result.attested)}, signed by "
                f"{result.attested_by}: attestations/."
                if result.attested
                else "No approval attestation: only an officer's key signs one."
            )
        )
        self.files.set_files(result.files)
        self.pages.setCurrentIndex(1)
        self._fit_files_table()
        self.publish_button.hide()
        self.cancel_button.setText("&Close")
        self.published.emit(result)

    # -- internals ------------------------------------------------------------------

    def _check(self) -> None:
        """Say why publishing cannot go ahead, before any passphrase; or open the passphrase."""
        try:
            if not self.folder_edit.text().strip():
                raise _Refusal("Choose a new or empty folder to publish into.")
            self._reports.check_publish(self._model, self._version, self.folder)
            if self.signer.chosen is None:
                raise _Refusal(
                    "Publishing signs the report now, and there is no identity to sign it "
                    "with. Create one in Settings ▸ Identities…, then publish again."
                )
            self._reports.check_export(self._model, self._version, self.signer.identity)
        except _Refusal as refusal:
            self._refuse(str(refusal))
            return
        except CountersignError as refusal:
            self._refuse(sentence(str(refusal)))
            return
        self.problem.hide()
        self.signer.set_passphrase_open(True)
        self.publish_button.setEnabled(True)

    def _fit_files_table(self) -> None:
        """Grow the dialog so that every file and its whole SHA-256 show (up to the screen)."""
        table = self.files_table
        rows = min(self.files.rowCount(), 14)
        table.setMinimumHeight(
            table.horizontalHeader().height()
            + rows * table.verticalHeader().defaultSectionSize()
            + 2 * table.frameWidth()
        )
        wanted = sum(table.sizeHintForColumn(column) for column in range(3))
        wanted += 2 * table.frameWidth() + table.verticalScrollBar().sizeHint().width() + 40
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        limit = screen.width() - 80 if screen is not None else wanted
        self.resize(max(self.width(), min(wanted, limit)), self.sizeHint().height())

    def _refuse(self, message: str) -> None:
        self._show_problem(message)
        self.signer.set_passphrase_open(False)
        self.publish_button.setEnabled(False)

    def _set_busy(self, busy: bool) -> None:
        super()._set_busy(busy)
        self.folder_edit.setEnabled(not busy)
        self.folder_button.setEnabled(not busy)


class _Refusal(Exception):
    """A refusal the dialog itself words (no service involved)."""


def _e(text: str) -> str:
    return html.escape(text)
