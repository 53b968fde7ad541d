"""The start-up window: light to import, in the workstation's place, handing over without a gap."""

from __future__ import annotations

import importlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from countersign.views import startup_window
from countersign.views.actions import MENUS
from countersign.views.settings import WINDOW_GEOMETRY
from countersign.views.startup_window import (
    StartupWindow,
    answering_while_importing,
    wait_for_first_paint,
)

REPO = Path(__file__).resolve().parents[2]

HEAVY = (
    "countersign.services.",
    "countersign.models",
    "countersign.formats",
    "sqlalchemy",
    "pydantic",
    "keyring",
)
"""Modules the start-up window must paint without (prefixes of sys.modules names)."""

_SHELL_ALONE = """
import json, sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from countersign.views import startup_window
from countersign.views.startup_window import (
    StartupWindow,
    answering_while_importing,
    wait_for_first_paint,
)

qt_app = QApplication([])
shell = StartupWindow("/srv/registry.sqlite3", QSettings(sys.argv[1], QSettings.Format.IniFormat))
shell.show()
painted = wait_for_first_paint(shell)
print("REPORT " + json.dumps({"painted": painted, "modules": sorted(sys.modules)}))
"""

_COUNTERSIGN_COMMAND = """
import json, sys
import countersign.views.application as application

painted = []
wait_for_first_paint = application.wait_for_first_paint

def wait_and_note(window, *args):
    painted.append([type(window).__name__, wait_for_first_paint(window, *args)])
    return painted[-1][1]

def open_services(db, demo_folder, shell):
    # What was painted and imported when the registry is about to be opened,
    # and what the officer's Ctrl+0 (View > Models list) shows meanwhile.
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QTableView

    central = type(shell.centralWidget()).__name__
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(kind, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier, "0")
        QCoreApplication.sendEvent(shell.focusWidget() or shell, event)
    tables = [t for t in shell.findChildren(QTableView) if t.accessibleName() == "Models"]
    print("REPORT " + json.dumps({
        "painted": painted,
        "visible": shell.isVisible(),
        "status": shell.location_label.text(),
        "central": central,
        "after_key": type(shell.centralWidget()).__name__,
        "models": [t.model().index(0, 0).data() for t in tables if t.model().rowCount()],
        "modules": sorted(sys.modules),
    }))
    return None

application.wait_for_first_paint = wait_and_note
application._open_services = open_services
from countersign.cli import main
sys.exit(main(["--db", sys.argv[1]]))
"""


def _run(code: str, argument: str, tmp_path: Path) -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    result = subprocess.run(
        [sys.executable, "-c", code, argument],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("REPORT ")]
    assert lines, result.stderr
    report: dict[str, object] = json.loads(lines[-1].removeprefix("REPORT "))
    report["returncode"] = result.returncode
    return report


def _heavy(modules: object) -> list[str]:
    assert isinstance(modules, list)
    return [name for name in modules if name.startswith(HEAVY)]


def test_the_startup_window_paints_with_pyside6_and_the_standard_library_only(
    tmp_path: Path,
) -> None:
    report = _run(_SHELL_ALONE, str(tmp_path / "settings.ini"), tmp_path)
    assert report["painted"] is True
    assert _heavy(report["modules"]) == []
    modules = report["modules"]
    assert isinstance(modules, list)
    assert [name for name in modules if name.startswith("countersign")] == [
        "countersign",
        "countersign.views",
        "countersign.views.settings",
        "countersign.views.startup_window",
    ]


def test_countersign_paints_the_startup_window_before_the_services_load(tmp_path: Path) -> None:
    registry = tmp_path / "registry.sqlite3"
    report = _run(_COUNTERSIGN_COMMAND, str(registry), tmp_path)
    assert report["painted"] == [["StartupWindow", True]]
    assert report["visible"] is True
    assert report["status"] == f"Opening the registry: {registry}"
    # Plain modules only: the vocabulary the options choose from (standard library only,
    # see tests/models/test_vocabulary.py) and where the registry is (with the packages
    # around them).
    assert _heavy(report["modules"]) == [
        "countersign.models",
        "countersign.models.vocabulary",
        "countersign.services.storage",
        "countersign.services.storage.locations",
    ]
    # Nothing was opened: the stand-in said the registry could not be.
    assert report["returncode"] == 1
    assert not registry.exists()


