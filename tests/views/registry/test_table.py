"""The browser's item models: sized lazily paged models, sorting by the registry, search hits."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester

from countersign.services.registry import ModelFilter, ModelOrder, ModelSummary, Registry
from countersign.services.storage.database import Database
from countersign.views.registry.snippet import SNIPPET_ROLE
from countersign.views.registry.table import (
    NAME_ROLE,
    PAGE_SIZE,
    VERSION_ROLE,
    ModelsTableModel,
    SearchResultsModel,
    SearchRow,
)
from tests.views.conftest import CATS_AND_DOGS, insert_models


class CountingRegistry(Registry):
    """A registry that notes every page and count the table asks for."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.pages: list[dict[str, Any]] = []
        self.counts = 0
        self.positions = 0

    def models(self, filters: ModelFilter | None = None, **kwargs: Any) -> list[ModelSummary]:
        self.pages.append(kwargs)
        return super().models(filters, **kwargs)

    def count_models(self, filters: ModelFilter | None = None) -> int:
        self.counts += 1
        return super().count_models(filters)

    def model_position(self, name: str, *args: Any, **kwargs: Any) -> int | None:
        self.positions += 1
        return super().model_position(name, *args, **kwargs)


@pytest.fixture
def big_db(tmp_path: Path) -> Iterator[Database]:
    db = Database.open(str(tmp_path / "big.sqlite3"))
    insert_models(tmp_path / "big.sqlite3", 1200)
    yield db
    db.dispose()


def _names(model: ModelsTableModel) -> list[str]:
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_sized_by_one_count_and_nothing_fetched_until_shown(big_db: Database) -> None:
    registry = CountingRegistry(big_db)
    model = ModelsTableModel(registry)
    assert model.rowCount() == 1200
    assert registry.counts == 1 and registry.pages == []
    assert model.index(0, 0).data() == "model-00000"
    assert registry.pages == [{"order": ModelOrder("name", False), "limit": PAGE_SIZE, "offset": 0}]


