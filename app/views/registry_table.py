"""The registry browser's item models: models page by page, and search hits ranked.

Both are thin views over :class:`app.services.registry.Registry`.  The models
table never holds the whole registry: it fetches a page at a time by keyset
(the sort value and id of the last row shown), and sorting asks the registry
again in the new order instead of sorting rows in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from app.services.registry import SORT_KEYS, ModelFilter, ModelSummary, Registry, SearchHit, SortKey
from app.views.presentation import local_date, local_time, status_icon

PAGE_SIZE = 200
"""Rows fetched per page: a few screens' worth, found by keyset in constant time."""

HEADERS = ("Name", "Team", "Risk tier", "Latest", "Status", "Last activity")
"""Column titles, in the order of :data:`SORT_KEYS`."""

SEARCH_HEADERS = ("Model", "Version", "Team", "Risk tier", "Status", "Last activity")
"""Column titles while the table shows search hits."""

HEADER_TIPS = (
    "The model's name",
    "The team that sent the model",
    "The risk tier stated in the latest card",
    "The newest card version",
    "The status of the newest card version",
    "When the model last changed",
)
SEARCH_HEADER_TIPS = (
    "The model's name",
    "The card version whose text matched",
    *HEADER_TIPS[1:3],
    *HEADER_TIPS[4:],
)

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
"""Data role giving the model name of a row (either table)."""

VERSION_ROLE = Qt.ItemDataRole.UserRole + 2
"""Data role giving the card version of a row: the latest, or the one a search matched."""

_Index = QModelIndex | QPersistentModelIndex


def _summary_cell(summary: ModelSummary, key: SortKey) -> str:
    if key == "last_activity":
        return local_date(summary.last_activity)
    value: str = getattr(summary, key)
    return value


class ModelsTableModel(QAbstractTableModel):
    """Models of the registry in a chosen order and filter, fetched lazily a page at a time."""

    def __init__(
        self, registry: Registry, parent: QObject | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(parent)
        self._registry = registry
        self._page_size = page_size
        self._rows: list[ModelSummary] = []
        self._exhausted = False
        self._filters = ModelFilter()
        self._sort: SortKey = "name"
        self._descending = False
        self._announcing = False
        self._load_first_page()

    # -- what to show -----------------------------------------------------------

    @property
    def filters(self) -> ModelFilter:
        """The filter in force."""
        return self._filters

    @property
    def sort_key(self) -> SortKey:
        """The column the rows are ordered by."""
        return self._sort

    @property
    def descending(self) -> bool:
        """Whether the order is reversed."""
        return self._descending

    def set_filters(self, filters: ModelFilter) -> None:
        """Show only the models matching ``filters`` (asks the registry again)."""
        if filters != self._filters:
            self._filters = filters
            self.reload()

    def reload(self) -> None:
        """Forget every row and fetch the first page again (after an import, say)."""
        # Listeners of a change (views, the model tester) may ask for more rows while it is
        # announced; inserting rows then would nest changes and break their bookkeeping.
        self._announcing = True
        try:
            self.beginResetModel()
            self._load_first_page()
            self.endResetModel()
        finally:
            self._announcing = False

    def summary(self, row: int) -> ModelSummary:
        """The model shown on ``row``."""
        return self._rows[row]

    def row_of(self, name: str) -> int | None:
        """The row showing model ``name`` among those fetched so far, if any."""
        for row, summary in enumerate(self._rows):
            if summary.name == name:
                return row
        return None

    # -- Qt item model ---------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """Rows fetched so far."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """The six browser columns."""
        return 0 if parent.isValid() else len(SORT_KEYS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, the status colour, and the name and version of the row."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        summary = self._rows[index.row()]
        key = SORT_KEYS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _summary_cell(summary, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "name":
                plural = "s" if summary.version_count != 1 else ""
                return f"{summary.name}: {summary.version_count} card version{plural}"
            if key == "last_activity":
                return local_time(summary.last_activity)
            return None
        if role == Qt.ItemDataRole.DecorationRole and key == "status":
            return status_icon(summary.status)
        if role == NAME_ROLE:
            return summary.name
        if role == VERSION_ROLE:
            return summary.latest_version
        return None

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(HEADERS)
        ):
            return HEADERS[section]
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.ToolTipRole
            and 0 <= section < len(HEADER_TIPS)
        ):
            return HEADER_TIPS[section]
        return None

    def canFetchMore(self, parent: _Index) -> bool:  # noqa: N802 - Qt API
        """Whether the registry may hold more rows than fetched so far."""
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: _Index) -> None:  # noqa: N802 - Qt API
        """Fetch the next page, found by keyset after the last row shown."""
        if parent.isValid() or self._exhausted or self._announcing:
            return
        page = self._next_page()
        if page:
            start = len(self._rows)
            self._announcing = True
            try:
                self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
                self._rows.extend(page)
                self.endInsertRows()
            finally:
                self._announcing = False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Ask the registry for the rows in the order of ``column`` (never sorted in memory)."""
        if not 0 <= column < len(SORT_KEYS):
            return
        key = SORT_KEYS[column]
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = key, descending
        # A new first page, not the old rows moved: a reset, not a layout change.
        self.reload()

    # -- paging -------------------------------------------------------------------

    def _load_first_page(self) -> None:
        self._rows = []
        self._exhausted = False
        self._rows = self._next_page()

    def _next_page(self) -> list[ModelSummary]:
        after = None
        if self._rows:
            last = self._rows[-1]
            after = (str(getattr(last, self._sort)), last.id)
        page = self._registry.models(
            self._filters,
            sort=self._sort,
            descending=self._descending,
            limit=self._page_size,
            after=after,
        )
        if len(page) < self._page_size:
            self._exhausted = True
        return page


@dataclass(frozen=True)
class SearchRow:
    """One search hit with its model's browser facts (absent if the model vanished)."""

    hit: SearchHit
    summary: ModelSummary | None


class SearchResultsModel(QAbstractTableModel):
    """Card versions matching a full-text search, in the registry's rank order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[SearchRow] = []
        self._text = ""

    @property
    def text(self) -> str:
        """The search the hits answer."""
        return self._text

    def set_results(self, text: str, rows: list[SearchRow]) -> None:
        """Show ``rows`` (best first) as the answer to ``text``."""
        self.beginResetModel()
        self._text = text
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing."""
        self.set_results("", [])

    def search_row(self, row: int) -> SearchRow:
        """The hit shown on ``row``."""
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """How many hits are shown."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """The six browser columns, with the matching version second."""
        return 0 if parent.isValid() else len(SEARCH_HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, the status colour, and the name and matching version of the row."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (0, 1):
            return (
                f"{row.hit.model} {row.hit.version} matches “{self._text}” (rank {index.row() + 1})"
            )
        if role == Qt.ItemDataRole.FontRole and column == 1:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and column == 4 and row.summary is not None:
            return status_icon(row.summary.status)
        if role == NAME_ROLE:
            return row.hit.model
        if role == VERSION_ROLE:
            return row.hit.version
        return None

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(SEARCH_HEADERS)
        ):
            return SEARCH_HEADERS[section]
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.ToolTipRole
            and 0 <= section < len(SEARCH_HEADER_TIPS)
        ):
            return SEARCH_HEADER_TIPS[section]
        return None

    @staticmethod
    def _cell(row: SearchRow, column: int) -> str:
        if column == 0:
            return row.hit.model
        if column == 1:
            return row.hit.version
        if row.summary is None:
            return ""
        key: SortKey = ("team", "risk_tier", "status", "last_activity")[column - 2]
        return _summary_cell(row.summary, key)
