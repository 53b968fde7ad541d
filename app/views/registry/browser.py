"""The registry browser: every model in a lazily fetched table, full-text search, filters.

The officer finds a model here, by scrolling, sorting, filtering by status,
team and risk tier, or by searching the text of every card.  A search shows
the matching card versions ranked, in place of the models.
"""

from __future__ import annotations

import typing

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.models.card import RiskRating
from countersign.models.vocabulary import CardStatus
from countersign.services.progress import Cancelled, Progress
from countersign.services.registry import ModelFilter, ModelSummary, NotFound, Registry
from countersign.services.storage.dialect import RANKED_AT_MOST
from countersign.views.background import BackgroundTask
from countersign.views.crash_dialog import show_failure
from countersign.views.icons import icon
from countersign.views.registry.snippet import SNIPPET_LINES, SnippetDelegate
from countersign.views.registry.table import (
    MODEL_COLUMN_WIDTHS,
    NAME_ROLE,
    VERSION_ROLE,
    ModelsTableModel,
    SearchResultsModel,
    SearchRow,
    lay_out_columns,
    models_table,
)

SEARCH_DELAY_MS = 250
"""How long typing must pause before the search runs."""

SELECTION_DELAY_MS = 120
"""How long the current row must stay put before its model is shown (arrow keys held down)."""

SEARCH_LIMIT = 100
"""How many ranked hits a search shows."""

_SEARCH_COLUMN_WIDTHS = (170, 48, 130, 0)
"""The same for the search hits: model, matching version, its status; the snippet takes the rest."""


