"""Settings declared once: defaults, types that survive a bad file, upgrades, geometry that fits."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QRect, QSettings
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

import countersign
from countersign.services.workstation import Services
from countersign.views import settings as declared
from countersign.views.main_window import MainWindow
from countersign.views.settings import (
    DECLARED,
    IMPORT_FOLDER,
    REPORT_FOLDER,
    SETTINGS_VERSION,
    SETTINGS_VERSION_KEY,
    WINDOW_GEOMETRY,
    WINDOW_SPLITTER,
    WINDOW_STATE,
    Setting,
    fits_a_screen,
    restore_geometry,
    saved_frame,
    upgrade_settings,
)
from countersign.views.startup_window import StartupWindow
from tests.views.conftest import wait_for_background

VIEWS = Path(countersign.__file__).resolve().parent / "views"


def _ini(path: Path) -> QSettings:
    return QSettings(str(path), QSettings.Format.IniFormat)


def _geometry(qtbot: QtBot, rect: QRect) -> QByteArray:
    """What saveGeometry writes for a window at ``rect``."""
    earlier = QMainWindow()
    qtbot.addWidget(earlier)
    earlier.setGeometry(rect)
    return earlier.saveGeometry()


def test_every_setting_reads_its_default_when_nothing_is_stored(tmp_path: Path) -> None:
    settings = _ini(tmp_path / "settings.ini")
    assert SETTINGS_VERSION_KEY.read(settings) == 0
    assert IMPORT_FOLDER.read(settings) == "" and REPORT_FOLDER.read(settings) == ""
    for setting in (WINDOW_GEOMETRY, WINDOW_STATE, WINDOW_SPLITTER):
        value = setting.read(settings)
        assert isinstance(value, QByteArray) and value.isEmpty()
    keys = [setting.key for setting in DECLARED]
    assert len(keys) == len(set(keys)), "a key is declared twice"
    assert all(setting.description for setting in DECLARED)


def test_values_round_trip_through_the_file(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    geometry = _geometry(qtbot, QRect(30, 40, 700, 500))
    written = _ini(path)
    IMPORT_FOLDER.write(written, "/srv/bundles")
    WINDOW_GEOMETRY.write(written, geometry)
    written.sync()
    read = _ini(path)
    assert IMPORT_FOLDER.read(read) == "/srv/bundles"
    assert WINDOW_GEOMETRY.read(read) == geometry


def test_a_stored_value_of_the_wrong_type_reads_as_the_default(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    path.write_text(
        "[settings]\nversion=not a number\n"
        "[window]\ngeometry=@Invalid()\nsplitter=12\nstate=just text\n"
        "[import]\nlast_folder=a, b, c\n"
        "[reports]\nlast_folder=7\n",
        encoding="utf-8",
    )
    settings = _ini(path)
    assert SETTINGS_VERSION_KEY.read(settings) == 0
    for setting in (WINDOW_GEOMETRY, WINDOW_STATE, WINDOW_SPLITTER):
        assert setting.read(settings).isEmpty()
    assert IMPORT_FOLDER.read(settings) == ""  # the file holds a list here
    # An INI file stores text: a number-like folder is still a folder's name.
    assert REPORT_FOLDER.read(settings) == "7"


@pytest.mark.parametrize(
    ("stored", "expected"),
    [("7", 7), (" 3 ", 3), (7, 7), ("seven", 0), (True, 0), (None, 0), ([1], 0)],
)
def test_numbers_are_coerced_from_text_and_nothing_else(stored: object, expected: int) -> None:
    setting: Setting[int] = Setting("test/number", 0)
    value = setting.coerce(stored)
    assert (expected if value is None else value) == expected


@pytest.mark.parametrize(
    ("stored", "expected"),
    [("true", True), ("False", False), (True, True), ("yes", None), (1, None)],
)
def test_flags_are_coerced_from_true_and_false_only(stored: object, expected: bool | None) -> None:
    assert Setting("test/flag", False).coerce(stored) == expected


def test_upgrade_from_settings_without_a_version(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    geometry = _geometry(qtbot, QRect(30, 40, 700, 500))
    old = _ini(path)  # as Countersign wrote them before settings had a version
    old.setValue("window/geometry", geometry)
    old.setValue("import/last_folder", "/srv/bundles")
    old.setValue("window/splitter", "not a splitter state")
    old.sync()
    assert SETTINGS_VERSION_KEY.read(_ini(path)) == 0

    assert upgrade_settings(_ini(path)) == SETTINGS_VERSION == 1
    upgraded = _ini(path)
    assert SETTINGS_VERSION_KEY.read(upgraded) == 1
    assert WINDOW_GEOMETRY.read(upgraded) == geometry
    assert IMPORT_FOLDER.read(upgraded) == "/srv/bundles"
    assert not upgraded.contains("window/splitter"), "a value of the wrong type lingers"
    # Once upgraded, upgrading again changes nothing.
    assert upgrade_settings(upgraded) == 1
    assert IMPORT_FOLDER.read(_ini(path)) == "/srv/bundles"


def test_upgrade_from_version_0_and_from_an_empty_file(tmp_path: Path) -> None:
    zero = _ini(tmp_path / "zero.ini")
    SETTINGS_VERSION_KEY.write(zero, 0)
    REPORT_FOLDER.write(zero, "/srv/reports")
    assert upgrade_settings(zero) == 1
    assert REPORT_FOLDER.read(zero) == "/srv/reports"
    empty = _ini(tmp_path / "empty.ini")
    assert upgrade_settings(empty) == 1
    assert SETTINGS_VERSION_KEY.read(_ini(tmp_path / "empty.ini")) == 1


def test_settings_of_a_newer_countersign_are_left_alone(tmp_path: Path) -> None:
    settings = _ini(tmp_path / "settings.ini")
    SETTINGS_VERSION_KEY.write(settings, SETTINGS_VERSION + 4)
    settings.setValue("window/splitter", "shaped by a newer version")
    assert upgrade_settings(settings) == SETTINGS_VERSION + 4
    assert settings.value("window/splitter") == "shaped by a newer version"
    assert WINDOW_SPLITTER.read(settings).isEmpty()  # still read as its type


def test_every_upgrade_step_is_there() -> None:
    assert sorted(declared.UPGRADES) == list(range(1, SETTINGS_VERSION + 1))


def test_no_view_names_a_settings_key_itself() -> None:
    """Keys live in countersign.views.settings alone, never as bare strings elsewhere."""
    prefixes = tuple(f"{setting.key.split('/')[0]}/" for setting in DECLARED)
    bare = []
    for path in sorted(VIEWS.rglob("*.py")):
        if path.name == "settings.py" and path.parent == VIEWS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.startswith(prefixes)
                and " " not in node.value
            ):
                bare.append(f"{path.relative_to(VIEWS)}:{node.lineno} {node.value!r}")
    assert not bare, bare


# -- saved geometry is used only where it fits ------------------------------------------


def test_saved_frame_reads_what_save_geometry_wrote(qtbot: QtBot) -> None:
    assert saved_frame(_geometry(qtbot, QRect(30, 40, 700, 500))) == QRect(30, 40, 700, 500)
    assert saved_frame(QByteArray()) is None
    assert saved_frame(QByteArray(b"not a geometry at all")) is None


def test_fits_a_screen_only_on_a_screen_and_at_a_usable_size() -> None:
    assert fits_a_screen(QRect(30, 40, 700, 500))
    assert not fits_a_screen(QRect(5000, 4000, 700, 500))  # a monitor since unplugged
    assert not fits_a_screen(QRect(0, 0, 608, 434))  # squeezed by a run at another scale
    assert not fits_a_screen(QRect(0, 0, 4000, 3000))  # larger than any screen


@pytest.mark.parametrize(
    "rect",
    [QRect(5000, 4000, 700, 500), QRect(20, 20, 608, 434)],
    ids=["off every screen", "too small"],
)
def test_geometry_that_does_not_fit_opens_at_the_default_size(
    qtbot: QtBot, tmp_path: Path, rect: QRect
) -> None:
    settings = _ini(tmp_path / "settings.ini")
    WINDOW_GEOMETRY.write(settings, _geometry(qtbot, rect))
    window = QMainWindow()
    qtbot.addWidget(window)
    assert not restore_geometry(window, settings)
    assert (window.width(), window.height()) == (1440, 900)
    shell = StartupWindow("/srv/registry.sqlite3", settings)
    qtbot.addWidget(shell)
    assert (shell.width(), shell.height()) == (1440, 900)


def test_geometry_that_fits_is_restored(qtbot: QtBot, tmp_path: Path) -> None:
    settings = _ini(tmp_path / "settings.ini")
    WINDOW_GEOMETRY.write(settings, _geometry(qtbot, QRect(30, 40, 700, 500)))
    window = QMainWindow()
    qtbot.addWidget(window)
    assert restore_geometry(window, settings)
    assert window.geometry() == QRect(30, 40, 700, 500)


def test_the_main_window_ignores_geometry_saved_off_every_screen(
    qtbot: QtBot, workstation: Services, tmp_path: Path
) -> None:
    settings = _ini(tmp_path / "settings.ini")
    WINDOW_GEOMETRY.write(settings, _geometry(qtbot, QRect(5000, 4000, 700, 500)))
    main = MainWindow(workstation, settings)
    qtbot.addWidget(main)
    assert (main.width(), main.height()) == (1440, 900)
    assert main.geometry().topLeft() != QRect(5000, 4000, 700, 500).topLeft()
    wait_for_background()
