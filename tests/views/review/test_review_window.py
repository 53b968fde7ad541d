"""Review in the main window: Review ▸ Sign…, Settings ▸ Identities…, and the window brought up
to date (page header, browser row, status bar) after a sign-off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from countersign.services.reviews.reviews import Answer
from countersign.views.identities.dialog import IdentitiesDialog
from countersign.views.main_window import MainWindow
from countersign.views.policy.dialog import PolicyDialog
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, workbench
from tests.views.conftest import settle, wait_for_background

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    with workbench(tmp_path) as made:
        made.import_card(medium_card())
        made.person("ana@example.org", "approver")
        yield made
        wait_for_background()


@pytest.fixture
def main(qtbot: QtBot, bench: Workbench, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(bench.services, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.counts_label.text() != "Counting…", timeout=10_000)
    yield window
    settle(qtbot, window)
    wait_for_background()


def test_review_and_settings_menus(main: MainWindow) -> None:
    review = main.findChild(QMenu, "review_menu")
    settings = main.findChild(QMenu, "settings_menu")
    assert review is not None and settings is not None
    assert [a.text() for a in review.actions()] == ["&Sign…"]
    assert [a.text() for a in settings.actions()] == ["&Identities…", "&Metric policy…", "&Theme"]
    assert main.commands["sign_off"].shortcut().toString() == "Ctrl+Shift+S"
    assert main.commands["show_review"].shortcut().toString() == "Ctrl+7"
    assert not main.commands["sign_off"].icon().isNull()
    assert main.model_page.tabs.tabText(6) == "Review"
    assert main.commands["show_trends"].shortcut().toString() == "Ctrl+8"
    main.commands["show_trends"].trigger()
    assert main.model_page.tabs.currentWidget() is main.model_page.trends_tab
    assert main.model_page.review_tab.sign_button.accessibleName() == "Sign the sign-off"
    main.commands["metric_policy"].trigger()
    dialog = main._policy_dialog
    assert isinstance(dialog, PolicyDialog) and dialog.isVisible()
    main.commands["metric_policy"].trigger()  # one at a time
    assert main._policy_dialog is dialog
    dialog.close()


def test_sign_with_no_model_says_what_to_do(qtbot: QtBot, main: MainWindow) -> None:
    main.activateWindow()
    qtbot.keySequence(main, QKeySequence("Ctrl+Shift+S"))
    assert main.statusBar().currentMessage() == "Choose a model to review first."


def test_a_sign_off_updates_the_page_the_browser_and_the_status_bar(
    qtbot: QtBot, main: MainWindow, bench: Workbench
) -> None:
    assert main.browser.select_model("credit-scorer")
    qtbot.waitUntil(lambda: main.model_page.model_name == "credit-scorer", timeout=5000)
    main.commands["sign_off"].trigger()
    tab = main.model_page.review_tab
    assert main.model_page.tabs.currentWidget() is tab
    assert tab.problem_text() == "Choose a decision first: approve, request changes or reject."
    for view in tab.items.unanswered_required():
        row = tab.items.row_of(view.item.id)
        assert row is not None
        tab.items.set_answer(row, Answer("pass", "Checked."))
    for view, _reason in tab.items.needing_notes():
        row = tab.items.row_of(view.item.id)
        assert row is not None
        tab.items.set_answer(row, Answer("pass", "Checked by hand."))
    tab.choose_decision("approve")
    main.commands["sign_off"].trigger()
    dialog = tab.signing_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.signing_dialog is None, timeout=10_000)
    qtbot.waitUntil(lambda: not main.counting, timeout=10_000)
    assert main.model_page.status_badge.text().strip() == "approved"
    table = main.browser.table.model()
    row = next(r for r in range(table.rowCount()) if table.index(r, 0).data() == "credit-scorer")
    statuses = [table.index(row, c).data() for c in range(table.columnCount())]
    assert "staging 1.0" in statuses  # what is approved where, in the status column
    assert main.statusBar().currentMessage() == ("Sign-off stored: credit-scorer 1.0 is approved.")
    # The notice stays after the window read everything again.
    assert tab.decision_panel.notice.isVisible()
    assert bench.statuses()["credit-scorer"] == "approved"


def test_settings_identities_opens_the_dialog_once(qtbot: QtBot, main: MainWindow) -> None:
    main.commands["identities"].trigger()
    dialogs = main.findChildren(IdentitiesDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    qtbot.waitUntil(lambda: dialog.keyring_ok is not None, timeout=5000)
    assert dialog.model.index(0, 1).data() == "ana@example.org"
    main.commands["identities"].trigger()
    assert main.findChildren(IdentitiesDialog) == [dialog]
    dialog.close()
