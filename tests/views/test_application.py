"""Starting the workstation: registry errors as dialogs, the demo, the crash path."""

from __future__ import annotations

import importlib
import sqlite3
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect, QSettings, Qt
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QTableView, QWidget
from pytestqt.qtbot import QtBot

from countersign.errors import DiskFull, RegistryLocked, RegistryTooNew, RegistryUnreadable
from countersign.models.vocabulary import DeskList
from countersign.services.importing.importer import Importer, LooseCardInfo
from countersign.services.registry import Registry
from countersign.services.storage.database import Database
from countersign.views import application, startup_window
from countersign.views.crash_dialog import CrashDialog, install_crash_handler, show_failure
from countersign.views.home.screen import HomeScreen
from countersign.views.importing.dialog import ImportDialog
from countersign.views.main_window import MainWindow
from countersign.views.settings import WINDOW_GEOMETRY
from countersign.views.startup_window import StartupWindow
from tests.helpers.closing import registries_closed
from tests.helpers.registry import native_card, write_card
from tests.views.conftest import wait_for_background

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every critical message box shown, instead of blocking on it."""
    shown: list[tuple[str, str]] = []

    def critical(parent: QWidget | None, title: str, text: str, *args: Any) -> int:
        shown.append((title, text))
        # Over the start-up window, which is up and painted by then.
        assert isinstance(parent, StartupWindow) and parent.isVisible()
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "critical", critical)
    return shown


class WindowEvents(QObject):
    """Shows, first paints and hides of the start-up and main windows, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Note the event if it is one of those; never consume it."""
        kind = {
            QEvent.Type.Show: "show",
            QEvent.Type.Hide: "hide",
            QEvent.Type.Paint: "paint",
        }.get(event.type())
        if kind is None or not isinstance(watched, QWidget):
            return False
        top = watched.window()
        name = {StartupWindow: "startup", MainWindow: "main"}.get(type(top))
        if name is not None and (kind == "paint" or watched is top):
            entry = (kind, name)
            if kind != "paint" or entry not in self.events:
                self.events.append(entry)
        return False


@pytest.fixture
def window_events(qapp: QApplication) -> Iterator[WindowEvents]:
    """What the windows did while the test ran."""
    recorder = WindowEvents()
    qapp.installEventFilter(recorder)
    yield recorder
    qapp.removeEventFilter(recorder)


@pytest.fixture
def windows_run(monkeypatch: pytest.MonkeyPatch) -> list[MainWindow]:
    """Stand in for the event loop: record the main window shown, close it, exit 0."""
    seen: list[MainWindow] = []

    def exec_once(*_args: Any) -> int:
        main = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        )
        wait_for_background()
        seen.append(main)
        main.close()
        main.deleteLater()
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_once)
    return seen


@pytest.fixture(autouse=True)
def settings_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The settings run_workstation reads and writes: a file of the test's own."""
    path = tmp_path / "settings.ini"
    monkeypatch.setattr(
        application, "QSettings", lambda: QSettings(str(path), QSettings.Format.IniFormat)
    )
    return path


def test_unreadable_registry_is_a_message_and_exit_1(
    qapp: QApplication,
    messages: list[tuple[str, str]],
    window_events: WindowEvents,
    tmp_path: Path,
) -> None:
    garbage = tmp_path / "registry.sqlite3"
    garbage.write_bytes(b"this is a spreadsheet, not a registry " * 100)
    assert application.run_workstation(str(garbage), demo=False) == 1
    # The start-up window was up and painted when the registry was found unreadable (the
    # message box checks it is its parent and visible); then it closed, and no main window.
    assert window_events.events == [("show", "startup"), ("paint", "startup"), ("hide", "startup")]
    assert len(messages) == 1
    title, text = messages[0]
    assert title == "Countersign cannot open the registry"
    assert str(garbage) in text
    assert "cannot be opened as a Countersign registry" in text
    assert "countersign --db PATH" in text
    assert "Traceback" not in text


def test_registry_from_a_newer_version_says_to_update(
    qapp: QApplication, messages: list[tuple[str, str]], tmp_path: Path
) -> None:
    path = tmp_path / "registry.sqlite3"
    Database.open(str(path)).dispose()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    assert application.run_workstation(str(path), demo=False) == 1
    assert "newer version of Countersign" in messages[0][1]
    assert "Install the newer version" in messages[0][1]