class RegistryBrowser(QWidget):
    """The left side of the workstation: the models table with its search box and filters."""

    model_selected = Signal(str)
    """A model row became current (its latest card version is meant)."""
    version_selected = Signal(str, str)
    """A search hit became current: the model and the card version that matched."""
    model_opened = Signal(str)
    """The officer pressed Enter or double-clicked on a model: show its page."""

    def __init__(self, registry: Registry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._registry = registry
        self._search_generation = 0
        self._search_running = False

        self.models_model = ModelsTableModel(registry, self)
        self.search_model = SearchResultsModel(self)

        self._build_search_box()

        self.status_filter = self._combo(
            "All statuses", "Filter by status", [(s.label, s.value) for s in CardStatus]
        )
        self.team_filter = self._combo("All teams", "Filter by team", [])
        risk_tiers = [tier for tier in typing.get_args(RiskRating) if tier]
        self.risk_filter = self._combo(
            "All risk tiers", "Filter by risk tier", [(tier, tier) for tier in risk_tiers]
        )

        self.caption = QLabel(self)
        self.caption.setAccessibleName("What the table shows")
        self.caption.setWordWrap(True)

        self._build_table()

        filters = QHBoxLayout()
        filters.setSpacing(6)
        for combo in (self.status_filter, self.team_filter, self.risk_filter):
            filters.addWidget(combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 4)
        layout.setSpacing(6)
        layout.addWidget(self.search_box)
        layout.addLayout(filters)
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)

        self._start_timers()

        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self.search_box.returnPressed.connect(self._on_search_box_return_pressed)
        self.table.activated.connect(self._on_table_activated)
        for combo in (self.status_filter, self.team_filter, self.risk_filter):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self._update_caption()

    def _build_search_box(self) -> None:
        """The full-text search box (Ctrl+F)."""
        self.search_box = QLineEdit(self)
        self.search_box.setPlaceholderText("Search card text (Ctrl+F)")
        self.search_box.setAccessibleName("Search card text")
        self.search_box.setToolTip(
            "Full-text search over every card version; each word is a prefix. When more than "
            f"{RANKED_AT_MOST:,} card versions match, the best are found among the newest."
        )
        self.search_box.setClearButtonEnabled(True)
        self.search_box.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_box.installEventFilter(self)

    def _build_table(self) -> None:
        """The models table: whole rows, one at a time, sorted by the registry."""
        self.table = models_table(self)
        self.snippet_delegate = SnippetDelegate(self.table)
        self._show_table_model(self.models_model)

    def _start_timers(self) -> None:
        """Search once typing pauses; open a selected model once the selection settles."""
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(SELECTION_DELAY_MS)
        self._selection_timer.timeout.connect(self._on_selection_timer_timeout)

    # -- public -------------------------------------------------------------------

    @property
    def searching(self) -> bool:
        """Whether the table shows search hits rather than models."""
        return self.table.model() is self.search_model

    @property
    def search_pending(self) -> bool:
        """Whether a search is waiting for typing to pause or for its answer."""
        return self._search_timer.isActive() or self._search_running

    @property
    def selection_pending(self) -> bool:
        """Whether a new current row waits for the arrow keys to stop before it is announced."""
        return self._selection_timer.isActive()

    def focus_search(self) -> None:
        """Put the cursor in the search box, its text selected (Edit ▸ Find)."""
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def search(self, text: str) -> None:
        """Search for ``text`` at once, as if typed and Enter pressed."""
        self.search_box.setText(text)
        self._search_timer.stop()
        self._run_search()

    def set_teams(self, teams: list[str]) -> None:
        """Offer ``teams`` in the team filter, keeping the current choice if it is still there."""
        current = self.team_filter.currentData()
        self.team_filter.blockSignals(True)
        while self.team_filter.count() > 1:
            self.team_filter.removeItem(1)
        for team in teams:
            self.team_filter.addItem(team, team)
        found = self.team_filter.findData(current)
        self.team_filter.setCurrentIndex(max(found, 0))
        self.team_filter.blockSignals(False)
        if found < 0 and current:
            self._on_filter_changed()

    def refresh(self) -> None:
        """Ask the registry again (after an import), keeping the current model selected."""
        current = self.current_name()
        self.models_model.reload()
        if self.searching:
            self._run_search()
        elif current is not None:
            self.select_model(current)
        self._update_caption()

    def current_name(self) -> str | None:
        """The model on the current row, if any."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        name = index.data(NAME_ROLE)
        return str(name) if name is not None else None

    def select_model(self, name: str, *, announce: bool = True) -> bool:
        """Make the row of model ``name`` current, if the table shows it (however deep).

        With ``announce`` False the row is not announced as selected: the caller shows
        the model itself (at a version of its choosing).
        """
        model = self.table.model()
        if model is self.models_model:
            row = self.models_model.row_of(name)
        else:
            rows = range(model.rowCount())
            row = next((r for r in rows if model.index(r, 0).data(NAME_ROLE) == name), None)
        if row is None:
            return False
        index = model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        if not announce:
            self._selection_timer.stop()
        return True

    def current_filters(self) -> ModelFilter:
        """The filter the combos describe."""
        return ModelFilter(
            status=self.status_filter.currentData() or "",
            team=self.team_filter.currentData() or "",
            risk_tier=self.risk_filter.currentData() or "",
        )

    # -- events ---------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Down arrow in the search box moves to the table; Escape clears the search."""
        if watched is self.search_box and event.type() == QEvent.Type.KeyPress:
            key = typing.cast(QKeyEvent, event).key()
            if key == Qt.Key.Key_Down:
                self._focus_table()
                return True
            if key == Qt.Key.Key_Escape and self.search_box.text():
                self.search_box.clear()
                return True
        return super().eventFilter(watched, event)

    def _on_search_box_text_changed(self, text: str) -> None:
        if text.strip():
            self._search_timer.start()
        else:
            self._search_timer.stop()
            self._search_generation += 1
            self._search_running = False
            self._show_table_model(self.models_model)
            self._update_caption()

    def _on_search_box_return_pressed(self) -> None:
        self._search_timer.stop()
        self._run_search()
        self._focus_table()

    def _on_search_timer_timeout(self) -> None:
        self._run_search()

    def _on_filter_changed(self) -> None:
        filters = self.current_filters()
        self.models_model.set_filters(filters)
        if self.searching:
            self._run_search()
        self._update_caption()

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._selection_timer.start()

    def _on_selection_timer_timeout(self) -> None:
        self._announce_current()

    def _on_table_activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        self._selection_timer.stop()
        self._announce_current()
        self.model_opened.emit(str(index.data(NAME_ROLE)))

    # -- internals ------------------------------------------------------------------

    def _combo(
        self, everything: str, accessible_name: str, items: list[tuple[str, str]]
    ) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(accessible_name)
        combo.setToolTip(accessible_name)
        combo.addItem(everything, "")
        for text, value in items:
            combo.addItem(text, value)
        return combo

    def _show_table_model(self, model: ModelsTableModel | SearchResultsModel) -> None:
        if self.table.model() is model:
            return
        self.table.setModel(model)
        self.table.setItemDelegateForColumn(
            3, self.snippet_delegate if model is self.search_model else self.table.itemDelegate()
        )
        searching = model is self.search_model
        # A hit's row holds its snippet on two lines; a model's row, one line.
        metrics = self.fontMetrics()
        height = metrics.lineSpacing() * SNIPPET_LINES if searching else metrics.height()
        widths = _SEARCH_COLUMN_WIDTHS if searching else MODEL_COLUMN_WIDTHS
        lay_out_columns(self.table, widths, height + 10)
        self.table.setSortingEnabled(model is self.models_model)
        self.table.horizontalHeader().setSortIndicatorShown(model is self.models_model)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)

    def _focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.table.model().rowCount() > 0:
            self.table.selectionModel().setCurrentIndex(
                self.table.model().index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _announce_current(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            return
        name = str(index.data(NAME_ROLE))
        if self.searching:
            self.version_selected.emit(name, str(index.data(VERSION_ROLE)))
        else:
            self.model_selected.emit(name)

    def _run_search(self) -> None:
        text = self.search_box.text().strip()
        if not text:
            return
        self._search_generation += 1
        generation = self._search_generation
        self._search_running = True
        self._update_caption()
        registry = self._registry

        def work(_progress: Progress, _cancelled: Cancelled) -> list[SearchRow]:
            return _search_rows(registry, text)

        def succeeded(rows: list[SearchRow]) -> None:
            if generation == self._search_generation:
                self._search_running = False
                self._show_hits(text, rows)

        def failed(error: BaseException, trace: str) -> None:
            if generation != self._search_generation:
                return
            self._search_running = False
            if isinstance(error, CountersignError):
                self.caption.setText(f"The search could not run: {error}")
            else:
                show_failure(self, error, trace)

        task = BackgroundTask(work, on_success=succeeded, on_failure=failed, parent=self)
        task.finished.connect(task.deleteLater)
        task.start()

    def _show_hits(self, text: str, rows: list[SearchRow]) -> None:
        filters = self.current_filters()
        shown = [row for row in rows if _passes(row, filters)]
        self.search_model.set_results(text, shown)
        self._show_table_model(self.search_model)
        self._update_caption()

    def _update_caption(self) -> None:
        if self._search_running:
            self.caption.setText(f"Searching for “{self.search_box.text().strip()}”…")
        elif self.searching:
            count = self.search_model.rowCount()
            text = self.search_model.text
            if count == 0:
                self.caption.setText(f"No card matches “{text}”.")
            else:
                plural = "s" if count != 1 else ""
                limit = " (the best ones)" if count >= SEARCH_LIMIT else ""
                self.caption.setText(
                    f"{count} card version{plural} match “{text}”{limit}, best first."
                )
        elif self.models_model.rowCount() == 0:
            if self.current_filters() == ModelFilter():
                self.caption.setText(
                    "The registry is empty. Import cards or bundles with File ▸ Import… "
                    "(Ctrl+I), or drop the files on this window."
                )
            else:
                self.caption.setText("No model matches these filters.")
        else:
            self.caption.setText("Models — click a column title to sort; Enter opens the model.")


def _search_rows(registry: Registry, text: str) -> list[SearchRow]:
    """The best card versions matching ``text``, each with its model's row (None if gone)."""
    hits = registry.search(text, limit=SEARCH_LIMIT)
    summaries: dict[str, ModelSummary | None] = {}
    for hit in hits:
        if hit.model not in summaries:
            try:
                summaries[hit.model] = registry.model(hit.model)
            except NotFound:
                summaries[hit.model] = None
    return [SearchRow(hit, summaries[hit.model]) for hit in hits]


def _passes(row: SearchRow, filters: ModelFilter) -> bool:
    summary = row.summary
    if summary is None:
        return filters == ModelFilter()
    # The status of a hit is its card version's: an old version found is "superseded".
    status = row.hit.status or summary.status
    return (
        (not filters.status or status == filters.status)
        and (not filters.team or summary.team == filters.team)
        and (not filters.risk_tier or summary.risk_tier == filters.risk_tier)
    )