def test_a_registry_at_the_newest_revision_shows_a_first_look_before_the_services_load(
    tmp_path: Path,
) -> None:
    from countersign.services.storage.database import Database

    registry = tmp_path / "registry.sqlite3"
    Database.open(str(registry)).dispose()
    connection = sqlite3.connect(registry)
    connection.execute(
        "INSERT INTO models (name, team, risk_tier, latest_version, status, version_count, "
        "created_at, last_activity) VALUES ('churn-model', 'Retention', 'high', '1.0', "
        "'imported', 1, '2026-01-02T03:04:05.000000Z', '2026-01-02T03:04:05.000000Z')"
    )
    connection.commit()
    connection.close()
    report = _run(_COUNTERSIGN_COMMAND, str(registry), tmp_path)
    # Painted twice before the registry is opened: the start-up window, then the first look.
    assert report["painted"] == [["StartupWindow", True], ["StartupWindow", True]]
    assert report["central"] == "HomeScreen"
    # Ctrl+0 answered with the models list's first page, still without the heavy modules.
    assert report["after_key"] == "QSplitter"
    assert report["models"] == ["churn-model"]
    assert report["status"] == f"Registry: {registry}"
    heavy = ("sqlalchemy", "pydantic", "alembic", "keyring", "cryptography", "yaml")
    modules = report["modules"]
    assert isinstance(modules, list)
    assert [name for name in modules if name.startswith(heavy)] == []
    assert "countersign.models.card" not in modules
    assert "countersign.services.storage.database" not in modules
    assert report["returncode"] == 1


