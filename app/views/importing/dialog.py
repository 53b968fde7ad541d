"""The import preview: what importing some files would do, before anything lands.

The dialog plans every file off the GUI thread, shows per file the team and
its signature and per card what will happen, and lands the files only when
the officer chooses Import (one transaction per file).  Cancel leaves the
registry as it was.  A refused file is explained in the officer's words, with
the full reason to copy; the refusal itself is recorded in the audit trail,
as the command line's import does.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError, ImportCancelled, RegistryError
from countersign.models.vocabulary import CardOutcome
from countersign.services.importing.importer import Importer, ImportPlan
from countersign.services.progress import Cancelled, Progress
from countersign.views.appearance.colours import BAD
from countersign.views.background import BackgroundTask, Work, run_with_progress
from countersign.views.importing.preview import (
    CardPlanModel,
    FileEntry,
    FilePlanModel,
    card_details_text,
    card_versions,
    cards_title,
    refusal_details,
    refusal_reason,
)

_VISIBLE_FILES = 5
"""Rows of the files table shown before it scrolls."""


class RefusalPanel(QFrame):
    """Why a file is refused, in plain words, with the full reason to see and copy."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refusalPanel")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.setStyleSheet(
            "#refusalPanel { border: 1px solid rgba(200, 40, 40, 160); border-radius: 4px;"
            " background: rgba(200, 40, 40, 28); }"
        )
        self.headline = QLabel()
        bold = QFont(self.headline.font())
        bold.setBold(True)
        self.headline.setFont(bold)
        self.headline.setWordWrap(True)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton("&Details…")
        self.details_button.setCheckable(True)
        self.details_button.setAccessibleName("Show the full reason for the refusal")
        self.copy_button = QPushButton("Co&py details")
        self.copy_button.setAccessibleName("Copy the full reason for the refusal")
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Full reason for the refusal")
        self.details.setMaximumHeight(120)
        self.details.hide()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.details_button)
        buttons.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.reason)
        layout.addLayout(buttons)
        layout.addWidget(self.details)
        self.details_button.toggled.connect(self._on_details_button_toggled)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)

    def show_plan(self, plan: ImportPlan) -> None:
        """Explain the refusal of ``plan``."""
        self.headline.setText(f"Countersign will not import {plan.source.name}.")
        reason = refusal_reason(plan).rstrip(".")
        self.reason.setText(f"{reason}.\nNothing from this file will be added to the registry.")
        self.details.setPlainText(refusal_details(plan))
        self._fit_reason()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """Keep the wrapped reason whole as the panel's width changes."""
        super().resizeEvent(event)
        self._fit_reason()

    def _fit_reason(self) -> None:
        # Layouts do not ask a word-wrapped label its height for the width it gets.
        height = self.reason.heightForWidth(self.reason.width())
        if height > 0:
            self.reason.setMinimumHeight(height)

    def _on_details_button_toggled(self, checked: bool) -> None:
        self.details.setVisible(checked)

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


