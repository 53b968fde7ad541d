"""The Versions tab: a model's card versions as a timeline, newest first.

Each row says what the officer needs to trust a card version: its status,
when it was imported and by whom, the bundle it came in, the team's signature
on that bundle, and the SHA-256 of the canonical card.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from countersign.models.safe_text import display_text
from countersign.services.registry import VersionSummary
from countersign.views.presentation import format_name, local_time, signature_text, status_icon
from countersign.views.widgets.list_table import ListTableModel, set_up_row_table

HEADERS = (
    "Version",
    "Status",
    "Imported",
    "From",
    "Team signature",
    "Warnings",
    "SHA-256",
)


class VersionsTableModel(ListTableModel[VersionSummary]):
    """The card versions of one model (a handful, so held whole), newest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(HEADERS, parent)
        self._shown = ""
        self._stages: dict[str, str] = {}

    def set_versions(
        self, versions: list[VersionSummary], shown: str = "", stages: dict[str, str] | None = None
    ) -> None:
        """Show ``versions`` (given oldest first); ``shown`` is the one in the Card tab.

        ``stages`` says, per version, its status for each stage (shown in the Status column).
        """
        self.beginResetModel()
        self._rows = sorted(versions, key=lambda v: v.seq, reverse=True)
        self._shown = shown
        self._stages = dict(stages or {})
        self.endResetModel()

    def stages_of(self, version: str) -> str:
        """The status of ``version`` for each stage, in words (empty: the registry has none)."""
        return self._stages.get(version, "")

    def set_shown(self, version: str) -> None:
        """Mark ``version`` as the one the Card tab shows."""
        self._shown = version
        self.refresh()

    def version(self, row: int) -> VersionSummary:
        """The card version on ``row``."""
        return self.item(row)

    def row_of(self, version: str) -> int | None:
        """The row of ``version``, if listed."""
        for row, summary in enumerate(self._rows):
            if summary.version == version:
                return row
        return None

    def cell(self, summary: VersionSummary, column: int, role: int) -> Any:
        """Cell text, full values as tooltips, the shown version in bold."""
        per_stage = self._stages.get(summary.version, "") if column == 1 else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(per_stage or _cell(summary, column))
        if role == Qt.ItemDataRole.ToolTipRole:
            if per_stage:
                return f"Per stage: {per_stage}; the card version's latest status: {summary.status}"
            return _tooltip(summary, column)
        if role == Qt.ItemDataRole.DecorationRole and column == 1:
            return status_icon(summary.status)
        if role == Qt.ItemDataRole.FontRole:
            if column == 6:
                return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
            if summary.version == self._shown:
                font = QFont()
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.UserRole:
            return summary.version
        return None


def _cell(summary: VersionSummary, column: int) -> str:
    bundle = summary.bundle
    if column == 0:
        return summary.version
    if column == 1:
        return summary.status
    if column == 2:
        return local_time(summary.imported_at)
    if column == 3:
        return bundle.file_name if bundle is not None else f"loose: {summary.original_name}"
    if column == 4:
        if bundle is None:
            return "— (no bundle)"
        return signature_text(bundle.signature_status, bundle.signer_subject)
    if column == 5:
        return str(summary.warning_count) if summary.warning_count else "none"
    return summary.sha256[:12] + "…"


def version_facts_html(summary: VersionSummary, stages: str = "") -> str:
    """Every fact about one card version as a small HTML table (all values escaped).

    ``stages`` is its status for each stage, when the registry has stages: said first, as
    the Status column says it (an expired approval is no longer "approved").
    """
    status = f"{stages}; the card version's latest status: {summary.status}" if stages else ""
    rows = [
        ("Card version", f"{summary.version} ({status or summary.status})"),
        ("Canonical card SHA-256", summary.sha256),
        (
            "Original file",
            f"{summary.original_name} · {format_name(summary.source_format)}"
            f" · {summary.warning_count} format warning{'s' if summary.warning_count != 1 else ''}",
        ),
        ("Imported", f"{local_time(summary.imported_at)} by {summary.imported_by}"),
    ]
    bundle = summary.bundle
    if bundle is None:
        rows.append(("Bundle", "none: imported as a loose card file"))
    else:
        rows.append(("Bundle", f"{bundle.file_name} from {bundle.team or 'an unnamed team'}"))
        rows.append(("Bundle SHA-256", bundle.sha256))
        rows.append(
            ("Team signature", signature_text(bundle.signature_status, bundle.signer_subject))
        )
        if bundle.signer_fingerprint:
            rows.append(("Signer certificate", bundle.signer_fingerprint))
    cells = "".join(
        f"<tr><td><b>{html.escape(label)}</b></td><td>{html.escape(value)}</td></tr>"
        for label, value in rows
    )
    return f"<table cellspacing='0' cellpadding='2'>{cells}</table>"


def _tooltip(summary: VersionSummary, column: int) -> str | None:
    bundle = summary.bundle
    if column == 2:
        return f"{summary.imported_at} by {summary.imported_by}"
    if column == 3 and bundle is not None:
        return (
            f"{bundle.file_name} from {bundle.team or 'an unnamed team'}"
            f" (SHA-256 {bundle.sha256}); card file {summary.original_name}"
        )
    if column == 4 and bundle is not None and bundle.signer_fingerprint:
        return f"Signed by {bundle.signer_subject}, certificate {bundle.signer_fingerprint}"
    if column == 6:
        return f"SHA-256 of the canonical card: {summary.sha256}"
    return None


class VersionsTab(QWidget):
    """The timeline of a model's card versions; choosing one shows it in the Card tab."""

    version_chosen = Signal(str)
    """A version became current: show it."""
    version_opened = Signal(str)
    """Enter or double-click on a version: show it and go to its card."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = VersionsTableModel(self)
        self._quiet = False
        self.intro = QLabel(
            "Every card version received for this model, newest first. "
            "Choose one to see it in the Card, Source and Attachments tabs.",
            self,
        )
        self.intro.setWordWrap(True)
        self.table = QTableView(self)
        set_up_row_table(self.table, self.model, "Card versions", (64, 112, 124, 172, 112, 72))
        self.facts = QLabel(self)
        self.facts.setAccessibleName("Facts of the chosen card version")
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setWordWrap(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.table.activated.connect(self._on_table_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.facts)

    def show_versions(
        self, versions: list[VersionSummary], shown: str, stages: dict[str, str] | None = None
    ) -> None:
        """List ``versions`` and make ``shown`` the current row (without announcing it)."""
        self.model.set_versions(versions, shown, stages)
        self.show_current(shown)

    def show_current(self, version: str) -> None:
        """Mark and select ``version`` as the one shown elsewhere."""
        self.model.set_shown(version)
        row = self.model.row_of(version)
        if row is None:
            self.facts.clear()
            return
        self.facts.setText(
            version_facts_html(self.model.version(row), self.model.stages_of(version))
        )
        self._quiet = True
        try:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        finally:
            self._quiet = False

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._quiet:
            self.version_chosen.emit(self.model.version(current.row()).version)

    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.version_opened.emit(self.model.version(index.row()).version)
