"""The registry browser: search, filters, sorting by header, keyboard, selection signals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from countersign.services.registry import Registry
from countersign.services.storage.database import Database
from countersign.views.registry.browser import RegistryBrowser
from countersign.views.registry.table import PAGE_SIZE
from tests.views.conftest import CATS_AND_DOGS, insert_models, settle, wait_for_background

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def browser(qtbot: QtBot, workstation_db: Database) -> Iterator[RegistryBrowser]:
    widget = RegistryBrowser(Registry(workstation_db))
    qtbot.addWidget(widget)
    widget.resize(640, 700)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    settle(qtbot, widget)
    wait_for_background()


def _shown_names(browser: RegistryBrowser) -> list[str]:
    model = browser.table.model()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def _search(qtbot: QtBot, browser: RegistryBrowser, text: str) -> None:
    browser.search(text)
    qtbot.waitUntil(lambda: not browser.search_pending, timeout=10_000)


def test_lists_every_model_by_name(browser: RegistryBrowser) -> None:
    assert _shown_names(browser) == sorted(
        [
            CATS_AND_DOGS,
            "credit-scorer",
            "fraud-screening",
            "loan-default-scorer",
            "train and eval model",
        ]
    )
    assert "click a column title" in browser.caption.text()


def test_typing_searches_card_text_after_a_pause(qtbot: QtBot, browser: RegistryBrowser) -> None:
    qtbot.keyClicks(browser.search_box, "underwriter")
    assert browser.search_pending
    qtbot.waitUntil(lambda: browser.searching and not browser.search_pending, timeout=10_000)
    # Both credit-scorer card versions mention underwriters; each hit names its version.
    model = browser.table.model()
    hits = {(model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())}
    assert hits == {("credit-scorer", "1.0.0"), ("credit-scorer", "2.0.0")}
    # Each hit shows its own version's status, not the model's newest.
    statuses = [(model.index(r, 1).data(), model.index(r, 2).data()) for r in range(2)]
    # The current version first, though the superseded one may say it as often.
    assert statuses == [("2.0.0", "submitted"), ("1.0.0", "superseded")]
    snippets = [model.index(r, 3).data() for r in range(2)]
    assert all("underwriter" in snippet.lower() for snippet in snippets)
    assert "2 card versions match “underwriter”" in browser.caption.text()
    assert not browser.table.isSortingEnabled()


def test_search_hit_selects_its_version(qtbot: QtBot, browser: RegistryBrowser) -> None:
    _search(qtbot, browser, "cats dogs")
    assert _shown_names(browser)[0] == CATS_AND_DOGS
    with qtbot.waitSignal(browser.version_selected, timeout=5000) as signal:
        browser.table.setFocus()
        qtbot.keyClick(browser.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert signal.args == [CATS_AND_DOGS, "v1.0"]


def test_search_with_no_match_says_so(qtbot: QtBot, browser: RegistryBrowser) -> None:
    _search(qtbot, browser, "zzzqqq")
    assert browser.table.model().rowCount() == 0
    assert browser.caption.text() == "No card matches “zzzqqq”."


def test_clearing_the_search_shows_the_models_again(qtbot: QtBot, browser: RegistryBrowser) -> None:
    _search(qtbot, browser, "loan")
    assert browser.searching
    browser.search_box.setFocus()
    qtbot.keyClick(browser.search_box, Qt.Key.Key_Escape)
    assert not browser.searching
    assert len(_shown_names(browser)) == 5
    assert browser.table.isSortingEnabled()


def test_search_hits_respect_the_filters(qtbot: QtBot, browser: RegistryBrowser) -> None:
    browser.set_teams(["Credit Risk Analytics", "Payments", "Risk Analytics", "Vision Lab"])
    _search(qtbot, browser, "scores")
    assert {"fraud-screening", "loan-default-scorer"} <= set(_shown_names(browser))
    browser.team_filter.setCurrentIndex(browser.team_filter.findData("Payments"))
    qtbot.waitUntil(lambda: not browser.search_pending, timeout=10_000)
    assert set(_shown_names(browser)) == {"fraud-screening"}


def test_status_filter_on_hits_uses_the_version_status(
    qtbot: QtBot, browser: RegistryBrowser
) -> None:
    _search(qtbot, browser, "underwriter")
    browser.status_filter.setCurrentIndex(browser.status_filter.findData("superseded"))
    qtbot.waitUntil(lambda: not browser.search_pending, timeout=10_000)
    model = browser.table.model()
    assert [
        (model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())
    ] == [("credit-scorer", "1.0.0")]


def test_filters_by_status_team_and_risk(qtbot: QtBot, browser: RegistryBrowser) -> None:
    browser.set_teams(["Credit Risk Analytics", "Payments", "Risk Analytics", "Vision Lab"])
    assert browser.team_filter.count() == 5
    browser.team_filter.setCurrentIndex(browser.team_filter.findData("Vision Lab"))
    assert _shown_names(browser) == [CATS_AND_DOGS, "train and eval model"]
    browser.team_filter.setCurrentIndex(0)
    browser.risk_filter.setCurrentIndex(browser.risk_filter.findData("medium"))
    assert _shown_names(browser) == ["fraud-screening"]
    browser.status_filter.setCurrentIndex(browser.status_filter.findData("approved"))
    assert _shown_names(browser) == []
    assert browser.caption.text() == "No model matches these filters."
    assert browser.status_filter.accessibleName() == "Filter by status"


def test_clicking_a_header_sorts_by_that_column(qtbot: QtBot, browser: RegistryBrowser) -> None:
    header = browser.table.horizontalHeader()
    team_x = header.sectionViewportPosition(1) + header.sectionSize(1) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(team_x, 5))
    assert browser.models_model.sort_key == "team"
    teams = [browser.table.model().index(r, 1).data() for r in range(5)]
    assert teams == sorted(teams)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(team_x, 5))
    assert browser.models_model.descending
    assert browser.table.model().index(0, 1).data() == "Vision Lab"


def test_arrows_move_and_enter_opens(qtbot: QtBot, browser: RegistryBrowser) -> None:
    browser.search_box.setFocus()
    # Down from the search box goes to the first row.
    with qtbot.waitSignal(browser.model_selected, timeout=5000) as first:
        qtbot.keyClick(browser.search_box, Qt.Key.Key_Down)
    assert browser.table.hasFocus()
    assert first.args == [CATS_AND_DOGS]
    with qtbot.waitSignal(browser.model_selected, timeout=5000) as second:
        qtbot.keyClick(browser.table, Qt.Key.Key_Down)
    assert second.args == ["credit-scorer"]
    with qtbot.waitSignal(browser.model_opened, timeout=5000) as opened:
        qtbot.keyClick(browser.table, Qt.Key.Key_Return)
    assert opened.args == ["credit-scorer"]


def test_holding_an_arrow_shows_only_where_it_stops(qtbot: QtBot, browser: RegistryBrowser) -> None:
    shown: list[str] = []
    browser.model_selected.connect(shown.append)
    browser.table.setFocus()
    for _ in range(4):
        qtbot.keyClick(browser.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    qtbot.wait(200)
    assert shown == ["train and eval model"]


def test_refresh_keeps_the_selected_model(qtbot: QtBot, browser: RegistryBrowser) -> None:
    assert browser.select_model("loan-default-scorer")
    browser.refresh()
    assert browser.current_name() == "loan-default-scorer"


@pytest.fixture
def big_browser(qtbot: QtBot, tmp_path: Path) -> Iterator[RegistryBrowser]:
    db = Database.open(str(tmp_path / "big.sqlite3"))
    insert_models(tmp_path / "big.sqlite3", 1200)
    widget = RegistryBrowser(Registry(db))
    qtbot.addWidget(widget)
    widget.resize(640, 700)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    settle(qtbot, widget)
    wait_for_background()
    db.dispose()


def test_large_registry_jumps_to_the_end(qtbot: QtBot, big_browser: RegistryBrowser) -> None:
    model = big_browser.models_model
    # Sized from the start: the scroll bar spans every model before any is fetched beyond view.
    assert big_browser.table.model().rowCount() == 1200
    assert model.cached_page_numbers == [0]
    assert big_browser.select_model("model-00000")
    with qtbot.waitSignal(big_browser.model_selected, timeout=5000) as selected:
        qtbot.keyClick(big_browser.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert selected.args == ["model-01199"]
    assert big_browser.current_name() == "model-01199"
    # Only the first and the last page were read: nothing in between.
    assert sorted(model.cached_page_numbers) == [0, 1200 // PAGE_SIZE - 1]


def test_selecting_a_deep_model_scrolls_to_it(qtbot: QtBot, big_browser: RegistryBrowser) -> None:
    assert big_browser.select_model("model-00950")
    assert big_browser.table.currentIndex().row() == 950
    assert big_browser.current_name() == "model-00950"
    top = big_browser.table.rowAt(0)
    assert 700 < top <= 950
    assert sorted(big_browser.models_model.cached_page_numbers) == [0, 950 // PAGE_SIZE]
    # Sorted the other way round, the same model is found at its new row.
    header = big_browser.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(20, 5))
    assert big_browser.models_model.descending
    assert big_browser.select_model("model-00950")
    assert big_browser.table.currentIndex().row() == 1199 - 950
    assert not big_browser.select_model("no-such-model")
