"""The main window: layout, menus and shortcuts, status bar, settings, drops, import, audit."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path
from typing import ClassVar

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDropEvent, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from countersign import __version__
from countersign.services.audit.records import AuditTrail
from countersign.services.importing.importer import Importer, LooseCardInfo
from countersign.services.workstation import Services
from countersign.views.about_box import about_html
from countersign.views.main_window import MainWindow
from countersign.views.settings import IMPORT_FOLDER
from tests.helpers.registry import native_card, write_card
from tests.views.conftest import CATS_AND_DOGS, wait_for_background

# The offscreen platform has no window manager to pass size hints to or to raise windows.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


def test_browser_left_model_page_right_and_status_bar(window: MainWindow) -> None:
    assert window.splitter.widget(0) is window.browser
    assert window.splitter.widget(1) is window.model_page
    assert window.location_label.text() == f"Registry: {window.database.location}"
    assert window.counts_label.text() == "5 models · 7 card versions"
    # The counts also filled the team filter.
    teams = [
        window.browser.team_filter.itemText(i) for i in range(window.browser.team_filter.count())
    ]
    assert teams == [
        "All teams",
        "Credit Risk Analytics",
        "Payments",
        "Risk Analytics",
        "Vision Lab",
    ]
    assert window.size().width() == 1440 and window.size().height() == 900


def test_first_paint_does_not_wait_for_counts(
    qtbot: QtBot, workstation: Services, settings: QSettings
) -> None:
    main = MainWindow(workstation, settings)
    qtbot.addWidget(main)
    assert main.counts_label.text() == "Counting…"
    assert not main.counting
    main.show()
    qtbot.waitUntil(lambda: main.counts_label.text() != "Counting…", timeout=10_000)
    assert main.counts_label.text() == "5 models · 7 card versions"
    wait_for_background()


def test_window_start_imports_neither_reportlab_nor_pyhanko(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from PySide6.QtCore import QSettings\n"
        "from countersign.views.application import application\n"
        "from countersign.views.main_window import MainWindow\n"
        "from countersign.services.workstation import open_services\n"
        "app = application()\n"
        f"services = open_services({str(tmp_path / 'r.sqlite3')!r})\n"
        f"s = QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat)\n"
        "w = MainWindow(services, s)\n"
        "w.show(); app.processEvents()\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('reportlab', 'pyhanko'))\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert "HEAVY []" in done.stdout, done.stderr


def test_menus_have_mnemonics_and_standard_shortcuts(window: MainWindow) -> None:
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Review", "&Tools", "&Settings", "&Help"]
    shortcuts = {
        name: window.commands[name].shortcut().toString()
        for name in (
            "import_files",
            "quit",
            "find",
            "audit_trail",
            "refresh",
            "show_card",
            "show_compare",
            "user_guide",
        )
    }
    assert shortcuts == {
        "import_files": "Ctrl+I",
        "quit": "Ctrl+Q",
        "find": "Ctrl+F",
        "audit_trail": "Ctrl+Shift+A",
        "refresh": "F5",
        "show_card": "Ctrl+1",
        "show_compare": "Ctrl+6",
        "user_guide": "F1",
    }
    view_shortcuts = [
        window.commands[f"show_{tab}"].shortcut().toString()
        for tab in ("card", "versions", "source", "attachments", "history", "compare", "review")
    ]
    assert view_shortcuts == [f"Ctrl+{number}" for number in range(1, 8)]
    file_menu = window.findChild(QMenu, "file_menu")
    assert file_menu is not None
    assert [a.text() for a in file_menu.actions() if not a.isSeparator()] == [
        "&Import…",
        "&New card draft…",
        "&Open draft…",
        "&Export signed report…",
        "&Publish approved version…",
        "&Quit",
    ]
    tools = window.findChild(QMenu, "tools_menu")
    assert tools is not None
    assert [a.text() for a in tools.actions()] == ["&Audit trail…", "&Verify report…"]
    assert all(not window.commands[n].icon().isNull() for n in ("import_files", "audit_trail"))


def test_ctrl_f_focuses_the_search_box(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    window.browser.table.setFocus()
    qtbot.keySequence(window, QKeySequence("Ctrl+F"))
    qtbot.waitUntil(window.browser.search_box.hasFocus, timeout=3000)


def test_search_then_select_shows_the_matching_card(qtbot: QtBot, window: MainWindow) -> None:
    window.browser.search("open-banking")
    qtbot.waitUntil(lambda: not window.browser.search_pending, timeout=10_000)
    model = window.browser.table.model()
    assert (model.index(0, 0).data(), model.index(0, 1).data()) == ("credit-scorer", "2.0.0")
    window.browser.table.setCurrentIndex(model.index(0, 0))
    qtbot.waitUntil(lambda: window.model_page.model_name == "credit-scorer", timeout=5000)
    assert window.model_page.version == "2.0.0"
    card = window.model_page.card_tab
    assert "open-banking" in card.browser.toPlainText()
    # Opened from the search: the matched words are highlighted, the first scrolled to.
    highlighted = [selection.cursor.selectedText() for selection in card.browser.extraSelections()]
    assert highlighted and card.highlighted == len(highlighted)
    assert {word.lower() for word in highlighted} <= {"open", "banking", "open-banking"}
    assert "banking" in {word.lower() for word in highlighted}
    assert (
        card.browser.textCursor().position()
        == card.browser.extraSelections()[0].cursor.selectionStart()
    )
    # Chosen from the models list, not a search: nothing is highlighted.
    window.browser.search_box.clear()
    window.browser.select_model(CATS_AND_DOGS)
    qtbot.waitUntil(lambda: window.model_page.model_name == CATS_AND_DOGS, timeout=5000)
    assert card.browser.extraSelections() == [] and card.highlighted == 0


def test_selecting_a_model_and_every_tab_by_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    window.browser.select_model(CATS_AND_DOGS)
    qtbot.waitUntil(lambda: window.model_page.model_name == CATS_AND_DOGS, timeout=5000)
    assert "Tells photos of cats from photos of dogs" in (
        window.model_page.card_tab.browser.toPlainText()
    )
    expected = {
        "show_versions": window.model_page.versions_tab,
        "show_source": window.model_page.source_tab,
        "show_attachments": window.model_page.attachments_tab,
        "show_history": window.model_page.history_tab,
        "show_compare": window.model_page.compare_tab,
        "show_review": window.model_page.review_tab,
        "show_card": window.model_page.card_tab,
    }
    for name, tab in expected.items():
        window.commands[name].trigger()
        assert window.model_page.tabs.currentWidget() is tab
    window.commands["show_models"].trigger()


def test_geometry_splitter_and_last_folder_are_remembered(
    qtbot: QtBot, workstation: Services, settings: QSettings, tmp_path: Path
) -> None:
    first = MainWindow(workstation, settings)
    qtbot.addWidget(first)
    first.show()
    first.show_registry()
    # Small enough for the offscreen screen, which restoreGeometry clamps to.
    first.resize(700, 500)
    first.splitter.setSizes([420, 280])
    sizes = first.splitter.sizes()
    assert sizes[0] > sizes[1]
    first._remember_folder(tmp_path)
    first.close()
    wait_for_background()
    second = MainWindow(workstation, settings)
    qtbot.addWidget(second)
    second.show()
    second.show_registry()
    assert (second.size().width(), second.size().height()) == (700, 500)
    assert second.splitter.sizes() == sizes
    assert second.last_folder() == str(tmp_path)
    second.close()
    wait_for_background()


class _FakeImportDialog(QDialog):
    landed = Signal()
    opened: ClassVar[list[list[Path]]] = []

    def __init__(self, importer: Importer, paths: list[Path], parent: QWidget | None = None):
        super().__init__(parent)
        self.importer = importer
        _FakeImportDialog.opened.append(list(paths))


@pytest.fixture
def fake_import_dialog(monkeypatch: pytest.MonkeyPatch) -> type[_FakeImportDialog]:
    module = types.ModuleType("countersign.views.importing.dialog")
    module.ImportDialog = _FakeImportDialog  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "countersign.views.importing.dialog", module)
    _FakeImportDialog.opened = []
    return _FakeImportDialog


def test_dropped_files_open_the_import_preview(
    qtbot: QtBot, window: MainWindow, fake_import_dialog: type[_FakeImportDialog], tmp_path: Path
) -> None:
    card = write_card(tmp_path, "new.json", native_card("late-arrival", "1.0"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(card))])
    drop = QDropEvent(
        QPointF(200, 200),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: fake_import_dialog.opened == [[card]], timeout=3000)
    assert window.last_folder() == str(tmp_path)


def test_drops_without_local_files_are_refused(window: MainWindow) -> None:
    mime = QMimeData()
    mime.setText("not a file")
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    assert not drop.isAccepted()


def test_a_landed_import_refreshes_browser_and_counts(
    qtbot: QtBot, window: MainWindow, fake_import_dialog: type[_FakeImportDialog], tmp_path: Path
) -> None:
    card = write_card(tmp_path, "new.json", native_card("late-arrival", "1.0"))
    window.open_import([card])
    dialog = window.findChild(_FakeImportDialog)
    assert dialog is not None and dialog.importer is window.importer
    assert dialog.importer.import_file(card, LooseCardInfo(team="Payments")).ok
    dialog.landed.emit()
    qtbot.waitUntil(
        lambda: window.counts_label.text() == "6 models · 8 card versions", timeout=10_000
    )
    assert window.browser.models_model.row_of("late-arrival") is not None


def test_file_import_asks_for_files_in_the_last_folder(
    window: MainWindow,
    fake_import_dialog: type[_FakeImportDialog],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    asked: list[str] = []
    bundle = tmp_path / "b.cardbundle"

    def choose(parent: QWidget, caption: str, folder: str, filters: str) -> tuple[list[str], str]:
        asked.append(folder)
        assert "*.cardbundle" in filters
        return [str(bundle)], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", choose)
    IMPORT_FOLDER.write(window.settings, "/srv/bundles")
    window.commands["import_files"].trigger()
    assert asked == ["/srv/bundles"]
    assert fake_import_dialog.opened == [[bundle]]


def test_the_workers_start_while_the_officer_chooses_files_and_stop_if_none_is_chosen(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.importer.workers = 1  # whatever the machine's load: one worker reads
    starting: list[bool] = []

    def choose(parent: QWidget, caption: str, folder: str, filters: str) -> tuple[list[str], str]:
        readers = window.importer._readers
        starting.append(readers is not None and len(readers.processes) == 1)
        return [], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", choose)
    window.commands["import_files"].trigger()
    assert starting == [True]  # up by the time the first bundle would be read
    readers = window.importer._readers
    assert readers is not None and readers.processes == []  # no file: stopped at once


def test_audit_trail_opens_one_window(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[QWidget] = []

    class FakeAuditWindow(QWidget):
        def __init__(
            self, trail: AuditTrail, parent: QWidget | None = None, integrity: object = None
        ) -> None:
            super().__init__(parent)
            self.trail = trail
            self.integrity = integrity
            made.append(self)

    module = types.ModuleType("countersign.views.audit.window")
    module.AuditWindow = FakeAuditWindow  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "countersign.views.audit.window", module)
    window.commands["audit_trail"].trigger()
    window.commands["audit_trail"].trigger()
    assert len(made) == 1
    assert made[0].isVisible() and made[0].isWindow()
    assert made[0].trail is window.services.audit  # type: ignore[attr-defined]
    assert window.services.audit.database is window.database
    assert made[0].integrity is window.services.integrity  # type: ignore[attr-defined]
    window.close()
    assert not made[0].isVisible()


def test_about_names_version_and_licences(qtbot: QtBot, window: MainWindow) -> None:
    text = about_html()
    assert f"Countersign {__version__}" in text
    assert "Apache License 2.0" in text
    assert "LGPL-3.0" in text and "pyHanko" in text and "ReportLab" in text
    window.commands["about"].trigger()
    box = window.findChild(QMessageBox)
    assert box is not None and box.isVisible()
    assert f"Countersign {__version__}" in box.text()
    box.close()


def test_demo_window_says_so(qtbot: QtBot, workstation: Services, settings: QSettings) -> None:
    main = MainWindow(workstation, settings, demo=True)
    qtbot.addWidget(main)
    assert "demo" in main.windowTitle()
    assert main.location_label.text().startswith("Demo registry (thrown away on quit)")


def test_the_window_uses_the_services_it_is_given(
    window: MainWindow, workstation: Services
) -> None:
    """Built once by open_services and passed in: no screen builds a service of its own."""
    assert window.services is workstation
    assert window.registry is workstation.registry and window.importer is workstation.importer
    assert window.reports is workstation.reports
    assert window.browser._registry is workstation.registry
    review_tab = window.model_page.review_tab
    assert review_tab._services is workstation
    assert review_tab.flow._services is workstation
