"""What a dialog's layout must give its widgets: never less than they need to be used and read."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

FIELD_TYPES = (QLineEdit, QComboBox, QAbstractButton, QSpinBox, QDateEdit)
"""Widgets whose height must be at least their size hint."""


def squeezed(window: QWidget) -> list[str]:
    """Every visible field shorter than its size hint, and every wrapped label cut short."""
    out: list[str] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.window() is not window:
            continue
        if widget.objectName().startswith("qt_"):
            continue  # a part of a Qt widget (a date edit's line edit): its whole is checked
        name = widget.accessibleName() or widget.objectName() or type(widget).__name__
        if isinstance(widget, FIELD_TYPES):
            if widget.height() < widget.sizeHint().height():
                out.append(f"{name}: {widget.height()} < {widget.sizeHint().height()} px")
        elif isinstance(widget, QLabel) and widget.wordWrap() and widget.text():
            needed = widget.heightForWidth(widget.width())
            if widget.height() < needed:
                out.append(f"label {name!r}: {widget.height()} < {needed} px")
        elif (
            isinstance(widget, QPlainTextEdit)
            and widget.height() < widget.minimumSizeHint().height()
        ):
            out.append(f"{name}: {widget.height()} px")
    return out


def assert_usable(qtbot: QtBot, window: QWidget) -> None:
    """Wait for the window's layout to settle, then check nothing in it is squeezed."""
    try:
        qtbot.waitUntil(lambda: not squeezed(window), timeout=2000)
    except Exception:
        raise AssertionError(squeezed(window)) from None
