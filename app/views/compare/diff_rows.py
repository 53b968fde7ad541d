"""The rows of a side-by-side diff: a lazy item model over a text diff, and how a row is drawn.

:class:`DiffRowsModel` answers only for the rows asked (a view with uniform row
heights asks for the rows on screen); :class:`DiffLineDelegate` paints one side
of a row: a fixed gutter with the line number and change mark, the row's colour
by kind, hatched filler where the other side has a line, the changed words in
a stronger colour, and, for a very long line, only the stretch on screen.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from countersign.services.diff.text_diff import TextDiff

TAG_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row's kind: "equal", "replace", "delete" or "insert"."""
SPANS_ROLE = Qt.ItemDataRole.UserRole + 2
"""The changed stretches of the line, as (start, end) character offsets."""
LINE_NUMBER_ROLE = Qt.ItemDataRole.UserRole + 3
"""The 1-based line number on this side, or None for filler."""

SIDES = ("Old version", "New version")

DELETED = QColor(214, 69, 65, 46)
DELETED_WORDS = QColor(214, 69, 65, 120)
INSERTED = QColor(46, 160, 67, 46)
INSERTED_WORDS = QColor(46, 160, 67, 120)
FILLER = QColor(128, 128, 128, 60)
"""Translucent, so that the marks read on light and dark palettes alike."""

_LONG_LINE = 2_000
"""Past this many characters a line is drawn from the visible stretch only."""
_INVISIBLE = {code: "·" for code in range(32)} | {
    9: "→",
    127: "·",
    0x2028: "↵",
    0x2029: "¶",
}
"""Characters that would break or vanish in a row, drawn as visible marks instead."""

_Index = QModelIndex | QPersistentModelIndex


class Cell(NamedTuple):
    """One side of a row: its kind, 1-based line number (None for filler), text and marks."""

    tag: str
    number: int | None
    text: str
    spans: tuple[tuple[int, int], ...]


