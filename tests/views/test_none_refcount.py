"""The installed PySide6 must not leak references to None.

PySide6 6.12.0 hands Python a ``None`` without the reference it owes from
every Qt method that returns nothing; on CPython 3.11 (where None is not
immortal) painting thousands of rows drives None's count to zero and the
process aborts ("none_dealloc").  pyproject.toml excludes that release; this
test fails if such a binding is installed anyway.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot


def test_void_qt_calls_keep_none_referenced(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(2000):
        widget.update()
    assert sys.getrefcount(None) > before - 1000, "this PySide6 leaks None: see pyproject.toml"
