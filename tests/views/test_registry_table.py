"""The browser's item models: lazy keyset paging, sorting by the registry, search hits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester

from app.services.database import Database
from app.services.registry import ModelFilter, Registry
from app.views.registry_table import (
    NAME_ROLE,
    PAGE_SIZE,
    VERSION_ROLE,
    ModelsTableModel,
    SearchResultsModel,
    SearchRow,
)
from tests.views.conftest import CATS_AND_DOGS, insert_models


@pytest.fixture
def big_db(tmp_path: Path) -> Iterator[Database]:
    db = Database.open(str(tmp_path / "big.sqlite3"))
    insert_models(tmp_path / "big.sqlite3", 1200)
    yield db
    db.dispose()


def _names(model: ModelsTableModel) -> list[str]:
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_first_page_only_until_more_is_fetched(big_db: Database) -> None:
    model = ModelsTableModel(Registry(big_db))
    assert model.rowCount() == PAGE_SIZE == 200
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 400
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    names = _names(model)
    # Keyset paging neither skips nor repeats a row across page boundaries.
    assert names == [f"model-{i:05d}" for i in range(1200)]
    assert not model.canFetchMore(QModelIndex())


def test_sorting_asks_the_registry_again(big_db: Database) -> None:
    model = ModelsTableModel(Registry(big_db))
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == PAGE_SIZE
    assert model.index(0, 0).data() == "model-01199"
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert model.sort_key == "team"
    first_page = [model.index(row, 1).data() for row in range(PAGE_SIZE)]
    assert first_page[0] == "Team 0" and first_page == sorted(first_page)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    teams = [model.index(row, 1).data() for row in range(model.rowCount())]
    assert teams == sorted(teams)
    assert model.rowCount() == 1200


def test_filters_narrow_the_query(big_db: Database) -> None:
    model = ModelsTableModel(Registry(big_db))
    model.set_filters(ModelFilter(team="Team 3", status="approved"))
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    expected = [f"model-{i:05d}" for i in range(1200) if i % 7 == 3 and i % 2 == 1]
    assert _names(model) == expected


def test_models_table_passes_the_model_tester(
    qapp: QApplication, qtmodeltester: ModelTester, big_db: Database
) -> None:
    model = ModelsTableModel(Registry(big_db), page_size=50)
    qtmodeltester.check(model)
    model.sort(4, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)


def test_models_table_cells(
    qapp: QApplication, workstation_db: Database, qtmodeltester: ModelTester
) -> None:
    model = ModelsTableModel(Registry(workstation_db))
    qtmodeltester.check(model)
    row = model.row_of("credit-scorer")
    assert row is not None
    cells = [model.index(row, column).data() for column in range(6)]
    assert cells[:5] == ["credit-scorer", "Credit Risk Analytics", "high", "2.0.0", "submitted"]
    assert cells[5].startswith("20")
    assert isinstance(model.index(row, 4).data(Qt.ItemDataRole.DecorationRole), QIcon)
    assert model.index(row, 0).data(VERSION_ROLE) == "2.0.0"
    assert "2 card versions" in model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Latest"


def test_search_results_keep_the_rank(
    qapp: QApplication, workstation_db: Database, qtmodeltester: ModelTester
) -> None:
    registry = Registry(workstation_db)
    hits = registry.search("cats")
    assert hits and hits[0].model == CATS_AND_DOGS
    model = SearchResultsModel()
    model.set_results("cats", [SearchRow(hit, registry.model(hit.model)) for hit in hits])
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == CATS_AND_DOGS
    assert model.index(0, 1).data() == "v1.0"
    assert model.index(0, 2).data() == "Vision Lab"
    assert model.index(0, 0).data(NAME_ROLE) == CATS_AND_DOGS
    assert model.index(0, 0).data(VERSION_ROLE) == "v1.0"
    assert "rank 1" in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    model.clear()
    assert model.rowCount() == 0
