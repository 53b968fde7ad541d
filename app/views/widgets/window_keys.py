"""Keys every secondary window answers: Esc and Ctrl+W close it, as in any desktop program."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

CLOSE_KEYS = ("Esc", "Ctrl+W")
"""The keys that close a secondary window (dialogs close on Esc by themselves)."""


def close_with_keys(window: QWidget) -> None:
    """Let Esc and Ctrl+W close ``window`` wherever the focus is inside it."""
    for keys in CLOSE_KEYS:
        shortcut = QShortcut(QKeySequence(keys), window)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(window.close)