def test_titled_and_placed_as_the_workstation_was(qtbot: QtBot, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    earlier = QMainWindow()
    qtbot.addWidget(earlier)
    earlier.setGeometry(QRect(30, 40, 700, 500))
    WINDOW_GEOMETRY.write(settings, earlier.saveGeometry())

    shell = StartupWindow("/srv/registry.sqlite3", settings, menus=MENUS)
    qtbot.addWidget(shell)
    assert shell.windowTitle() == "Countersign"
    assert shell.geometry() == QRect(30, 40, 700, 500)
    assert shell.progress_label.text() == "Opening the registry…"
    assert shell.location_label.text() == "Opening the registry: /srv/registry.sqlite3"
    menus = [action.text() for action in shell.menuBar().actions()]
    assert menus == list(MENUS)
    assert not any(action.isEnabled() for action in shell.menuBar().actions())


def test_demo_and_first_start(qtbot: QtBot, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    shell = StartupWindow("/tmp/anything", settings, demo=True)
    qtbot.addWidget(shell)
    assert shell.windowTitle() == "Countersign — demo registry"
    assert shell.size().width() == 1440 and shell.size().height() == 900
    assert shell.progress_label.text() == "Building the demo registry…"
    assert shell.location_label.text() == "Demo registry (thrown away on quit)"
    shell.show()
    assert wait_for_first_paint(shell)
    shell.show_progress("Importing credit-scorer.cardbundle…")
    assert shell.progress_label.text() == "Importing credit-scorer.cardbundle…"
    shell.progress_label.grab().save(str(tmp_path / "progress.png"))
    shell.close()


class _Recorder(QObject):
    """Shows, hides and first paints of top-level windows, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if isinstance(watched, QWidget):
            kind = {
                QEvent.Type.Show: "show",
                QEvent.Type.Hide: "hide",
                QEvent.Type.Paint: "paint",
            }.get(event.type())
            top = watched.window()
            if kind and (kind == "paint" or watched is top):
                entry = (kind, top.objectName())
                if kind != "paint" or entry not in self.events:
                    self.events.append(entry)
        return False


def test_hand_over_shows_the_window_in_place_before_closing(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    shell = StartupWindow("/srv/registry.sqlite3", settings)
    shell.setObjectName("shell")
    qtbot.addWidget(shell)
    shell.setGeometry(QRect(50, 60, 640, 480))
    window = QMainWindow()
    window.setObjectName("main")
    window.setCentralWidget(QLabel("the registry"))
    qtbot.addWidget(window)
    recorder = _Recorder()
    qapp.installEventFilter(recorder)
    try:
        shell.show()
        assert wait_for_first_paint(shell)
        shell.hand_over(window)
    finally:
        qapp.removeEventFilter(recorder)
    assert window.isVisible() and not shell.isVisible()
    assert window.geometry() == QRect(50, 60, 640, 480)
    events = recorder.events
    assert events.index(("show", "shell")) < events.index(("paint", "shell"))
    assert events.index(("paint", "shell")) < events.index(("show", "main"))
    # The main window is shown and painted before the start-up window goes.
    assert events.index(("show", "main")) < events.index(("paint", "main"))
    assert events.index(("paint", "main")) < events.index(("hide", "shell"))


def test_keys_pressed_meanwhile_are_pressed_again_in_the_window_handed_over(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    shell = StartupWindow("/srv/registry.sqlite3", settings, menus=MENUS)
    qtbot.addWidget(shell)
    first_look = QLineEdit(shell)  # what a first look shows: it must not take the keys itself
    shell.show_content(first_look, "/srv/registry.sqlite3")
    first_look.setFocus()
    shell.show()
    assert wait_for_first_paint(shell)
    assert shell.location_label.text() == "Registry: /srv/registry.sqlite3"

    window = QMainWindow()
    qtbot.addWidget(window)
    search = QLineEdit(window)
    window.setCentralWidget(search)
    find = QAction("Find", window)
    find.setShortcut(QKeySequence("Ctrl+F"))
    window.addAction(find)
    found: list[bool] = []
    find.triggered.connect(lambda: (found.append(True), search.setFocus()))

    qtbot.keyClick(first_look, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(first_look, "calib")
    qtbot.mouseClick(first_look, Qt.MouseButton.LeftButton)
    assert first_look.text() == ""  # held, not typed into what the start-up window shows
    shell.hand_over(window)
    assert not shell.isVisible()
    assert found == [True]  # the shortcut ran the main window's command
    assert search.text() == "calib"  # then the letters went where the command put the cursor
    assert shell.held.keys == []


def _typed_into_while_starting(
    qtbot: QtBot, tmp_path: Path, menus: Sequence[str] = ()
) -> tuple[StartupWindow, QMainWindow, QLineEdit]:
    """A painted start-up window the officer typed "ok" into, and the main window that
    will take over, with a focused box for the keys."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    shell = StartupWindow("/srv/registry.sqlite3", settings, menus=menus)
    qtbot.addWidget(shell)
    shell.show()
    assert wait_for_first_paint(shell)
    window = QMainWindow()
    qtbot.addWidget(window)
    box = QLineEdit(window)
    window.setCentralWidget(box)
    box.setFocus()
    qtbot.keyClicks(shell, "ok")
    return shell, window, box


def test_closed_meanwhile_it_hands_over_to_no_window(qtbot: QtBot, tmp_path: Path) -> None:
    shell, window, box = _typed_into_while_starting(qtbot, tmp_path, MENUS)
    assert not shell.closed
    # The officer closes it (its close button: an event from the window system, waiting).
    QCoreApplication.postEvent(shell.windowHandle(), QCloseEvent())
    assert shell.hand_over(window) is False
    assert shell.closed and not shell.isVisible()
    assert not window.isVisible() and box.text() == ""  # never shown, no key pressed in it
    assert shell.held.keys == []
    qtbot.keyClicks(box, "typed")  # input is held no longer
    assert box.text() == "typed"


def test_a_window_without_the_command_gets_the_key_itself(qtbot: QtBot, tmp_path: Path) -> None:
    shell, window, box = _typed_into_while_starting(qtbot, tmp_path)
    shell.hand_over(window)
    assert box.text() == "ok"


def test_a_key_the_startup_window_answers_shows_its_page_and_is_still_carried_out_once(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    shell = StartupWindow("/srv/registry.sqlite3", settings, menus=MENUS)
    qtbot.addWidget(shell)
    shell.show_content(QLabel("home lists", shell), "/srv/registry.sqlite3")
    built: list[QLabel] = []

    def models_page() -> QWidget:
        built.append(QLabel("models list", shell))
        return built[-1]

    shell.answer_key(QKeySequence("Ctrl+0"), models_page, "/srv/registry.sqlite3")
    shell.show()
    assert wait_for_first_paint(shell)
    qtbot.keyClick(shell, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert built == []  # another key: held only
    qtbot.keyClick(shell, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert built and shell.centralWidget() is built[0]
    assert built[0].focusPolicy() == Qt.FocusPolicy.NoFocus
    qtbot.keyClick(shell, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert len(built) == 1  # answered once; the second press is held like any other
    assert len(shell.statusBar().findChildren(QLabel)) == 2  # the status bar set up once

    window = QMainWindow()
    qtbot.addWidget(window)
    pressed: list[str] = []
    for text in ("Ctrl+0", "Ctrl+1"):
        command = QAction(text, window)
        command.setShortcut(QKeySequence(text))
        command.triggered.connect(lambda _checked=False, t=text: pressed.append(t))
        window.addAction(command)
    shell.hand_over(window)
    # Every key carried out once by the main window, in the order pressed.
    assert pressed == ["Ctrl+1", "Ctrl+0", "Ctrl+0"]
    assert shell.held.answers == {}


def test_events_are_handled_between_imports_while_answering(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    del qtbot  # the Qt application
    monkeypatch.setattr(startup_window, "EVENTS_EVERY_S", 0.0)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("answered_one", "answered_two"):
        (tmp_path / f"{name}.py").write_text("VALUE = 1\n")
    fired: list[str] = []
    QTimer.singleShot(0, lambda: fired.append("timer"))
    finders = list(sys.meta_path)
    with answering_while_importing():
        importlib.import_module("answered_one")
        assert fired == ["timer"]  # handled while the module was being found
    assert sys.meta_path == finders
    QTimer.singleShot(0, lambda: fired.append("later"))
    importlib.import_module("answered_two")
    assert fired == ["timer"]  # not once the start is over
    QApplication.processEvents()
    assert fired == ["timer", "later"]
    for name in ("answered_one", "answered_two"):
        monkeypatch.delitem(sys.modules, name)
