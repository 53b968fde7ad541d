"""The registry browser's item models: every model in pages, and search hits ranked.

Both are thin views over :class:`countersign.services.registry.Registry`.  The models
table never holds the whole registry: it knows how many rows match (one
indexed count) and keeps a few dozen pages of them, fetching a page when one
of its rows is shown (by keyset after the page before it, or by offset for a
jump), and sorting asks the registry again in the new order instead of
sorting rows in memory.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from countersign.errors import CountersignError
from countersign.models.registry_rows import (
    SORT_KEYS,
    ModelFilter,
    ModelOrder,
    ModelSummary,
    SortKey,
)
from countersign.models.safe_text import display_text
from countersign.models.vocabulary import StageStatus
from countersign.views.presentation import local_date, local_time, status_icon
from countersign.views.registry.snippet import SNIPPET_ROLE
from countersign.views.widgets.list_table import ListTableModel

if TYPE_CHECKING:
    from countersign.services.registry import SearchHit

PAGE_SIZE = 100
"""Rows fetched per page: two or three screens' worth, read in a few milliseconds."""

CACHED_PAGES = 64
"""Pages kept at most (the least recently shown go first): a few thousand rows."""

HEADERS = ("Name", "Team", "Risk tier", "Latest", "Status", "Last activity")
"""Column titles, in the order of :data:`SORT_KEYS`."""

SEARCH_HEADERS = ("Model", "Version", "Status", "Match")
"""Column titles while the table shows search hits."""

HEADER_TIPS = (
    "The model's name",
    "The team that sent the model",
    "The officer's risk classification, else the risk tier the latest card states",
    "The newest card version",
    "What is approved for each stage and what is in review (else the newest version's status)",
    "When the model last changed",
)
SEARCH_HEADER_TIPS = (
    "The model's name (its team and risk tier in the tooltip)",
    "The card version whose text matched",
    "The status of the card version that matched",
    "The words of the card around those searched for, which are highlighted",
)

MODEL_COLUMN_WIDTHS = (0, 96, 60, 48, 154, 84)
"""Widths of the models table's columns after the name, which takes the rest."""

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
"""Data role giving the model name of a row (either table)."""

VERSION_ROLE = Qt.ItemDataRole.UserRole + 2
"""Data role giving the card version of a row: the latest, or the one a search matched."""

_Index = QModelIndex | QPersistentModelIndex

_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.DecorationRole,
        NAME_ROLE,
        VERSION_ROLE,
    }
)