def test_jumping_to_a_deep_row_fetches_only_its_page(big_db: Database) -> None:
    registry = CountingRegistry(big_db)
    model = ModelsTableModel(registry)
    assert model.index(1150, 0).data() == "model-01150"
    assert model.index(1150, 0).data(NAME_ROLE) == "model-01150"
    assert model.index(1150, 3).data() == "1.0"
    # One query, by offset to the start of the row's page; the rows above stay unfetched.
    first = 1150 // PAGE_SIZE * PAGE_SIZE
    assert [page["offset"] for page in registry.pages] == [first]
    assert model.cached_page_numbers == [1150 // PAGE_SIZE]
    assert model.index(first, 0).data() == f"model-{first:05d}"
    assert model.index(1199, 0).data() == "model-01199"
    assert len(registry.pages) == 1
    assert model.index(1200, 0).data() is None


def test_scrolling_down_pages_by_keyset(big_db: Database) -> None:
    registry = CountingRegistry(big_db)
    model = ModelsTableModel(registry)
    # Keyset paging neither skips nor repeats a row across page boundaries.
    assert _names(model) == [f"model-{i:05d}" for i in range(1200)]
    assert len(registry.pages) == 1200 // PAGE_SIZE
    assert registry.pages[0].get("offset") == 0
    assert all("offset" not in page for page in registry.pages[1:])
    assert registry.pages[1]["after"] == (f"model-{PAGE_SIZE - 1:05d}", PAGE_SIZE)


def test_page_cache_is_bounded(big_db: Database) -> None:
    registry = CountingRegistry(big_db)
    model = ModelsTableModel(registry, page_size=50, cached_pages=3)
    assert _names(model)[-1] == "model-01199"
    assert len(registry.pages) == 24
    assert model.cached_page_numbers == [21, 22, 23]
    # A page forgotten is fetched again when shown, by offset this time.
    assert model.index(60, 0).data() == "model-00060"
    assert registry.pages[-1]["offset"] == 50
    assert model.cached_page_numbers == [22, 23, 1]


def test_sorting_asks_the_registry_again(big_db: Database) -> None:
    registry = CountingRegistry(big_db)
    model = ModelsTableModel(registry)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == 1200
    assert model.index(0, 0).data() == "model-01199"
    assert model.index(1150, 0).data() == "model-00049"
    assert registry.pages[-1] == {
        "order": ModelOrder("name", True),
        "limit": PAGE_SIZE,
        "offset": 1150 // PAGE_SIZE * PAGE_SIZE,
    }
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert model.sort_key == "team"
    assert model.cached_page_numbers == []
    teams = [model.index(row, 1).data() for row in range(model.rowCount())]
    assert teams[0] == "Team 0" and teams == sorted(teams)
    assert len(teams) == 1200


def test_filters_narrow_the_query(big_db: Database) -> None:
    registry = CountingRegistry(big_db)
    model = ModelsTableModel(registry)
    model.set_filters(ModelFilter(team="Team 3", status="approved"))
    expected = [f"model-{i:05d}" for i in range(1200) if i % 7 == 3 and i % 2 == 1]
    assert model.rowCount() == len(expected) == 86
    assert _names(model) == expected
    assert registry.counts == 2


def test_row_of_a_deep_model_without_fetching_pages(big_db: Database) -> None:
    registry = CountingRegistry(big_db)
    model = ModelsTableModel(registry)
    assert model.row_of("model-01100") == 1100
    assert registry.positions == 1 and registry.pages == []
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.row_of("model-01100") == 99
    assert model.index(99, 0).data() == "model-01100"
    # Once its page is cached, the row is found there.
    assert model.row_of("model-01150") == 49
    assert registry.positions == 2
    model.set_filters(ModelFilter(team="Team 3"))
    assert model.row_of("model-01100") is None
    assert model.row_of("no-such-model") is None


def test_reload_counts_again(big_db: Database, tmp_path: Path) -> None:
    model = ModelsTableModel(Registry(big_db))
    assert model.index(5, 0).data() == "model-00005"
    connection = sqlite3.connect(tmp_path / "big.sqlite3")
    with connection:
        connection.execute(
            "INSERT INTO models (name, team, risk_tier, latest_version, status, version_count,"
            " created_at, last_activity) VALUES ('a-first', 'T', 'low', '1', 'submitted', 1,"
            " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
        )
    connection.close()
    # Until reloaded, the cached page still holds the rows it had.
    assert model.index(0, 0).data() == "model-00000"
    model.reload()
    assert model.rowCount() == 1201
    assert model.index(0, 0).data() == "a-first"
    assert model.index(1200, 0).data() == "model-01199"


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
    # A risk tier no card states reads as such, not as an empty cell.
    unstated = model.row_of("train and eval model")
    assert unstated is not None
    assert model.index(unstated, 2).data() == "—"
    assert model.index(unstated, 2).data(Qt.ItemDataRole.ToolTipRole) == "Not stated in the card"


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
    assert model.index(0, 2).data() == hits[0].status
    assert model.index(0, 0).data(NAME_ROLE) == CATS_AND_DOGS
    assert model.index(0, 0).data(VERSION_ROLE) == "v1.0"
    tip = model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "rank 1" in tip and "Team: Vision Lab" in tip
    # The fourth column is the snippet, its matched words marked for the delegate.
    snippet = model.index(0, 3).data(SNIPPET_ROLE)
    assert model.index(0, 3).data() == snippet.text
    assert next(p.lower() for p, matched in snippet.pieces() if matched).startswith("cats")
    model.clear()
    assert model.rowCount() == 0


def test_names_with_controls_show_them_escaped(
    qapp: QApplication, tmp_path: Path, qtmodeltester: ModelTester
) -> None:
    # A registry written before names were checked: "\u202eexe.txt" would read "txt.exe".
    database = Database.open(str(tmp_path / "old.sqlite3"))
    insert_models(Path(database.location), 1)
    with sqlite3.connect(database.location) as connection:
        connection.execute(
            "UPDATE models SET name = ?, team = ?, latest_version = ?",
            ("\u202eexe.txt", "Risk\x1b[2J", "1\n0"),
        )
    model = ModelsTableModel(Registry(database))
    qtmodeltester.check(model)
    cells = [model.index(0, column).data() for column in range(4)]
    assert cells == ["\\u202eexe.txt", "Risk\\u001b[2J", "low", "1\\u000a0"]
    assert model.index(0, 0).data(NAME_ROLE) == "\u202eexe.txt"  # the real name, for lookups
    assert "\u202e" not in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    database.dispose()
