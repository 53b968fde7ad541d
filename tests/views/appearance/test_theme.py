"""Settings ▸ Theme: light, dark and system, applied at once, kept, and applied at the next start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from countersign.models.vocabulary import Theme
from countersign.views.appearance.colours import BAD, GOOD, MATCH_BACKGROUND, is_dark
from countersign.views.appearance.theme import FUSION, dark_palette, theme_switcher
from countersign.views.application import apply_saved_theme
from countersign.views.main_window import MainWindow
from countersign.views.settings import THEME


@pytest.fixture(autouse=True)
def system_theme_after(qapp: QApplication) -> Iterator[None]:
    """Every test leaves the application as it found it: the system theme."""
    style = qapp.style().name()
    yield
    theme_switcher(qapp).apply(Theme.SYSTEM)
    assert qapp.style().name() == style
    assert not is_dark(qapp.palette())


def test_choosing_dark_applies_it_at_once_and_keeps_it(
    qtbot: QtBot, window: MainWindow, settings: QSettings, qapp: QApplication
) -> None:
    menu = window.theme_menu
    assert [action.text() for action in menu.group.actions()] == [
        "System (follow the desktop)",
        "Light",
        "Dark",
    ]
    assert menu.action(Theme.SYSTEM).isChecked()
    menu.action(Theme.DARK).trigger()
    assert THEME.read(settings) == "dark"
    assert qapp.style().name().lower() == FUSION.lower()
    palette = qapp.palette()
    assert is_dark(palette)
    assert palette.color(QPalette.ColorRole.Base).lightness() < 64
    assert palette.color(QPalette.ColorRole.Text).lightness() > 192
    # The window's own widgets follow, live.
    qtbot.waitUntil(lambda: is_dark(window.browser.table.palette()), timeout=2000)
    qtbot.waitUntil(lambda: is_dark(window.model_page.card_tab.browser.palette()), timeout=2000)
    menu.action(Theme.LIGHT).trigger()
    assert THEME.read(settings) == "light"
    assert not is_dark(qapp.palette())
    assert qapp.palette().color(QPalette.ColorRole.Base).lightness() > 192


def test_the_saved_theme_is_applied_at_start_and_checked_in_the_menu(
    qtbot: QtBot, settings: QSettings, qapp: QApplication, workstation: object
) -> None:
    THEME.write(settings, "dark")
    assert apply_saved_theme(qapp, settings) == Theme.DARK
    assert is_dark(qapp.palette())
    THEME.write(settings, "purple")  # a hand-edited file: read as the system theme
    assert apply_saved_theme(qapp, settings) == Theme.SYSTEM
    assert not is_dark(qapp.palette())


def test_the_workstation_colours_have_a_variant_for_dark() -> None:
    dark = dark_palette()
    light = QPalette(QColor("#f0f0f0"))
    background = dark.color(QPalette.ColorRole.Base)
    for pair in (GOOD, BAD):
        assert pair.on(light) == QColor(pair.light)
        # On dark, the text colour is lighter than its background by a clear margin.
        assert pair.on(dark).lightness() - background.lightness() > 100
    assert MATCH_BACKGROUND.on(dark) == QColor(MATCH_BACKGROUND.dark)
