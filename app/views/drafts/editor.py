"""The card draft editor: a team's card as a form, its preview, and what a reviewer will ask.

A window of its own, apart from the registry: a draft is a file (a Hugging
Face README or native JSON) and never a registry version; it reaches the
registry only through the normal import.  The preview is the Card tab's
renderer; the completeness panel judges the draft against a chosen checklist
template.  Both follow the typing, a moment after it pauses.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QToolBar,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.models.checklist import ChecklistTemplate
from countersign.services.drafts import CardDraft, DraftFormat, format_for, open_draft
from countersign.services.drafts.draft import DRAFT_FORMATS, FORMAT_LABELS, SUFFIXES
from countersign.views.drafts.bundle_dialog import BundleDialog
from countersign.views.drafts.completeness_panel import CompletenessPanel
from countersign.views.drafts.form import CardForm
from countersign.views.icons import icon
from countersign.views.model_page.card_tab import model_card_markdown
from countersign.views.widgets.card_browser import CardBrowser

REFRESH_DELAY_MS = 300
"""The preview and the completeness panel follow the typing after this pause."""

EMPTY_PREVIEW = (
    "*The card appears here as you fill in the form, as the officer's Card tab will show it.*\n"
)

DRAFT_FILTERS = {
    draft_format: f"{draft_format.label} (*{draft_format.suffix})" for draft_format in DraftFormat
}


class DraftEditor(QMainWindow):
    """One card draft: the form on the left, the preview and the completeness panel beside it."""

    saved = Signal(Path)
    """The draft was written to this file."""

    bundle_exported = Signal(Path)
    """A bundle holding this draft was written to this file."""

    def __init__(
        self,
        templates: list[ChecklistTemplate],
        draft: CardDraft | None = None,
        *,
        folder: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowIcon(icon("app"))
        self.draft = draft if draft is not None else CardDraft(format=DraftFormat.HUGGINGFACE)
        self._folder = folder or Path.home()
        self._modified = False
        self.bundle_dialog: BundleDialog | None = None

        self.form = CardForm(self)
        self.form.changed.connect(self._on_form_changed)
        self.preview = CardBrowser(self)
        self.preview.setAccessibleName("Card preview")
        self.preview.document().setDocumentMargin(14)
        self.completeness = CompletenessPanel(templates, self)
        self.completeness.choose("standard")
        self.completeness.template_changed.connect(self._on_completeness_template_changed)

        side = QSplitter(Qt.Orientation.Vertical, self)
        side.addWidget(self.preview)
        side.addWidget(self.completeness)
        side.setSizes([480, 360])
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.form)
        self.splitter.addWidget(side)
        self.splitter.setSizes([760, 680])
        self.setCentralWidget(self.splitter)

        self.format_chooser = QComboBox(self)
        self.format_chooser.setAccessibleName("File format")
        self.format_chooser.setToolTip("The format the draft is saved in")
        for name in DRAFT_FORMATS:
            self.format_chooser.addItem(FORMAT_LABELS[name], name)
        self.format_chooser.currentIndexChanged.connect(self._on_format_chooser_changed)
        self._build_actions()

        self.file_label = QLabel(self)
        self.file_label.setAccessibleName("Draft file")
        self.statusBar().addWidget(self.file_label, 1)
        self.statusBar().addPermanentWidget(
            QLabel("A draft is a file; it reaches the registry only when imported.", self)
        )

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh_now)
        self.resize(1440, 900)
        self._show_draft()

    # -- commands -------------------------------------------------------------------------

    @property
    def modified(self) -> bool:
        """Whether the draft has edits not yet saved."""
        return self._modified

    def open_file(self, path: Path) -> None:
        """Open the card file ``path`` in this editor (any supported format)."""
        self.draft = open_draft(path)
        self._folder = path.parent
        self._show_draft()

    def save(self) -> bool:
        """Save to the draft's file, or ask where when it has none; False if not saved."""
        if self.draft.path is None:
            return self.choose_save_path()
        return self.save_as(self.draft.path)

    def choose_save_path(self) -> bool:
        """Ask where to save (suggesting a name after the model), then save there."""
        self._apply_form()
        chosen = self.draft.format
        suggestion = self._folder / self.draft.file_name(chosen)
        name, _filter = QFileDialog.getSaveFileName(
            self,
            "Save card draft",
            str(suggestion),
            ";;".join(DRAFT_FILTERS[f] for f in DRAFT_FORMATS),
        )
        if not name:
            return False
        path = Path(name)
        if format_for(path) is None:
            path = path.with_name(path.name + SUFFIXES[chosen])
        return self.save_as(path)

    def save_as(self, path: Path) -> bool:
        """Save to ``path`` in the chosen format (or the one its name says); False if refused."""
        self._apply_form()
        try:
            self.draft.save(path, self._chosen_format())
        except CountersignError as error:
            QMessageBox.warning(self, "Draft not saved", str(error))
            return False
        self._folder = path.parent
        self._modified = False
        self._update_title()
        self.saved.emit(path)
        return True

    def export_bundle(self) -> BundleDialog:
        """Open Export bundle… with this draft in it (others can be added)."""
        self._apply_form()
        dialog = BundleDialog([self.draft], self._folder, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exported.connect(self.bundle_exported)
        dialog.destroyed.connect(self._on_bundle_dialog_destroyed)
        self.bundle_dialog = dialog
        dialog.open()
        return dialog

    def discard_changes(self) -> None:
        """Forget that the draft was edited (closing then asks nothing)."""
        self._modified = False
        self._update_title()

    def refresh_now(self) -> None:
        """Bring the preview and the completeness panel up to date with the form."""
        self._timer.stop()
        self._apply_form()
        bar = self.preview.verticalScrollBar()
        position = bar.value()
        markdown = model_card_markdown(self.draft.card)
        self.preview.show_markdown(markdown if markdown.strip() else EMPTY_PREVIEW)
        if position:
            bar.setValue(position)
        else:
            self.preview.moveCursor(QTextCursor.MoveOperation.Start)
        self.completeness.show_report(self.draft.completeness(self.completeness.template))

    # -- Qt events -------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Offer to save edits before closing."""
        if self._modified:
            answer = QMessageBox.question(
                self,
                "Save the draft?",
                f"The draft of {self.draft.name or 'this card'} has changes that are not saved.",
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Cancel or (
                answer == QMessageBox.StandardButton.Save and not self.save()
            ):
                event.ignore()
                return
        self._timer.stop()
        super().closeEvent(event)

    # -- inside ------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        menu = self.menuBar().addMenu("&File")
        tool_bar = QToolBar("Draft", self)
        tool_bar.setObjectName("draft_tool_bar")
        tool_bar.setMovable(False)
        tool_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        specs = (
            ("save", "&Save", QKeySequence.StandardKey.Save, self.save),
            ("save_as", "Save &as…", QKeySequence.StandardKey.SaveAs, self.choose_save_path),
            ("export_bundle", "&Export bundle…", "Ctrl+E", self.export_bundle),
            ("close", "&Close", QKeySequence.StandardKey.Close, self.close),
        )
        self.actions_by_name: dict[str, QAction] = {}
        for name, text, shortcut, slot in specs:
            action = QAction(text, self)
            action.setObjectName(name)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            menu.addAction(action)
            self.actions_by_name[name] = action
        self.actions_by_name["export_bundle"].setIcon(icon("publish"))
        tool_bar.addAction(self.actions_by_name["save"])
        tool_bar.addAction(self.actions_by_name["export_bundle"])
        tool_bar.addSeparator()
        tool_bar.addWidget(QLabel(" Format: ", self))
        tool_bar.addWidget(self.format_chooser)
        self.addToolBar(tool_bar)

    def _show_draft(self) -> None:
        self.form.load(self.draft.card, self.draft.attachments)
        self.format_chooser.blockSignals(True)
        self.format_chooser.setCurrentIndex(DRAFT_FORMATS.index(self.draft.format))
        self.format_chooser.blockSignals(False)
        self._modified = False
        self._update_title()
        self.refresh_now()

    def _apply_form(self) -> None:
        self.draft.card = self.form.card()
        self.draft.attachments = self.form.attachment_paths()
        self.draft.format = self._chosen_format()

    def _chosen_format(self) -> DraftFormat:
        value = self.format_chooser.currentData()
        return DraftFormat(value) if value in DRAFT_FORMATS else self.draft.format

    def _update_title(self) -> None:
        name = self.draft.name or "New card"
        mark = " (edited)" if self._modified else ""
        self.setWindowTitle(f"{name} — card draft{mark} — Countersign")
        where = str(self.draft.path) if self.draft.path else "not saved yet"
        self.file_label.setText(f"{where} · {FORMAT_LABELS[self._chosen_format()]}")

    def _on_form_changed(self) -> None:
        if not self._modified:
            self._modified = True
            self._update_title()
        self._timer.start()

    def _on_format_chooser_changed(self, _row: int) -> None:
        self._modified = True
        self._update_title()
        self._timer.start()

    def _on_completeness_template_changed(self) -> None:
        self.refresh_now()

    def _on_bundle_dialog_destroyed(self) -> None:
        self.bundle_dialog = None
