"""Tables over a list of rows: the item model that holds the list, and the table's set-up.

Most tables of the workstation show a short list a service hands over whole
(a card version's attachments, a model's versions, the sign-offs of a round),
or a list that grows a page at a time.  :class:`ListTableModel` holds that
list and answers Qt's questions about rows, columns and titles, so a screen's
model says only what each cell shows.  :func:`set_up_row_table` gives a table
the look every such list has: whole rows chosen one at a time, no grid, no
row numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

T = TypeVar("T")

_Index = QModelIndex | QPersistentModelIndex


class ListTableModel(QAbstractTableModel, Generic[T]):
    """Rows of one kind held in a list, one column per header; a subclass says what cells show.

    A subclass implements :meth:`cell` (or overrides :meth:`data` when a cell
    depends on the row's position).  A model that fetches more rows later
    extends ``_rows`` between ``beginInsertRows`` and ``endInsertRows``.
    """

    def __init__(
        self,
        headers: Sequence[str],
        parent: QObject | None = None,
        *,
        header_tips: Sequence[str | None] = (),
    ) -> None:
        super().__init__(parent)
        self._headers = tuple(headers)
        self._header_tips = tuple(header_tips)
        self._rows: list[T] = []

    def set_rows(self, rows: Iterable[T]) -> None:
        """Show ``rows`` in place of the rows shown."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def item(self, row: int) -> T:
        """What ``row`` shows."""
        return self._rows[row]

    def refresh(self) -> None:
        """Repaint every row after what they show changed in place."""
        if self._rows:
            last = self.index(len(self._rows) - 1, len(self._headers) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def cell(self, item: T, column: int, role: int) -> Any:
        """What ``item`` shows in ``column`` for ``role`` (None: nothing)."""
        raise NotImplementedError

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """How many rows there are (fetched so far, for a model that fetches more)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """One column per header."""
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """What the cell at ``index`` shows for ``role``, from :meth:`cell`."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        return self.cell(self._rows[index.row()], index.column(), role)

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles, and their tooltips where given."""
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._headers):
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole and 0 <= section < len(self._header_tips):
            return self._header_tips[section]
        return None


def set_up_row_table(
    table: QTableView,
    model: QAbstractItemModel,
    name: str,
    widths: Sequence[int] = (),
) -> None:
    """Show ``model`` in ``table`` as a list of rows chosen one at a time, named ``name``.

    No grid, no row numbers, no word wrap; Tab leaves the table (arrows move
    within it).  ``widths`` are the first columns' widths; the last column
    takes the room left.
    """
    table.setAccessibleName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for column, width in enumerate(widths):
        header.resizeSection(column, width)