def test_an_unreachable_server_offers_retry_and_cancel_ends_quietly(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    offered: list[str] = []

    def warning(parent: QWidget | None, title: str, text: str, *args: Any) -> int:
        offered.append(text)
        assert isinstance(parent, StartupWindow) and parent.isVisible()
        assert title == "Countersign cannot reach the registry server"
        retry, cancel = QMessageBox.StandardButton.Retry, QMessageBox.StandardButton.Cancel
        return int((retry if len(offered) == 1 else cancel).value)

    monkeypatch.setattr(QMessageBox, "warning", warning)
    url = f"postgresql://officer@/registry?host={tmp_path}"
    assert application.run_workstation(url, demo=False) == 1
    assert len(offered) == 2  # asked again after Retry, then Cancel
    assert "could not be made" in offered[0] and "Check the network" in offered[0]
    assert "Traceback" not in offered[0]


def test_advice_for_each_registry_error() -> None:
    locked = application.start_failure_text(RegistryLocked("the registry x is locked"))
    assert locked.startswith("The registry x is locked")
    assert "Close the other program" in locked
    assert "Free some space" in application.start_failure_text(DiskFull("the disk is full"))
    assert "--db PATH" in application.start_failure_text(RegistryUnreadable("bad"))
    assert "Install the newer" in application.start_failure_text(RegistryTooNew("newer"))


def test_opens_the_window_on_the_registry_and_names_the_app(
    qapp: QApplication,
    messages: list[tuple[str, str]],
    windows_run: list[MainWindow],
    tmp_path: Path,
) -> None:
    path = tmp_path / "registry.sqlite3"
    db = Database.open(str(path))
    card = write_card(tmp_path, "c.json", native_card("churn-model", "1.0"))
    assert Importer(db).import_file(card, LooseCardInfo(team="Retention")).ok
    db.dispose()
    before = sys.excepthook
    assert application.run_workstation(str(path), demo=False) == 0
    assert messages == []
    assert sys.excepthook is before
    main = windows_run[0]
    assert main.windowTitle() == "Countersign"
    assert main.location_label.text() == f"Registry: {path}"
    assert main.browser.models_model.row_of("churn-model") == 0
    assert QCoreApplication.organizationName() == "Countersign"
    assert QCoreApplication.applicationName() == "Countersign"
    assert not QGuiApplication.windowIcon().isNull()


def test_quitting_the_window_closes_its_registry(
    qapp: QApplication,
    messages: list[tuple[str, str]],
    windows_run: list[MainWindow],
    registry_db: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 15: on a file and on a server, the registry the window opened is closed at quit."""
    with Database.open(registry_db, create=True):
        pass  # made, as `registry init` makes it: no question about creating it
    with registries_closed(monkeypatch) as opened:
        assert application.run_workstation(registry_db, demo=False) == 0
    assert messages == []
    assert [database.location for database in opened] == [windows_run[0].services.database.location]


def test_shows_the_startup_window_first_then_the_main_window_in_its_place(  # noqa: PLR0913  # pytest passes fixtures and parameters by name
    qapp: QApplication,
    messages: list[tuple[str, str]],
    windows_run: list[MainWindow],
    window_events: WindowEvents,
    settings_file: Path,
    tmp_path: Path,
) -> None:
    earlier = QWidget()
    earlier.setGeometry(QRect(30, 40, 700, 500))
    WINDOW_GEOMETRY.write(
        QSettings(str(settings_file), QSettings.Format.IniFormat), earlier.saveGeometry()
    )
    earlier.deleteLater()
    path = tmp_path / "registry.sqlite3"
    Database.open(str(path)).dispose()
    assert application.run_workstation(str(path), demo=False) == 0
    assert messages == []
    main = windows_run[0]
    assert main.geometry() == QRect(30, 40, 700, 500)
    events = window_events.events
    assert events[:3] == [("show", "startup"), ("paint", "startup"), ("show", "main")]
    # Shown and painted before the start-up window went: never a moment without a window.
    assert events.index(("paint", "main")) < events.index(("hide", "startup"))
    assert events.index(("hide", "startup")) < events.index(("hide", "main"))


def test_files_named_at_start_open_in_the_import_preview_once_the_window_shows(
    qapp: QApplication,
    qtbot: QtBot,
    messages: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    path = tmp_path / "registry.sqlite3"
    Database.open(str(path)).dispose()
    card = write_card(tmp_path, "churn.json", native_card("churn-model", "2.0"))
    previews: list[list[str]] = []

    def exec_until_previewed(*_args: Any) -> int:
        main = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        )
        # Files on the command line: the registry, as before the home screen, not the home.
        assert not main.showing_home
        dialog = main.findChild(ImportDialog)
        # Not yet: the preview opens once the event loop runs, after the window has shown.
        assert dialog is None
        qtbot.waitUntil(lambda: main.findChild(ImportDialog) is not None, timeout=10_000)
        dialog = main.findChild(ImportDialog)
        assert dialog is not None
        qtbot.waitUntil(lambda: bool(dialog.entries), timeout=20_000)
        previews.append([entry.plan.source.name for entry in dialog.entries])
        dialog.reject()
        wait_for_background()
        main.close()
        main.deleteLater()
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_until_previewed)
    assert application.run_workstation(str(path), demo=False, open_files=[card]) == 0
    assert previews == [["churn.json"]]
    assert messages == []
    # Previewed, not imported: the registry is as it was.
    db = Database.open(str(path))
    try:
        assert Registry(db).count_models() == 0
    finally:
        db.dispose()


def test_demo_opens_a_throwaway_registry(
    qapp: QApplication,
    messages: list[tuple[str, str]],
    windows_run: list[MainWindow],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folders: list[Path] = []
    said: list[str] = []

    def build_demo_registry(folder: Path, progress: Callable[[int, int, str], None]) -> Path:
        folders.append(folder)
        progress(0, 1, "Importing demo.json")
        shells = [w for w in QApplication.topLevelWidgets() if isinstance(w, StartupWindow)]
        said.extend(shell.progress_label.text() for shell in shells if shell.isVisible())
        db = Database.open(str(folder / "demo.sqlite3"))
        card = write_card(folder, "demo.json", native_card("demo-scorer", "1.0"))
        assert Importer(db).import_file(card, LooseCardInfo(team="Demo Team")).ok
        db.dispose()
        return folder / "demo.sqlite3"

    demo = types.ModuleType("countersign.services.demo")
    demo.build_demo_registry = build_demo_registry  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "countersign.services.demo", demo)
    assert application.run_workstation(None, demo=True) == 0
    main = windows_run[0]
    assert "demo" in main.windowTitle()
    assert main.showing_home  # the window opens on the home screen
    assert main.browser.models_model.rowCount() == 1  # counted as the window was built
    assert main.location_label.text().startswith("Demo registry (thrown away on quit)")
    # The start-up window said what the demo build was doing.
    assert said == ["Importing demo.json…"]
    # Thrown away on quit.
    assert folders and not folders[0].exists()


def test_a_bug_shows_the_crash_dialog_with_the_traceback(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    restore = install_crash_handler(lambda: parent)
    try:
        try:
            raise ValueError("the slot did something silly")
        except ValueError as error:
            sys.excepthook(type(error), error, error.__traceback__)
    finally:
        restore()
    dialog = parent.findChild(CrashDialog)
    assert dialog is not None and dialog.isVisible()
    report = dialog.report.toPlainText()
    assert "ValueError: the slot did something silly" in report
    assert "Traceback (most recent call last)" in report
    dialog.copy_button.click()
    assert "ValueError" in QGuiApplication.clipboard().text()
    dialog.close()


def test_an_officer_error_is_a_message_not_a_crash(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    box = show_failure(parent, RegistryLocked("the registry r.sqlite3 is locked"), "trace")
    assert isinstance(box, QMessageBox)
    assert box.text() == "the registry r.sqlite3 is locked"
    assert parent.findChild(CrashDialog) is None
    box.close()


def test_more_bugs_join_the_open_crash_dialog(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    first = show_failure(parent, RuntimeError("one"), "Traceback: one")
    second = show_failure(parent, RuntimeError("two"), "Traceback: two")
    assert first is second
    assert isinstance(first, CrashDialog)
    assert "Traceback: two" in first.report.toPlainText()
    first.close()


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_a_missing_registry_is_created_only_when_the_officer_says_so(  # noqa: PLR0913  # pytest passes fixtures and parameters by name
    qapp: QApplication,
    messages: list[tuple[str, str]],
    windows_run: list[MainWindow],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    answer: str,
) -> None:
    asked: list[str] = []

    def question(parent: QWidget | None, title: str, text: str, *args: Any) -> Any:
        assert isinstance(parent, StartupWindow) and parent.isVisible()
        asked.append(f"{title} {text}")
        button = (
            QMessageBox.StandardButton.Yes if answer == "yes" else QMessageBox.StandardButton.No
        )
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    path = tmp_path / "new" / "registry.sqlite3"
    status = application.run_workstation(str(path), demo=False)
    assert len(asked) == 1 and f"There is no registry at {path}" in asked[0]
    assert messages == []
    if answer == "yes":
        assert status == 0 and path.exists() and len(windows_run) == 1
    else:
        assert status == 1 and not (tmp_path / "new").exists() and windows_run == []


def test_pysides_module_check_gives_the_same_answers_quicker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import inspect

    feature = sys.modules["PySide6.support.feature"]
    # PySide's own check (an earlier start in this test process may have replaced it).
    original = inspect.unwrap(feature._mod_uses_pyside)
    monkeypatch.setattr(feature, "_mod_uses_pyside", original)
    import countersign.services.storage.database as without_qt
    import countersign.views.startup_window as with_qt

    application.quicker_module_checks()
    quicker = feature._mod_uses_pyside
    assert quicker is not original
    for module in (without_qt, with_qt, sqlite3, types, sys):
        assert quicker(module) == original(module), module
    assert quicker(with_qt) and not quicker(without_qt)
    application.quicker_module_checks()  # a second start (tests) keeps the one check
    assert feature._mod_uses_pyside is quicker


def test_a_first_look_shows_the_lists_before_the_services_load(
    qapp: QApplication,
    qtbot: QtBot,
    messages: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    path = tmp_path / "registry.sqlite3"
    db = Database.open(str(path))
    for name in ("churn-model", "fraud-model"):
        card = write_card(tmp_path, f"{name}.json", native_card(name, "1.0"))
        assert Importer(db).import_file(card, LooseCardInfo(team="Retention")).ok
    db.dispose()
    seen: dict[str, object] = {}
    open_services = application._open_services

    def open_after_a_look(db: str | None, demo_folder: Path | None, shell: StartupWindow) -> Any:
        home = shell.centralWidget()
        assert isinstance(home, HomeScreen) and shell.isVisible()
        table = home.sections[DeskList.TO_REVIEW].table
        seen["first look"] = [table.model().index(r, 0).data() for r in range(2)]
        # The officer goes to the models list while the rest loads.
        qtbot.keyClick(table, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
        # Answered at once: the models list's first page, laid out as the registry page.
        models = shell.centralWidget().findChild(
            QTableView, "", Qt.FindChildOption.FindChildrenRecursively
        )
        assert models is not None and models.accessibleName() == "Models"
        seen["first models"] = [models.model().index(r, 0).data() for r in range(2)]
        assert models.focusPolicy() == Qt.FocusPolicy.NoFocus  # greyed: nothing takes the keys
        return open_services(db, demo_folder, shell)

    def exec_once(*_args: Any) -> int:
        main = next(
            w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        )
        rows = main.home.sections[DeskList.TO_REVIEW].table.model()
        seen["home"] = [rows.index(r, 0).data() for r in range(rows.rowCount())]
        seen["showing home"] = main.showing_home
        seen["models"] = main.browser.current_name()
        table = main.browser.table
        seen["main models"] = [table.model().index(r, 0).data() for r in range(2)]
        qtbot.waitUntil(lambda: not main.browser.selection_pending and not main.home.loading)
        wait_for_background()
        main.close()
        main.deleteLater()
        return 0

    shown_models: list[bool] = []
    show_models = MainWindow._on_show_models_triggered

    def show_models_once(window: MainWindow) -> None:
        shown_models.append(True)
        show_models(window)

    monkeypatch.setattr(MainWindow, "_on_show_models_triggered", show_models_once)
    monkeypatch.setattr(application, "_open_services", open_after_a_look)
    monkeypatch.setattr(QApplication, "exec", exec_once)
    assert application.run_workstation(str(path), demo=False) == 0
    assert messages == []
    assert seen["first look"] == ["churn-model", "fraud-model"]
    assert seen["first models"] == ["churn-model", "fraud-model"]
    assert seen["main models"] == seen["first models"]
    assert shown_models == [True]  # carried out once, by the main window
    # The main window's first paint showed the same rows.
    assert seen["home"] == seen["first look"]
    # Ctrl+0, pressed in the start-up window, was carried out by the main window.
    assert seen["showing home"] is False
    assert seen["models"] == "churn-model"


def test_no_first_look_at_a_registry_the_window_refuses(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "registry.sqlite3"
    Database.open(str(path)).dispose()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    shown: list[tuple[str, str]] = []

    def critical(parent: StartupWindow, _title: str, text: str, *args: Any) -> int:
        central = parent.centralWidget()
        shown.append((central.text() if isinstance(central, QLabel) else str(central), text))
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "critical", critical)
    assert application.run_workstation(str(path), demo=False) == 1
    ((central, text),) = shown
    # Refused with the same words, over the start-up window showing no list.
    assert central == "Opening the registry…"
    assert "newer version of Countersign" in text


def _close_from_the_window_system(shell: QWidget) -> None:
    """Close ``shell`` as its close button does: a close event posted by the window system."""
    QCoreApplication.postEvent(shell.windowHandle(), QCloseEvent())


@pytest.mark.parametrize("when", ["while importing", "while the main window is built"])
def test_closing_the_startup_window_while_starting_ends_the_app_cleanly(  # noqa: PLR0913  # pytest passes fixtures and parameters by name
    qapp: QApplication,
    messages: list[tuple[str, str]],
    window_events: WindowEvents,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    when: str,
) -> None:
    """The officer closes the start-up window (showing its first look) while the services and
    screens are imported, or while the main window is built: the start stops there, no main
    window shows, the registry is closed, and the status is 0 (as for quitting the window)."""
    path = tmp_path / "registry.sqlite3"
    db = Database.open(str(path))
    card = write_card(tmp_path, "churn.json", native_card("churn-model", "1.0"))
    assert Importer(db).import_file(card, LooseCardInfo(team="Retention")).ok
    db.dispose()
    # A module not imported yet, so that the start-up's finder handles Qt's events on it.
    monkeypatch.setattr(startup_window, "EVENTS_EVERY_S", 0.0)
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "imported_while_starting.py").write_text("VALUE = 1\n")
    monkeypatch.delitem(sys.modules, "imported_while_starting", raising=False)
    seen: list[str] = []
    open_services, main_window = application._open_services, application._main_window

    def close_while_importing(db: str | None, demo_folder: Path | None, shell: Any) -> Any:
        assert isinstance(shell.centralWidget(), HomeScreen) and shell.isVisible()
        if when == "while importing":
            _close_from_the_window_system(shell)
        importlib.import_module("imported_while_starting")
        seen.append(f"imported, start-up window shown: {shell.isVisible()}")
        return open_services(db, demo_folder, shell)

    def close_while_built(*args: Any) -> MainWindow:
        seen.append("main window built")
        (shell,) = [
            w for w in qapp.topLevelWidgets() if isinstance(w, StartupWindow) and w.isVisible()
        ]
        _close_from_the_window_system(shell)
        return main_window(*args)

    ran: list[bool] = []
    monkeypatch.setattr(application, "_open_services", close_while_importing)
    monkeypatch.setattr(application, "_main_window", close_while_built)
    monkeypatch.setattr(QApplication, "exec", lambda *_args: ran.append(True) or 0)
    before = sys.excepthook
    with registries_closed(monkeypatch) as opened:
        assert application.run_workstation(str(path), demo=False) == 0
    assert seen == (
        ["imported, start-up window shown: False"]
        if when == "while importing"
        else ["imported, start-up window shown: True", "main window built"]
    )
    assert ran == []  # no event loop: the app ends there
    assert messages == []
    assert len(opened) == 1  # the workstation's registry, opened and closed again
    assert sys.excepthook is before  # the crash handler (if installed) undone
    assert ("show", "main") not in window_events.events
    assert window_events.events[-1] == ("hide", "startup")
    assert not [w for w in qapp.topLevelWidgets() if w.isVisible()]
    monkeypatch.delitem(sys.modules, "imported_while_starting")
