"""The home screen: the window opens on it, its lists hold the registry's work, a row opens its model."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMenu, QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from countersign.models.vocabulary import DeskList
from countersign.services.desk.first_look import read_first_look
from countersign.services.workstation import Services
from countersign.views.home.lists import NAME_ROLE, VERSION_ROLE, DeskTableModel
from countersign.views.home.screen import HomeScreen
from countersign.views.main_window import MainWindow
from tests.views.conftest import CATS_AND_DOGS, wait_for_background


def _loaded(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: window.home.desk is not None and not window.home.loading, timeout=10_000
    )


def _rows(table: QTableView) -> list[tuple[str, str]]:
    model = table.model()
    return [
        (model.index(row, 0).data(NAME_ROLE), model.index(row, 0).data(VERSION_ROLE))
        for row in range(model.rowCount())
    ]


def test_the_window_opens_on_home_with_the_registrys_work(qtbot: QtBot, window: MainWindow) -> None:
    _loaded(qtbot, window)
    assert window.showing_home
    assert window.home.isVisible() and not window.browser.isVisible()
    sections = window.home.sections
    to_review = sections[DeskList.TO_REVIEW]
    assert to_review.stack.currentWidget() is to_review.table
    rows = _rows(to_review.table)
    assert ("loan-default-scorer", "1.1") in rows and ("fraud-screening", "0.9") in rows
    assert ("loan-default-scorer", "1.0") not in rows  # superseded: not to review
    assert to_review.count.text() == f"· {len(rows)} card versions"
    assert to_review.table.accessibleName() == "Home: Versions to review"
    warned = _rows(sections[DeskList.IMPORT_WARNINGS].table)
    assert CATS_AND_DOGS in [name for name, _version in warned]
    # The list says how far back "recent" goes.
    assert sections[DeskList.IMPORT_WARNINGS].hint.text() == (
        "Problems the readers noted in the 1,000 newest card versions; newest first."
    )
    # No identity with its key here: the list says so, and what to do.
    awaiting = sections[DeskList.AWAITING_SIGNATURE]
    assert awaiting.stack.currentWidget() is awaiting.empty
    assert "Settings ▸ Identities" in awaiting.empty.text()
    approved = sections[DeskList.APPROVED]
    assert approved.empty.text().startswith("Nothing is approved yet.")
    assert sections[DeskList.EXPIRING].empty.text().startswith("No approval ends within 30 days.")
    assert "Settings ▸ Identities" in window.home.whose.text()


def test_enter_on_a_row_opens_its_model_and_ctrl_h_comes_back(
    qtbot: QtBot, window: MainWindow
) -> None:
    _loaded(qtbot, window)
    window.show_home()
    warned = window.home.sections[DeskList.IMPORT_WARNINGS].table
    row = next(r for r, (name, _v) in enumerate(_rows(warned)) if name == CATS_AND_DOGS)
    version = warned.model().index(row, 0).data(VERSION_ROLE)
    warned.setFocus()
    warned.setCurrentIndex(warned.model().index(row, 0))
    qtbot.keyClick(warned, Qt.Key.Key_Return)
    assert not window.showing_home and window.browser.isVisible()
    assert window.model_page.model_name == CATS_AND_DOGS
    assert window.model_page.version == version
    assert window.browser.current_name() == CATS_AND_DOGS
    assert not window.browser.selection_pending  # the version opened stays shown

    action = window.commands["show_home"]
    assert action.shortcut().toString() == "Ctrl+H"
    view_menu = window.menuBar().findChild(QMenu, "view_menu")
    assert view_menu is not None and action in view_menu.actions()
    action.trigger()
    assert window.showing_home
    # The keyboard lands in the first list that has rows.
    assert window.home.sections[DeskList.TO_REVIEW].table.hasFocus()
    window.commands["show_models"].trigger()
    assert not window.showing_home and window.browser.table.hasFocus()


def test_the_lists_follow_a_sign_off(
    qtbot: QtBot, window: MainWindow, workstation: Services
) -> None:
    _loaded(qtbot, window)
    ids = workstation.identities
    ids.create("Olga Officer", "olga@example.org", "officer", "correct horse battery")
    window.refresh()
    _loaded(qtbot, window)
    assert "Signing as Olga Officer" in window.home.whose.text()
    awaiting = window.home.sections[DeskList.AWAITING_SIGNATURE]
    assert awaiting.empty.text() == "No open round waits for your signature."


def test_a_long_list_is_read_a_page_at_a_time(
    qtmodeltester: ModelTester, workstation: Services
) -> None:
    officer = workstation.desk.officer()
    desk = workstation.desk.desk(first=1, officer=officer)
    model = DeskTableModel(workstation.desk, DeskList.TO_REVIEW, page_size=1)
    model.show_page(desk.to_review, officer)
    assert model.rowCount() == 1 and model.total == desk.to_review.total > 2
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == desk.to_review.total
    rows = [(model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())]
    assert len(set(rows)) == len(rows)  # every page its own rows, none twice
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Model"
    qtmodeltester.check(model)


def test_the_home_screen_alone_over_an_empty_registry(qtbot: QtBot, services: Services) -> None:
    home = HomeScreen(services.desk)
    qtbot.addWidget(home)
    home.show()
    home.load()
    qtbot.waitUntil(lambda: home.desk is not None and not home.loading, timeout=10_000)
    for section in home.sections.values():
        assert section.stack.currentWidget() is section.empty
        assert section.empty.text()
    assert "File ▸ Import…" in home.sections[DeskList.TO_REVIEW].empty.text()
    wait_for_background()


def test_a_double_click_opens_the_rows_model(qtbot: QtBot, window: MainWindow) -> None:
    _loaded(qtbot, window)
    table = window.home.sections[DeskList.TO_REVIEW].table
    name, version = _rows(table)[-1]
    rect = table.visualRect(table.model().index(table.model().rowCount() - 1, 0))
    # As a desktop delivers a double-click: a press, then the double-click event.
    qtbot.mousePress(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not window.showing_home, timeout=5_000)
    assert (window.model_page.model_name, window.model_page.version) == (name, version)


HOSTILE = "evil\x1b[31m\u202ename"
"""A model name no importer writes: an escape sequence and a bidi override, as a file could hold."""


def _cells(table: QTableView) -> list[str]:
    model = table.model()
    return [
        str(model.index(row, column).data())
        for row in range(model.rowCount())
        for column in range(model.columnCount())
    ]


def test_a_first_look_shows_the_rows_the_desk_shows_then(
    qtbot: QtBot, qtmodeltester: ModelTester, workstation: Services
) -> None:
    path = Path(workstation.database.location)
    connection = sqlite3.connect(path)
    connection.execute("UPDATE models SET name = ? WHERE name = 'fraud-screening'", (HOSTILE,))
    connection.commit()
    connection.close()
    look = read_first_look(path)
    assert look is not None
    early = HomeScreen(None)  # as the start-up window shows it, before the services load
    qtbot.addWidget(early)
    early.show_first_look(look)
    early.load()  # no desk to read from: nothing runs
    assert not early.loading
    home = HomeScreen(workstation.desk)
    qtbot.addWidget(home)
    home.load()
    qtbot.waitUntil(lambda: home.desk is not None and not home.loading, timeout=10_000)
    for kind in (DeskList.TO_REVIEW, DeskList.IMPORT_WARNINGS):
        first, full = early.sections[kind], home.sections[kind]
        assert first.stack.currentWidget() is first.table
        assert _rows(first.table) == _rows(full.table) != []
        assert _cells(first.table) == _cells(full.table)
        assert first.count.text() == full.count.text()
        qtmodeltester.check(first.model)
        # The first page only: the rest is read once the services are there.
        assert not first.model.canFetchMore(QModelIndex())
    shown = _cells(early.sections[DeskList.TO_REVIEW].table)
    assert any(cell.startswith("evil") for cell in shown)
    # Escaped as everywhere: no raw control or bidi characters reach the screen.
    assert not [cell for cell in shown if any(ch in cell for ch in "\x1b\u202e")]
    for kind in (DeskList.AWAITING_SIGNATURE, DeskList.CHANGES_REQUESTED, DeskList.APPROVED):
        assert early.sections[kind].empty.text() == "Reading the registry…"
    wait_for_background()