def models_table(parent: QWidget) -> QTableView:
    """The models table's view (whole rows, one at a time), named as the browser's is."""
    table = QTableView(parent)
    table.setAccessibleName("Models")
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.setShowGrid(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    return table


def lay_out_columns(table: QTableView, widths: tuple[int, ...], row_height: int) -> None:
    """Size ``table``'s columns (a width of 0 takes what is left) and its rows."""
    header = table.horizontalHeader()
    # A new model resets the sections: lay them out again.
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column, width in enumerate(widths):
        if width:
            header.resizeSection(column, width)
        else:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setDefaultSectionSize(row_height)


class ModelRows(Protocol):
    """Where the models table reads its rows: the registry service, or a first look at it."""

    def count_models(self, filters: ModelFilter | None = None) -> int:
        """How many models match ``filters``."""

    def models(
        self,
        filters: ModelFilter | None = None,
        *,
        order: ModelOrder = ...,
        offset: int = 0,
        limit: int = 200,
        after: tuple[str, int] | None = None,
    ) -> list[ModelSummary]:
        """A page of models in ``order`` (after a keyset, or from an offset)."""

    def model_position(
        self, name: str, filters: ModelFilter | None = None, *, order: ModelOrder = ...
    ) -> int | None:
        """The row of model ``name`` in ``order``, or None."""

    def stage_summaries(self, model_ids: list[int]) -> dict[int, str]:
        """What is approved where, in words, for each model id."""


NOT_STATED = "—"
"""Shown for a team or risk tier the cards do not state (an empty cell reads as missing data)."""


def _summary_tip(summary: ModelSummary, key: str, where: str) -> str | None:
    """A model cell's tooltip: the stages with the newest status, the version count, the time."""
    if where:
        return f"{where}; newest version {summary.latest_version}: {summary.status}"
    if key == "name":
        plural = "s" if summary.version_count != 1 else ""
        return f"{display_text(summary.name)}: {summary.version_count} card version{plural}"
    if key == "last_activity":
        return local_time(summary.last_activity)
    if key in ("team", "risk_tier") and not getattr(summary, key):
        return "Not stated in the card"
    return None


def _dot_status(status: str, where: str) -> str:
    """The status whose colour the row's dot takes: an expired approval shows as expired."""
    expired = any(part.endswith(" expired") for part in where.split(" · "))
    return StageStatus.EXPIRED if expired else status


def _summary_cell(summary: ModelSummary, key: SortKey) -> str:
    if key == "last_activity":
        return local_date(summary.last_activity)
    value: str = getattr(summary, key)
    return display_text(value) if value else NOT_STATED


class ModelsTableModel(QAbstractTableModel):
    """Every model of the registry in a chosen order and filter, fetched a page at a time.

    The table is sized from one indexed count, so the scroll bar is true from
    the start and any row can be reached at once.  Rows live in a bounded
    cache of pages: a page missing when a row is asked for is fetched by
    keyset after the previous page when that one is cached (scrolling down),
    otherwise by offset (a jump).
    """

    def __init__(
        self,
        registry: ModelRows,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
        cached_pages: int = CACHED_PAGES,
    ) -> None:
        super().__init__(parent)
        self._registry = registry
        self._page_size = page_size
        self._cached_pages = max(cached_pages, 2)
        self._pages: OrderedDict[int, list[ModelSummary]] = OrderedDict()
        self._stages: dict[int, str] = {}  # model id -> what is approved where, for cached pages
        self._recent = -1
        self._count = 0
        self._filters = ModelFilter()
        self._sort: SortKey = "name"
        self._descending = False
        self._count = self._registry.count_models(self._filters)

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

    @property
    def cached_page_numbers(self) -> list[int]:
        """The pages held now, least recently used first (for tests and benchmarks)."""
        return list(self._pages)

    def set_filters(self, filters: ModelFilter) -> None:
        """Show only the models matching ``filters`` (asks the registry again)."""
        if filters != self._filters:
            self._filters = filters
            self.reload()

    def reload(self) -> None:
        """Forget every row and count again (after an import, say); pages come back when shown."""
        self.beginResetModel()
        self._pages.clear()
        self._stages.clear()
        self._recent = -1
        self._count = self._registry.count_models(self._filters)
        self.endResetModel()

    def summary(self, row: int) -> ModelSummary | None:
        """The model shown on ``row`` (fetching its page if need be); None past the end."""
        if not 0 <= row < self._count:
            return None
        page_no, offset = divmod(row, self._page_size)
        page = self._page(page_no)
        return page[offset] if offset < len(page) else None

    def row_of(self, name: str) -> int | None:
        """The row of model ``name`` in the current order and filter, or None if not shown."""
        for page_no, page in self._pages.items():
            for offset, summary in enumerate(page):
                if summary.name == name:
                    return page_no * self._page_size + offset
        row = self._registry.model_position(
            name, self._filters, order=ModelOrder(self._sort, self._descending)
        )
        return row if row is not None and row < self._count else None

    # -- Qt item model ---------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """Every model matching the filter, whether its page is fetched yet or not."""
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """The six browser columns."""
        return 0 if parent.isValid() else len(SORT_KEYS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, the status colour, and the name and version of the row."""
        if not index.isValid() or role not in _ROLES:
            return None
        summary = self.summary(index.row())
        if summary is None:
            return None
        key = SORT_KEYS[index.column()]
        where = display_text(self._stages.get(summary.id, "")) if key == "status" else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return where or _summary_cell(summary, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _summary_tip(summary, key, where)
        if role == Qt.ItemDataRole.DecorationRole:
            return status_icon(_dot_status(summary.status, where)) if key == "status" else None
        if role == NAME_ROLE:
            return summary.name
        return summary.latest_version  # VERSION_ROLE

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Ask the registry for the rows in the order of ``column`` (never sorted in memory)."""
        if not 0 <= column < len(SORT_KEYS):
            return
        key = SORT_KEYS[column]
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = key, descending
        # Other rows, not the old rows moved: a reset, not a layout change.
        self.reload()

    # -- paging -------------------------------------------------------------------

    def _page(self, page_no: int) -> list[ModelSummary]:
        page = self._pages.get(page_no)
        if page is not None:
            # A repaint asks for the same page hundreds of times: mark it used once.
            if page_no != self._recent:
                self._pages.move_to_end(page_no)
                self._recent = page_no
            return page
        previous = self._pages.get(page_no - 1)
        try:
            if previous is not None and len(previous) == self._page_size:
                # Scrolling down: found from the previous page's last row, however deep.
                last = previous[-1]
                page = self._registry.models(
                    self._filters,
                    order=ModelOrder(self._sort, self._descending),
                    limit=self._page_size,
                    after=(str(getattr(last, self._sort)), last.id),
                )
            else:
                page = self._registry.models(
                    self._filters,
                    order=ModelOrder(self._sort, self._descending),
                    limit=self._page_size,
                    offset=page_no * self._page_size,
                )
            stages = self._registry.stage_summaries([summary.id for summary in page])
        except CountersignError:
            # The registry could not be read just now: show blank rows, ask again on next paint.
            return []
        self._stages.update(stages)
        self._pages[page_no] = page
        self._recent = page_no
        while len(self._pages) > self._cached_pages:
            self._pages.popitem(last=False)
        return page


@dataclass(frozen=True)
class SearchRow:
    """One search hit with its model's browser facts (absent if the model vanished)."""

    hit: SearchHit
    summary: ModelSummary | None


class SearchResultsModel(ListTableModel[SearchRow]):
    """Card versions matching a full-text search, in the registry's rank order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(SEARCH_HEADERS, parent, header_tips=SEARCH_HEADER_TIPS)
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
        return self.item(row)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, the status colour, the snippet, and the name and matching version of the row."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(row, index.row(), column)
        if role == Qt.ItemDataRole.FontRole and column == 1:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and column == 2:
            status = _hit_status(row)
            return status_icon(status) if status else None
        return _hit_role(row, role)

    def _tip(self, row: SearchRow, rank: int, column: int) -> str | None:
        if column == 3:
            return display_text(row.hit.snippet.text) or None
        if column not in (0, 1):
            return None
        tip = (
            f"{display_text(row.hit.model)} {display_text(row.hit.version)} matches "
            f"“{display_text(self._text)}” (rank {rank + 1})"
        )
        if row.summary is not None:
            tip += f"\nTeam: {display_text(row.summary.team) or '—'}"
            tip += f" · risk tier: {row.summary.risk_tier or '—'}"
        return tip

    @staticmethod
    def _cell(row: SearchRow, column: int) -> str:
        if column == 0:
            return display_text(row.hit.model)
        if column == 1:
            return display_text(row.hit.version)
        if column == 2:
            return _hit_status(row)
        return display_text(row.hit.snippet.text)


def _hit_role(row: SearchRow, role: int) -> Any:
    if role == NAME_ROLE:
        return row.hit.model
    if role == VERSION_ROLE:
        return row.hit.version
    if role == SNIPPET_ROLE:
        return row.hit.snippet
    return None


def _hit_status(row: SearchRow) -> str:
    # The matching version's own status: an old version is superseded whatever the newest is.
    return row.hit.status or (row.summary.status if row.summary is not None else "")
