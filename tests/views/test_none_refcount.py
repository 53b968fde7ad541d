"""The guard against PySide6 6.12 taking a reference from None on every void Qt call."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.services.text_diff import diff_lines
from app.views.diff_view import SideBySideDiff
from app.views.none_refcount import AFFECTED, keeps_none_alive

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_a_guarded_function_gives_back_what_its_qt_calls_took(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)

    @keeps_none_alive
    def many_void_calls() -> None:
        for _ in range(500):
            widget.update()

    before = sys.getrefcount(None)
    many_void_calls()
    assert sys.getrefcount(None) >= before - 2
    if AFFECTED:
        # Unguarded, the same calls cost None one reference each (measured inside a guard,
        # which then gives them back).
        lost = 0

        @keeps_none_alive
        def measured() -> None:
            nonlocal lost
            start = sys.getrefcount(None)
            many_void_calls.__wrapped__()  # type: ignore[attr-defined]
            lost = start - sys.getrefcount(None)

        measured()
        assert lost >= 450


def test_painting_the_diff_panes_keeps_none_alive(qtbot: QtBot) -> None:
    old = [f"line {i} of the card" for i in range(3_000)]
    new = [line.replace("card", "CARD") if i % 7 == 0 else line for i, line in enumerate(old)]
    view = SideBySideDiff()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.set_diff(diff_lines(old, new))
    view.show()
    qtbot.waitExposed(view)
    before = sys.getrefcount(None)
    for top in range(0, 3_000, 150):
        view.left.verticalScrollBar().setValue(top)
        view.grab()
    # Twenty full repaints of both panes and the change map: thousands of void Qt calls.
    assert sys.getrefcount(None) >= before - 200
