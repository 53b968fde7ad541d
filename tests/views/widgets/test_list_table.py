"""The list-backed table model and the row-table set-up every list screen shares."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from countersign.views.widgets.list_table import ListTableModel, set_up_row_table


class _Fruit(ListTableModel[tuple[str, int]]):
    def __init__(self) -> None:
        super().__init__(("Fruit", "Count"), header_tips=("What it is",))

    def cell(self, item: tuple[str, int], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return item[column] if column == 0 else str(item[column])
        return None


def test_rows_headers_and_cells(qtmodeltester: ModelTester) -> None:
    model = _Fruit()
    qtmodeltester.check(model)
    model.set_rows(iter([("apple", 3), ("pear", 1)]))
    assert (model.rowCount(), model.columnCount()) == (2, 2)
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.item(1) == ("pear", 1)
    assert model.data(model.index(0, 1)) == "3"
    assert model.data(QModelIndex()) is None
    horizontal = Qt.Orientation.Horizontal
    assert model.headerData(1, horizontal) == "Count"
    assert model.headerData(2, horizontal) is None
    assert model.headerData(0, horizontal, Qt.ItemDataRole.ToolTipRole) == "What it is"
    assert model.headerData(1, horizontal, Qt.ItemDataRole.ToolTipRole) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    qtmodeltester.check(model)


def test_refresh_repaints_every_row(qtbot: QtBot) -> None:
    model = _Fruit()
    model.set_rows([("apple", 3), ("pear", 1), ("plum", 7)])
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.refresh()
    top, bottom = changed.args[0], changed.args[1]
    assert (top.row(), top.column(), bottom.row(), bottom.column()) == (0, 0, 2, 1)


def test_row_table_set_up(qtbot: QtBot) -> None:
    table = QTableView()
    qtbot.addWidget(table)
    model = _Fruit()
    set_up_row_table(table, model, "Fruit bowl", (140,))
    assert table.model() is model
    assert table.accessibleName() == "Fruit bowl"
    assert table.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows
    assert table.selectionMode() == QAbstractItemView.SelectionMode.SingleSelection
    assert not table.showGrid() and not table.tabKeyNavigation()
    assert not table.verticalHeader().isVisible()
    assert table.horizontalHeader().stretchLastSection()
    assert table.horizontalHeader().sectionSize(0) == 140
