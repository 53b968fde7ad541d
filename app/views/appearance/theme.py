"""The light, dark and system themes: Qt's Fusion style with a palette of each, applied live.

Light and dark use Fusion, whose every control is drawn from the palette, so
one palette recolours the whole workstation.  System keeps the style and the
palette Qt took from the desktop at start-up, and follows the desktop when it
turns dark or light while Countersign runs; where the desktop says dark but
its style stayed light (many X11 desktops), the dark palette is used.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from countersign.models.vocabulary import Theme
from countersign.views.appearance.colours import is_dark

FUSION = "Fusion"
"""The style the light and dark themes use."""

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup

_DARK = {
    _Role.Window: "#2b2d30",
    _Role.WindowText: "#e6e6e6",
    _Role.Base: "#1f2023",
    _Role.AlternateBase: "#27292c",
    _Role.ToolTipBase: "#3a3d41",
    _Role.ToolTipText: "#f0f0f0",
    _Role.PlaceholderText: "#8c9096",
    _Role.Text: "#e6e6e6",
    _Role.Button: "#35373b",
    _Role.ButtonText: "#e6e6e6",
    _Role.BrightText: "#ff6b6b",
    _Role.Light: "#4a4d52",
    _Role.Midlight: "#3e4146",
    _Role.Mid: "#2a2c2f",
    _Role.Dark: "#1b1c1e",
    _Role.Shadow: "#0e0e0f",
    _Role.Highlight: "#2f6fb3",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#7ab7ff",
    _Role.LinkVisited: "#c79bff",
}
"""The dark palette's colours (the active and inactive groups)."""

_DARK_DISABLED = {
    _Role.WindowText: "#7d8187",
    _Role.Text: "#7d8187",
    _Role.ButtonText: "#7d8187",
    _Role.Base: "#26282b",
    _Role.Button: "#303236",
    _Role.Highlight: "#4a4d52",
    _Role.HighlightedText: "#a0a4aa",
}
"""How the dark palette draws a disabled control."""


def dark_palette() -> QPalette:
    """The dark theme's palette: light text on dark grey, a blue highlight."""
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(_Group.Disabled, role, QColor(colour))
    return palette


def light_palette() -> QPalette:
    """The light theme's palette: Fusion's own."""
    style = QStyleFactory.create(FUSION)
    return style.standardPalette()


def desktop_is_dark(app: QGuiApplication) -> bool:
    """Whether the desktop asks for dark colours (Qt's colour scheme hint)."""
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


class ThemeSwitcher(QObject):
    """Applies a theme to the application, at start and whenever the officer chooses another.

    Keeps the style the desktop gave (or ``-style`` chose), for the system
    theme, and applies the system theme again when the desktop's colour
    scheme changes while it is chosen.
    """

    changed = Signal(str)
    """A theme was applied (its stored word)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("theme_switcher")
        self._app = app
        self._desktop_style = app.style().name()
        self._theme = Theme.SYSTEM
        app.styleHints().colorSchemeChanged.connect(self._on_style_hints_color_scheme_changed)

    @property
    def theme(self) -> Theme:
        """The theme applied."""
        return self._theme

    def apply(self, theme: str) -> Theme:
        """Apply ``theme`` (a stored word; one this version does not know counts as system)."""
        self._theme = Theme(theme) if Theme.known(theme) else Theme.SYSTEM
        if self._theme == Theme.DARK:
            self._use(FUSION, dark_palette())
        elif self._theme == Theme.LIGHT:
            self._use(FUSION, light_palette())
        else:
            # A palette with nothing set is the desktop's own.
            self._use(self._desktop_style, QPalette())
            if desktop_is_dark(self._app) and not is_dark(self._app.palette()):
                self._use(FUSION, dark_palette())
        self.changed.emit(self._theme.value)
        return self._theme

    def _use(self, style: str, palette: QPalette) -> None:
        if self._app.style().name().lower() != style.lower():
            self._app.setStyle(style)
        self._app.setPalette(palette)

    def _on_style_hints_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._theme == Theme.SYSTEM:
            self.apply(Theme.SYSTEM)


def theme_switcher(app: QApplication) -> ThemeSwitcher:
    """The application's theme switcher (made on first call, a child of ``app``, then found)."""
    found = app.findChild(ThemeSwitcher, "theme_switcher")
    return found if isinstance(found, ThemeSwitcher) else ThemeSwitcher(app)
