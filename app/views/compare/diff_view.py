"""Two card texts side by side: aligned rows, filler, changed words marked, scrolling locked.

Each side is a ``QListView`` over one column of the same
:class:`~countersign.views.compare.diff_rows.DiffRowsModel`, with uniform row heights, so only
the rows on screen are ever read or drawn and a 50,000-line card scrolls as
fast as a short one.  The two views' scroll bars drive each other, and a
narrow map between them marks every change in the whole text (click it to go
there).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QTableView, QWidget

from countersign.services.diff.text_diff import TextDiff
from countersign.views.compare.diff_rows import (
    DELETED_WORDS,
    INSERTED_WORDS,
    LINE_NUMBER_ROLE,
    SIDES,
    DiffLineDelegate,
    DiffRowsModel,
)

CONTEXT_ROWS = 3
"""Rows shown above a change the officer goes to."""

CHANGED_MARK = QColor(201, 138, 18, 200)
"""The colour of a changed (not only deleted or inserted) stretch on the map."""


class DiffSideView(QTableView):
    """One side of the comparison: the model's column for this side, rows of one height.

    A table view with fixed row heights reads and draws only the rows on screen
    (a list view would lay out every row first), and its one wide column
    scrolls sideways to the end of the longest line.
    """

    def __init__(self, side: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.side = side
        self.line_delegate = DiffLineDelegate(side, self)
        self.setItemDelegate(self.line_delegate)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.setCornerButtonEnabled(False)
        self.horizontalHeader().hide()
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setMinimumSectionSize(1)
        rows.setDefaultSectionSize(self.line_delegate.row_height)
        self.setFont(self.line_delegate.font)
        self.setAccessibleName(SIDES[side])
        copy = QShortcut(QKeySequence.StandardKey.Copy, self)
        copy.setContext(Qt.ShortcutContext.WidgetShortcut)
        copy.activated.connect(self.copy_selection)

    def fit_column(self) -> None:
        """Make this side's column as wide as the longest line (at least the view)."""
        if self.model() is None:
            return
        self.setColumnHidden(1 - self.side, True)
        self.setColumnHidden(self.side, False)
        width = self.line_delegate.content_width()
        self.setColumnWidth(self.side, max(width, self.viewport().width()))
        self.updateGeometries()  # the scroll ranges now, not at the next layout pass

    def scrollTo(  # noqa: N802 - Qt API
        self,
        index: QModelIndex | QPersistentModelIndex,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        """Scroll up or down to ``index`` only: the sideways position stays where the officer left it."""
        sideways = self.horizontalScrollBar().value()
        super().scrollTo(index, hint)
        self.horizontalScrollBar().setValue(sideways)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """Keep the column at least as wide as the view."""
        super().resizeEvent(event)
        self.fit_column()

    def selected_text(self) -> str:
        """The selected lines of this side, in order, filler left out."""
        rows = sorted({index.row() for index in self.selectionModel().selectedRows(self.side)})
        model = self.model()
        lines = []
        for row in rows:
            index = model.index(row, self.side)
            if index.data(LINE_NUMBER_ROLE) is not None:
                lines.append(index.data())
        return "\n".join(lines)

    def copy_selection(self) -> None:
        """Put the selected lines on the clipboard."""
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)


