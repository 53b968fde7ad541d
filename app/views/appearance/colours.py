"""The workstation's own colours, each in a light and a dark variant that read on its theme.

Qt's palette colours the widgets; the colours below are the workstation's
own (verdicts, search highlights, problem text).  Each is asked for with the
palette it is drawn on, so that text stays readable on a dark background as
on a light one.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QGuiApplication, QPalette


@dataclass(frozen=True)
class Pair:
    """One colour of the workstation's, as drawn on a light and on a dark background."""

    light: str
    dark: str

    def on(self, palette: QPalette | None = None) -> QColor:
        """The variant for ``palette`` (the application's when none is given)."""
        return QColor(self.dark if is_dark(palette) else self.light)


GOOD = Pair("#2f8f5b", "#6fd39b")
"""Text that says better, passed, valid, done."""

BAD = Pair("#c8433a", "#ff8a80")
"""Text that says worse, failed, refused, missing."""

CAUTION = Pair("#8c6000", "#f0c060")
"""Text that says it needs a look."""

MATCH_BACKGROUND = Pair("#ffe66b", "#8a6d00")
"""Behind a word a search matched (in the results and in the Card tab)."""

MATCH_TEXT = Pair("#000000", "#ffffff")
"""A word a search matched, on :data:`MATCH_BACKGROUND`."""


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether ``palette`` (the application's when none is given) draws light text on dark."""
    shown = palette if palette is not None else QGuiApplication.palette()
    return shown.color(QPalette.ColorRole.Window).lightness() < 128