class DiffRowsModel(QAbstractTableModel):
    """The rows of a text diff: column 0 the old side, column 1 the new side (read lazily)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._diff: TextDiff | None = None
        self._rows = 0

    @property
    def diff(self) -> TextDiff | None:
        """The diff shown, if any."""
        return self._diff

    def set_diff(self, diff: TextDiff | None) -> None:
        """Show ``diff`` (or nothing)."""
        self.beginResetModel()
        self._diff = diff
        self._rows = diff.row_count if diff is not None else 0
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """Rows of the aligned view."""
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """The old side and the new side."""
        return 0 if parent.isValid() else 2

    def cell(self, row: int, side: int) -> Cell:
        """Everything about one side of ``row`` at once (the delegate asks this, not data())."""
        assert self._diff is not None
        diff_row = self._diff.row(row)
        if side == 0:
            number, spans, lines = diff_row.left, diff_row.left_spans, self._diff.left_lines
        else:
            number, spans, lines = diff_row.right, diff_row.right_spans, self._diff.right_lines
        if number is None:
            return Cell(diff_row.tag, None, "", ())
        return Cell(diff_row.tag, number + 1, lines[number], spans)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A line's text, kind, changed stretches and number; filler has no text and no number."""
        if self._diff is None or not index.isValid() or index.row() >= self._rows:
            return None
        cell = self.cell(index.row(), index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == TAG_ROLE:
            return cell.tag
        if role == SPANS_ROLE:
            return cell.spans
        if role == LINE_NUMBER_ROLE:
            return cell.number
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return _spoken(cell)
        return None

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """The sides' names."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < 2
        ):
            return SIDES[section]
        return None


def _spoken(cell: Cell) -> str:
    if cell.number is None:
        return "nothing on this side"
    kind = {"equal": "unchanged", "replace": "changed", "delete": "deleted"}.get(
        cell.tag, "inserted"
    )
    return f"line {cell.number}, {kind}: {cell.text}"


class _RowPainting(NamedTuple):
    """What painting one row needs besides its cell: where, with what, in which colours."""

    painter: QPainter
    rect: QRect
    palette: QPalette
    gutter: int
    viewport_width: int


class DiffLineDelegate(QStyledItemDelegate):
    """Paints one side of a row: line number and change mark, then the line with its marks."""

    def __init__(self, side: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.side = side
        self.font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.set_font(self.font)
        self.max_length = 0
        self.max_number = 0

    def set_font(self, font: QFont) -> None:
        """Use ``font`` (fixed-width) for lines and numbers."""
        self.font = font
        self.heading_font = QFont(font)
        self.heading_font.setBold(True)
        self.heading_metrics = QFontMetricsF(self.heading_font)
        self.metrics = QFontMetricsF(font)
        self.char_width = max(self.metrics.horizontalAdvance("M"), 1.0)
        self.row_height = int(self.metrics.height()) + 4

    def gutter_width(self) -> int:
        """Width of the line numbers and the change mark, sized for the longest number."""
        digits = max(len(str(self.max_number)), 3)
        return int(self.char_width * (digits + 3)) + 8

    def column_x(self, text: str, offset: int) -> float:
        """Where character ``offset`` of ``text`` lies in a row scrolled fully left."""
        metrics = self.heading_metrics if text.startswith("#") else self.metrics
        if len(text) > _LONG_LINE:
            return self.gutter_width() + 6 + offset * self.char_width
        return (
            self.gutter_width() + 6 + metrics.horizontalAdvance(text[:offset].translate(_INVISIBLE))
        )

    def content_width(self) -> int:
        """Width of a row holding the longest line of either side."""
        return self.gutter_width() + int(self.char_width * (self.max_length + 2)) + 12

    def sizeHint(self, _option: QStyleOptionViewItem, _index: _Index) -> QSize:  # noqa: N802
        """Every row alike: the longest line of either side, one line high."""
        return QSize(self.content_width(), self.row_height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """Background by kind, marked words, fixed gutter; only the visible stretch of a long line."""
        model = index.model()
        if not isinstance(model, DiffRowsModel) or model.diff is None:
            return
        tag, number, text, spans = model.cell(index.row(), self.side)
        rect = option.rect
        widget = option.widget
        viewport_width = widget.width() if widget is not None else rect.width()
        palette = option.palette
        painter.save()
        painter.setFont(self.font)
        gutter = self.gutter_width()
        row_rect = QRect(0, rect.top(), viewport_width, rect.height())
        painter.fillRect(row_rect, palette.color(QPalette.ColorRole.Base))
        changed = tag != "equal"
        line_colour = DELETED if self.side == 0 else INSERTED
        if number is None:
            painter.fillRect(row_rect, QBrush(FILLER, Qt.BrushStyle.BDiagPattern))
        elif changed:
            painter.fillRect(row_rect, line_colour)
        if option.state & QStyle.StateFlag.State_Selected:
            # A light wash and a frame: the change colours stay readable under the selection.
            highlight = QColor(palette.color(QPalette.ColorRole.Highlight))
            highlight.setAlpha(40)
            painter.fillRect(row_rect, highlight)
            highlight.setAlpha(160)
            painter.setPen(highlight)
            painter.drawRect(row_rect.adjusted(0, 0, -1, -1))
        row = _RowPainting(painter, rect, palette, gutter, viewport_width)
        if number is not None and text:
            painter.setClipRect(QRect(gutter, rect.top(), viewport_width, rect.height()))
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            self._paint_text(row, text, spans, tag)
            painter.setClipping(False)
        self._paint_gutter(row, number, changed)
        painter.restore()

    def _paint_text(
        self, row: _RowPainting, text: str, spans: tuple[tuple[int, int], ...], tag: str
    ) -> None:
        painter, rect, viewport_width = row.painter, row.rect, row.viewport_width
        text_x = row.gutter + 6 + rect.x()
        # Headings (Markdown "#" lines) in bold, so that the sections stand out.
        heading = text.startswith("#")
        metrics = self.heading_metrics if heading else self.metrics
        painter.setFont(self.heading_font if heading else self.font)
        shown = text.translate(_INVISIBLE)
        long_line = len(shown) > _LONG_LINE
        first = 0
        if long_line:
            # Only the stretch on screen is drawn (fixed-width font: columns are exact enough).
            first = max(0, int((-text_x) / self.char_width) - 2)
            shown = shown[first : first + int(viewport_width / self.char_width) + 4]

        def x_of(offset: int) -> float:
            if long_line:
                return text_x + offset * self.char_width
            return text_x + metrics.horizontalAdvance(shown[:offset])

        if tag == "replace":
            colour = DELETED_WORDS if self.side == 0 else INSERTED_WORDS
            for start, end in spans:
                left = x_of(max(start, first))
                right = x_of(min(end, first + len(shown)))
                if right > left:
                    painter.fillRect(
                        QRectF(left, rect.top() + 1, right - left, rect.height() - 2), colour
                    )
        baseline = rect.top() + (rect.height() + metrics.ascent() - metrics.descent()) / 2
        painter.drawText(QPointF(x_of(first), baseline), shown)

    def _paint_gutter(self, row: _RowPainting, number: int | None, changed: bool) -> None:
        painter, rect, gutter, palette = row.painter, row.rect, row.gutter, row.palette
        area = QRect(0, rect.top(), gutter, rect.height())
        painter.fillRect(area, palette.color(QPalette.ColorRole.AlternateBase))
        if number is None:
            painter.fillRect(area, QBrush(FILLER, Qt.BrushStyle.BDiagPattern))
            return
        if changed:
            colour = DELETED_WORDS if self.side == 0 else INSERTED_WORDS
            painter.fillRect(QRect(gutter - 4, rect.top(), 4, rect.height()), colour)
        faint = QColor(palette.color(QPalette.ColorRole.Text))
        faint.setAlpha(140)
        painter.setPen(faint)
        painter.setFont(self.font)
        mark = ("−" if self.side == 0 else "+") if changed else " "
        painter.drawText(
            QRect(2, rect.top(), gutter - 10, rect.height()),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            f"{number} {mark}",
        )