class ImportDialog(QDialog):
    """Preview what importing ``paths`` would do, and land it when the officer agrees."""

    landed = Signal()
    preview_ready = Signal()
    import_finished = Signal()

    def __init__(
        self, importer: Importer, paths: list[Path], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._importer = importer
        self._paths = list(paths)
        self._entries: list[FileEntry] = []
        self._task: BackgroundTask | None = None
        self._started = False
        self.setWindowTitle("Import cards")
        self.setSizeGripEnabled(True)
        self.resize(1000, 640)

        self.intro = QLabel(
            "Reading the files… Nothing is added to the registry until you choose Import."
        )
        self.intro.setWordWrap(True)
        self.files_model = FilePlanModel(self)
        self.files_view = _table(self.files_model, "Files to import")
        cards_pane = self._build_cards_pane()
        self.card_details = QPlainTextEdit()
        self.card_details.setReadOnly(True)
        self.card_details.setAccessibleName("Warnings of the selected card")
        self.card_details.setPlaceholderText("Select a card to see its format warnings.")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setAccessibleName("Import status")
        self._build_buttons()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.files_view)
        self.splitter.addWidget(cards_pane)
        self.splitter.addWidget(self.card_details)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.cancel_button.clicked.connect(self.reject)
        self.files_view.selectionModel().currentRowChanged.connect(
            self._on_files_view_current_row_changed
        )
        self.cards_view.selectionModel().currentRowChanged.connect(
            self._on_cards_view_current_row_changed
        )

    def _build_cards_pane(self) -> QWidget:
        """The cards in the selected file, or why the file is refused."""
        self.cards_title = QLabel()
        self.cards_title.setFont(_bold(self.cards_title.font()))
        self.refusal_panel = RefusalPanel()
        self.refusal_panel.hide()
        self.cards_model = CardPlanModel(self)
        self.cards_view = _table(self.cards_model, "Cards in the selected file")
        self.cards_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.cards_view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        cards_pane = QWidget()
        cards_layout = QVBoxLayout(cards_pane)
        cards_layout.setContentsMargins(0, 4, 0, 0)
        cards_layout.addWidget(self.cards_title)
        cards_layout.addWidget(self.refusal_panel)
        cards_layout.addWidget(self.cards_view, 100)
        cards_layout.addStretch(1)  # takes the room when a refused file shows no cards
        return cards_pane

    def _build_buttons(self) -> None:
        """Import (enabled once the preview is ready) and Cancel."""
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            "&Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setAccessibleName("Import the files into the registry")
        self.import_button.setEnabled(False)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName("Close without importing")

    @property
    def entries(self) -> list[FileEntry]:
        """The files of this import with their plans (empty until the preview is ready)."""
        return list(self._entries)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Start reading the files the first time the dialog is shown."""
        super().showEvent(event)
        if not self._started:
            self._started = True
            self._task = run_with_progress(
                self,
                "Reading the files to import…",
                _plan_work(self._importer, list(self._paths)),
                on_success=self._on_plan_succeeded,
                on_failure=self._on_plan_failed,
            )

    def reject(self) -> None:
        """Close; work not yet landed is cancelled, so the registry stays as it was."""
        if self._task is not None and self._task.running:
            self._task.cancel()
            if self.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose):
                # The work still reports to this dialog's widgets: delete it when the work ends.
                self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
                self._task.finished.connect(self.deleteLater)
        super().reject()

    # -- planning -------------------------------------------------------------

    def _on_plan_succeeded(self, plans: list[ImportPlan]) -> None:
        self._entries = [FileEntry(plan) for plan in plans]
        self.files_model.set_entries(self._entries)
        self.files_view.resizeColumnsToContents()
        self._cap_file_columns()
        self._fit_files_view()
        if self._entries:
            self.files_view.selectRow(0)
        landable = [e for e in self._entries if e.plan.changes_anything]
        self.import_button.setEnabled(bool(landable))
        self.intro.setText(_preview_summary(self._entries))
        self._set_message(
            "Choose Import to add them, or Cancel to leave the registry as it is."
            if landable
            else "There is nothing to import.",
            problem=False,
        )
        self.preview_ready.emit()

    def _on_plan_failed(self, error: BaseException, _trace: str) -> None:
        if isinstance(error, ImportCancelled):
            if self.isVisible():
                self.reject()
            return
        if not isinstance(error, CountersignError):
            raise error  # a bug: the crash path shows it with its traceback
        self.intro.setText("The files could not be read into a preview.")
        self._show_error(error)
        self.preview_ready.emit()

    def _cap_file_columns(self) -> None:
        # A long signer name must not push the status (the last column) out of sight.
        header = self.files_view.horizontalHeader()
        cap = max(120, self.files_view.viewport().width() // 4)
        for column in range(header.count() - 1):
            if header.sectionSize(column) > cap:
                header.resizeSection(column, cap)

    def _fit_files_view(self) -> None:
        rows = min(max(len(self._entries), 1), _VISIBLE_FILES)
        height = (
            self.files_view.horizontalHeader().height()
            + rows * self.files_view.verticalHeader().defaultSectionSize()
            + 2 * self.files_view.frameWidth()
            + 4  # styles differ by a pixel or two; a scroll bar for one row is worse
        )
        total = sum(self.splitter.sizes()) or 540
        details = max(140, total // 3)
        self.splitter.setSizes([height, max(total - height - details, 100), details])

    # -- selection ------------------------------------------------------------

    def _on_files_view_current_row_changed(
        self, current: QModelIndex, _previous: QModelIndex
    ) -> None:
        if not current.isValid():
            return
        plan = self.files_model.entry(current.row()).plan
        self.cards_title.setText(cards_title(plan))
        self.refusal_panel.setVisible(plan.refused)
        if plan.refused:
            self.refusal_panel.show_plan(plan)
        self.cards_model.set_cards(plan.cards)
        self.cards_view.setVisible(bool(plan.cards))
        self.card_details.setVisible(bool(plan.cards))
        self.card_details.clear()
        if plan.cards:
            refused = [i for i, c in enumerate(plan.cards) if c.outcome == CardOutcome.REFUSED]
            self.cards_view.selectRow(refused[0] if refused else 0)

    def _on_cards_view_current_row_changed(
        self, current: QModelIndex, _previous: QModelIndex
    ) -> None:
        if not current.isValid():
            self.card_details.clear()
            return
        self.card_details.setPlainText(card_details_text(self.cards_model.card(current.row())))

    # -- importing ------------------------------------------------------------

    def _on_import_button_clicked(self) -> None:
        self.import_button.setEnabled(False)
        self._task = run_with_progress(
            self,
            "Importing…",
            _import_work(self._importer, [e for e in self._entries if e.plan.changes_anything]),
            on_success=self._on_import_succeeded,
            on_failure=self._on_import_failed,
        )

    def _on_import_succeeded(self, tried: list[FileEntry]) -> None:
        for entry in self._entries:
            if entry.plan.refused and not entry.result:
                entry.result = CardOutcome.REFUSED.label
        self.files_model.refresh()
        self.cards_model.refresh()  # outcomes are checked again inside the transaction
        landed = [e for e in tried if e.landed]
        missed = [e for e in self._entries if e.result and not e.landed]
        if not landed and tried and all(e.result == "cancelled" for e in tried):
            self._set_message("Import cancelled; nothing was written.", problem=True)
        else:
            text = "Import finished. Imported: " if landed else "Nothing was imported."
            text += ", ".join(
                f"{e.plan.source.name} ({card_versions(e.new_versions)})" for e in landed
            )
            text += "." if landed else ""
            if missed:
                text += " Not imported: "
                text += ", ".join(f"{e.plan.source.name} ({e.result})" for e in missed) + "."
            self._set_message(text, problem=not landed)
        self.intro.setText("The import has run. The Status column says what became of each file.")
        self._set_finished()
        if landed:
            self.landed.emit()
        self.import_finished.emit()

    def _on_import_failed(self, error: BaseException, _trace: str) -> None:
        if not isinstance(error, CountersignError):
            raise error  # a bug: the crash path shows it with its traceback
        self.files_model.refresh()
        self._show_error(error)
        self._set_finished()
        if any(e.landed for e in self._entries):
            self.landed.emit()
        self.import_finished.emit()

    def _set_finished(self) -> None:
        self.import_button.hide()
        self.cancel_button.setText("&Close")
        self.cancel_button.setAccessibleName("Close the import")

    def _show_error(self, error: BaseException) -> None:
        if isinstance(error, ImportCancelled):
            text = "Import cancelled; nothing was written."
        elif isinstance(error, RegistryError):
            text = f"The registry could not be used: {error}."
        else:
            text = str(error)
        self._set_message(text, problem=True)

    def _set_message(self, text: str, *, problem: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {BAD.on().name()};" if problem else "")


def _plan_work(importer: Importer, paths: list[Path]) -> Work:
    """Plan every file; then record the refusals in the audit trail (nothing lands)."""

    def work(progress: Progress, cancelled: Cancelled) -> list[ImportPlan]:
        plans: list[ImportPlan] = []
        try:
            for number, path in enumerate(paths):
                if cancelled():
                    raise ImportCancelled("import cancelled; nothing was written")

                def file_progress(done: int, total: int, what: str, number: int = number) -> None:
                    if not cancelled():  # once cancelled, the dialog may be on its way out
                        share = done * 100 // max(total, 1)
                        progress(number * 100 + share, len(paths) * 100, what)

                plans.append(importer.plan(path, progress=file_progress, cancelled=cancelled))
        finally:
            # Every file is read: worker processes reading large bundles are not kept idle
            # for the rest of the session (the next import starts them again).
            importer.close()
        if cancelled():
            raise ImportCancelled("import cancelled; nothing was written")
        for plan in plans:
            if plan.refused:
                importer.apply(plan)  # lands nothing; records the refusal, as the CLI does
        return plans

    return work


def _import_work(importer: Importer, entries: list[FileEntry]) -> Work:
    """Land each file in its own transaction; a file that cannot land leaves the others."""

    def work(progress: Progress, cancelled: Cancelled) -> list[FileEntry]:
        for number, entry in enumerate(entries):
            if not cancelled():
                progress(number, len(entries), f"Importing {entry.plan.source.name}")
            try:
                report = importer.apply(entry.plan, cancelled=cancelled)
            except ImportCancelled:
                entry.result = "cancelled"
                continue
            except RegistryError as error:
                entry.result = str(error)
                continue
            entry.landed = report.landed
            if not report.landed:
                entry.result = (
                    CardOutcome.REFUSED.label if entry.plan.refused else "already in the registry"
                )
        return entries

    return work


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


def _table(model: QAbstractTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setTabKeyNavigation(False)  # Tab moves between the panes; arrows within a table
    return view


def _preview_summary(entries: list[FileEntry]) -> str:
    new = sum(e.new_versions for e in entries if e.plan.changes_anything)
    refused = sum(e.plan.refused for e in entries)
    parts = [f"{len(entries)} file{'s' if len(entries) != 1 else ''} read."]
    if new:
        parts.append(f"{card_versions(new)} will be added.")
    if refused:
        parts.append(
            f"{refused} file{'s are' if refused != 1 else ' is'} refused "
            "(the refusal is recorded in the audit trail)."
        )
    parts.append("Nothing has been added yet.")
    return " ".join(parts)