class ChangeMap(QWidget):
    """A strip marking where every change lies in the whole text; a click goes there."""

    row_clicked = Signal(int)
    """The officer clicked the map at this row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedWidth(14)
        self.setAccessibleName("Map of the changes")
        self.setToolTip("Where the changes are; click to go there")
        self._rows = 0
        self._marks: list[tuple[int, int, str]] = []
        self._visible = (0, 0)
        self._picture: QPixmap | None = None

    def set_diff(self, diff: TextDiff | None) -> None:
        """Mark the changes of ``diff``."""
        self._rows = diff.row_count if diff is not None else 0
        self._marks = []
        if diff is not None:
            for start, end in diff.changes:
                tags = {diff.block_at(start).tag, diff.block_at(end - 1).tag}
                kind = (
                    "delete"
                    if tags == {"delete"}
                    else "insert"
                    if tags == {"insert"}
                    else "replace"
                )
                self._marks.append((start, end, kind))
        self._picture = None
        self.update()

    def set_visible_rows(self, first: int, count: int) -> None:
        """Show which rows are on screen."""
        self._visible = (first, count)
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        """The changes as coloured bars (drawn once per size), the visible stretch as a frame."""
        painter = QPainter(self)
        if self._picture is None or self._picture.deviceIndependentSize() != self.size().toSizeF():
            self._picture = self._draw_marks()
        painter.drawPixmap(0, 0, self._picture)
        if self._rows:
            first, count = self._visible
            frame = QColor(self.palette().color(QPalette.ColorRole.Text))
            frame.setAlpha(90)
            painter.setPen(frame)
            height = self.height()
            painter.drawRect(
                QRectF(
                    0.5,
                    first * height / self._rows,
                    self.width() - 1,
                    max(count * height / self._rows, 3.0),
                )
            )
        painter.end()

    def _draw_marks(self) -> QPixmap:
        ratio = self.devicePixelRatioF()
        picture = QPixmap(self.size() * ratio)
        picture.setDevicePixelRatio(ratio)
        picture.fill(self.palette().color(QPalette.ColorRole.AlternateBase))
        if not self._rows or self.height() <= 0:
            return picture
        # One mark per pixel row at most: thousands of changes cost a few hundred fills.
        height = self.height()
        pixels: dict[int, str] = {}
        for start, end, kind in self._marks:
            top = int(start * height / self._rows)
            bottom = max(int(end * height / self._rows), top + 2)
            for y in range(top, min(bottom, height)):
                pixels[y] = kind if pixels.get(y, kind) == kind else "replace"
        painter = QPainter(picture)
        run_start, run_kind = -1, ""
        for y in [*range(height), height]:
            kind = pixels.get(y, "")
            if kind != run_kind:
                if run_kind:
                    colour = {"delete": DELETED_WORDS, "insert": INSERTED_WORDS}.get(
                        run_kind, CHANGED_MARK
                    )
                    painter.fillRect(QRectF(1, run_start, self.width() - 2, y - run_start), colour)
                run_start, run_kind = y, kind
        painter.end()
        return picture

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        """Go to the row under the click."""
        if self._rows and self.height():
            row = int(event.position().y() * self._rows / self.height())
            self.row_clicked.emit(min(max(row, 0), self._rows - 1))


class SideBySideDiff(QWidget):
    """The old and the new text side by side, rows aligned, scrolling and selection locked."""

    current_change_changed = Signal(int, int)
    """The change the officer is at (0-based, -1 for none) and how many there are."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = DiffRowsModel(self)
        self.left = DiffSideView(0, self)
        self.right = DiffSideView(1, self)
        self.change_map = ChangeMap(self)
        for view in (self.left, self.right):
            view.setModel(self.model)
            view.fit_column()
            view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)
        self._syncing = False
        self._current_change = -1
        for one, other in ((self.left, self.right), (self.right, self.left)):
            one.verticalScrollBar().valueChanged.connect(
                lambda value, o=other: self._follow(o.verticalScrollBar(), value)
            )
            one.horizontalScrollBar().valueChanged.connect(
                lambda value, o=other: self._follow(o.horizontalScrollBar(), value)
            )
        self.left.verticalScrollBar().valueChanged.connect(self._on_scroll_value_changed)
        self.left.verticalScrollBar().rangeChanged.connect(self._on_scroll_value_changed)
        self.change_map.row_clicked.connect(self._on_change_map_row_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.left, 1)
        layout.addWidget(self.change_map)
        layout.addWidget(self.right, 1)

    @property
    def diff(self) -> TextDiff | None:
        """The diff shown."""
        return self.model.diff

    def set_diff(self, diff: TextDiff | None) -> None:
        """Show ``diff`` from its top."""
        for view in (self.left, self.right):
            delegate = view.line_delegate
            delegate.max_length = (
                max(
                    (
                        max(map(len, lines), default=0)
                        for lines in (diff.left_lines, diff.right_lines)
                    ),
                    default=0,
                )
                if diff is not None
                else 0
            )
            delegate.max_number = (
                max(len(diff.left_lines), len(diff.right_lines)) if diff is not None else 0
            )
        self.model.set_diff(diff)
        for view in (self.left, self.right):
            view.fit_column()
        self.change_map.set_diff(diff)
        self._current_change = -1
        for view in (self.left, self.right):
            view.scrollToTop()
            view.horizontalScrollBar().setValue(0)
        self.current_change_changed.emit(-1, len(diff.changes) if diff is not None else 0)

    def go_to_row(self, row: int) -> None:
        """Scroll ``row`` near the top (with a few rows above it) and make it current on both sides."""
        if self.diff is None or not 0 <= row < self.diff.row_count:
            return
        self.left.verticalScrollBar().setValue(max(row - CONTEXT_ROWS, 0))
        self._set_current(row)
        self._reveal_change_in(row)

    def next_change(self) -> bool:
        """Go to the next change below the current row; False when there is none."""
        if self.diff is None:
            return False
        target = self.diff.next_change(self._position())
        if target is None:
            return False
        self.go_to_row(target)
        return True

    def previous_change(self) -> bool:
        """Go to the change above the current row; False when there is none."""
        if self.diff is None:
            return False
        position = self._position()
        index = self.diff.change_index(position)
        start = self.diff.changes[index][0] if index is not None else position
        target = self.diff.previous_change(start)
        if target is None:
            return False
        self.go_to_row(target)
        return True

    def top_row(self) -> int:
        """The first row on screen."""
        return self.left.verticalScrollBar().value()

    def visible_rows(self) -> int:
        """How many rows fit on screen."""
        return max(self.left.viewport().height() // max(self.left.line_delegate.row_height, 1), 1)

    # -- internals ------------------------------------------------------------------

    def _position(self) -> int:
        current = self.left.currentIndex()
        top = self.top_row()
        if current.isValid() and top <= current.row() < top + self.visible_rows():
            return current.row()
        # The current row is off screen: the officer scrolled away, so go from what is shown.
        return top - 1 if top == 0 else top + CONTEXT_ROWS - 1

    def _set_current(self, row: int) -> None:
        self._syncing = True
        try:
            for view in (self.left, self.right):
                view.selectionModel().setCurrentIndex(
                    self.model.index(row, view.side),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect,
                )
        finally:
            self._syncing = False
        self._announce_change(row)

    def _announce_change(self, row: int) -> None:
        index = self.diff.change_index(row) if self.diff is not None else None
        if index is None and self.diff is not None:
            # Between changes: the last one above counts as where the officer is.
            previous = self.diff.previous_change(row + 1)
            index = self.diff.change_index(previous) if previous is not None else None
        self._current_change = -1 if index is None else index
        count = len(self.diff.changes) if self.diff is not None else 0
        self.current_change_changed.emit(self._current_change, count)

    def _reveal_change_in(self, row: int) -> None:
        """Scroll sideways so that the first changed word of ``row`` is in view."""
        delegate = self.left.line_delegate
        width = self.left.viewport().width()
        target = 0
        for side in (0, 1):
            cell = self.model.cell(row, side)
            if cell.spans:
                x = delegate.column_x(cell.text, cell.spans[0][0])
                if x > width - 2 * delegate.char_width:
                    target = int(x - width / 4)
                break
        self.left.horizontalScrollBar().setValue(target)

    def _follow(self, bar: Any, value: int) -> None:
        if bar.value() != value:
            bar.setValue(value)

    def _on_view_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        self._set_current(current.row())

    def _on_scroll_value_changed(self, *_args: int) -> None:
        self.change_map.set_visible_rows(self.top_row(), self.visible_rows())

    def _on_change_map_row_clicked(self, row: int) -> None:
        self.go_to_row(row)
