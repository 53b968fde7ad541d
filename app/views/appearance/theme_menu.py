"""Settings ▸ Theme: System, Light or Dark, applied at once and kept for the next start."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QMenu

from countersign.models.vocabulary import Theme
from countersign.views.appearance.theme import theme_switcher
from countersign.views.settings import THEME


class ThemeMenu(QObject):
    """The Theme sub-menu of ``menu``: one checkable action per theme, the chosen one checked."""

    def __init__(self, menu: QMenu, settings: QSettings) -> None:
        super().__init__(menu)
        self._settings = settings
        self.menu = menu.addMenu("&Theme")
        self.menu.setObjectName("theme_menu")
        self.menu.setToolTipsVisible(True)
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        chosen = THEME.read(settings)
        for theme in Theme:
            action = self.menu.addAction(theme.label)
            action.setObjectName(f"theme_{theme.value}")
            action.setCheckable(True)
            action.setData(theme.value)
            action.setChecked(theme.value == chosen)
            action.setStatusTip(_TIPS[theme])
            action.setToolTip(_TIPS[theme])
            self.group.addAction(action)
        self.group.triggered.connect(self._on_group_triggered)

    def action(self, theme: Theme) -> QAction:
        """The action that chooses ``theme``."""
        for action in self.group.actions():
            if action.data() == theme.value:
                return action
        raise KeyError(theme)

    def _on_group_triggered(self, action: QAction) -> None:
        chosen = str(action.data())
        THEME.write(self._settings, chosen)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme_switcher(app).apply(chosen)


_TIPS = {
    Theme.SYSTEM: "Follow the desktop's light or dark colours, now and when they change",
    Theme.LIGHT: "Dark text on light backgrounds, whatever the desktop uses",
    Theme.DARK: "Light text on dark backgrounds, whatever the desktop uses",
}
"""What each theme does, as its menu entry's tip."""
