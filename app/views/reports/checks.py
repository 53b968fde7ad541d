"""The outcome of verifying a signed report on screen: the verdict, and each check with its mark.

Shared by Tools ▸ Verify report… and the preview that follows an export, so a
verdict reads the same in both.  A refusal (a file that is no readable report)
takes the verdict's place in words; the table is then empty.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPalette,
    QResizeEvent,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from countersign.services.reports.verdict import ReportCheck, ReportVerification
from countersign.views.appearance.colours import BAD, GOOD
from countersign.views.widgets.list_table import ListTableModel, set_up_row_table

HEADERS = ("Result", "Check", "Detail")
"""The columns of the checks table."""


_BANNER = (
    "QLabel {{ background: rgba({rgb}, 0.12); border: 1px solid rgba({rgb}, 0.6);"
    " border-radius: 4px; padding: 8px; }}"
)
_BANNER_RGB = {"valid": "47, 143, 91", "invalid": "200, 67, 58", "neutral": "128, 128, 128"}

AnyIndex = QModelIndex | QPersistentModelIndex


def mark(ok: bool) -> str:
    """A check's result as the table shows it: a tick or a cross, and the word."""
    return "✔ holds" if ok else "✘ fails"


class ReportChecksModel(ListTableModel[ReportCheck]):
    """The checks of one verification, one row each: mark, name, detail."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(HEADERS, parent)

    def set_checks(self, checks: tuple[ReportCheck, ...]) -> None:
        """Show ``checks`` (none: an empty table)."""
        self.set_rows(checks)

    def cell(self, item: ReportCheck, column: int, role: int) -> Any:
        """The mark, name and detail of a check, the mark coloured and in bold."""
        if role == Qt.ItemDataRole.DisplayRole:
            return (mark(item.ok), item.name, item.detail)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            # Level with the first line of a wrapped name or detail.
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return item.detail
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0:
            return "holds" if item.ok else "fails"
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            return (GOOD if item.ok else BAD).on()
        if role == Qt.ItemDataRole.FontRole and column < 2:
            font = QFont()
            font.setBold(column == 0 or not item.ok)
            return font
        return None


class WrappingDelegate(QStyledItemDelegate):
    """Wraps a cell's text at spaces, and inside long words (addresses, fingerprints) if it must.

    Qt's own wrapping breaks only at spaces, so a certificate fingerprint or an
    e-mail address in a narrow column would be cut off with an ellipsis.
    """

    PADDING = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._wrap = QTextOption()
        self._wrap.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        """The cell's background as the style draws it, then the text wrapped to its width."""
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        text = item.text
        item.text = ""
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        if selected or not isinstance(foreground, QColor):
            role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
            foreground = item.palette.color(role)
        painter.save()
        painter.setPen(foreground)
        painter.setFont(item.font)
        pad = self.PADDING
        painter.drawText(QRectF(item.rect).adjusted(pad, pad / 2, -pad, -pad / 2), text, self._wrap)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:  # noqa: N802
        """One line's width; the height of the text wrapped to the column's width."""
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        pad = self.PADDING
        natural = QFontMetricsF(item.font).horizontalAdvance(item.text)
        width = option.rect.width() - 2 * pad if option.rect.width() > 2 * pad else natural
        layout = QTextLayout(item.text, item.font)
        layout.setTextOption(self._wrap)
        layout.beginLayout()
        height = 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(width, 1.0))
            height += line.height()
        layout.endLayout()
        return QSize(int(natural) + 2 * pad + 1, int(height) + pad + 1)


class VerificationPanel(QWidget):
    """The verdict of a report in a coloured banner, and each check with its mark below it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.verdict = QLabel(self)
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict.setAccessibleName("Verdict")
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = ReportChecksModel(self)
        self.table = QTableView(self)
        set_up_row_table(self.table, self.model, "Checks")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Details are sentences with addresses and fingerprints: shown whole, wrapped.
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.wrapping = WrappingDelegate(self.table)
        self.table.setItemDelegateForColumn(1, self.wrapping)
        self.table.setItemDelegateForColumn(2, self.wrapping)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table, 1)
        self.clear()

    def show_pending(self, text: str) -> None:
        """Say that the report is being checked."""
        self.model.set_checks(())
        self._banner(text, "neutral")

    def show_result(self, result: ReportVerification) -> None:
        """Show the verdict and every check of ``result``."""
        self.model.set_checks(result.checks)
        self._fit_columns()
        self._banner(result.verdict(), "valid" if result.ok else "invalid")

    def show_refusal(self, message: str) -> None:
        """Show why the file could not be checked at all (no checks to list)."""
        self.model.set_checks(())
        self._banner(f"NOT CHECKED: {message}", "invalid")

    def clear(self) -> None:
        """Nothing checked yet."""
        self.model.set_checks(())
        self._banner("Choose a signed report to check.", "neutral")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """Share the width out again: the check names wrap before the details do."""
        super().resizeEvent(event)
        self._fit_columns()

    def verdict_text(self) -> str:
        """The verdict as shown."""
        return self.verdict.text()

    def _fit_columns(self) -> None:
        # The check names take what they need, up to a third of the width; details the rest.
        names = max((self.table.sizeHintForColumn(1), 80))
        self.table.setColumnWidth(1, min(names, max(self.table.viewport().width() // 3, 80)))
        self.table.resizeRowsToContents()

    def _banner(self, text: str, kind: str) -> None:
        self.verdict.setText(text)
        self.verdict.setStyleSheet(_BANNER.format(rgb=_BANNER_RGB[kind]))
        self.verdict.setProperty("verdict", kind)
