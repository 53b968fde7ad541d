"""The registry page of a first look: the models list's first page while the rest loads.

When the officer asks for the models list (View ▸ Models list, Ctrl+0) before the
services and screens are loaded, the start-up window shows the first page of
models a first look read (:class:`~countersign.services.desk.first_look.FirstModels`)
in the models table, laid out as the registry page, its search box and filters
greyed; the main window then opens on its registry page with the same rows.

This module imports PySide6 and the light table module alone, as the start-up
window does (a test checks it).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from countersign.views.icons import icon
from countersign.views.registry.table import (
    MODEL_COLUMN_WIDTHS,
    ModelRows,
    ModelsTableModel,
    lay_out_columns,
    models_table,
)

CAPTION = "Models — click a column title to sort; Enter opens the model."
"""What the models table's caption says while it shows every model."""

_SEARCH_HINT = "Search card text (Ctrl+F)"
_FILTERS = ("All statuses", "All teams", "All risk tiers")


def first_models_page(rows: ModelRows, parent: QWidget) -> QSplitter:
    """The registry page over ``rows``: the models table beside an empty model page, greyed."""
    page = QSplitter(Qt.Orientation.Horizontal, parent)
    page.setChildrenCollapsible(False)
    left = QWidget(page)
    search = QLineEdit(left)
    search.setPlaceholderText(_SEARCH_HINT)
    search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
    filters = QHBoxLayout()
    filters.setSpacing(6)
    for everything in _FILTERS:
        combo = QComboBox(left)
        combo.addItem(everything)
        filters.addWidget(combo, 1)
    for control in (search, *left.findChildren(QComboBox)):
        control.setEnabled(False)
    caption = QLabel(CAPTION, left)
    table = models_table(left)
    table.setModel(ModelsTableModel(rows, table))
    lay_out_columns(table, MODEL_COLUMN_WIDTHS, left.fontMetrics().height() + 10)
    table.horizontalHeader().setSortIndicatorShown(True)
    layout = QVBoxLayout(left)
    layout.setContentsMargins(8, 8, 4, 4)
    layout.setSpacing(6)
    layout.addWidget(search)
    layout.addLayout(filters)
    layout.addWidget(caption)
    layout.addWidget(table, 1)
    right = QLabel("Opening the registry…", page)
    right.setAlignment(Qt.AlignmentFlag.AlignCenter)
    right.setEnabled(False)
    page.addWidget(left)
    page.addWidget(right)
    page.setStretchFactor(0, 1)
    page.setStretchFactor(1, 2)
    page.setSizes([620, 820])
    return page
