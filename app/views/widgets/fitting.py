"""Dialogs that grow to fit what they show, so that no field is ever squeezed below its size.

A top-level window does not grow by itself when a word-wrapped message
appears in it (a wrong passphrase, a keyring's full explanation): its layout
squeezes the fields instead, down to a few pixels.  :class:`FittingDialog`
measures, each time its layout changes, the height its contents need at its
width, keeps that as its smallest height and grows to it (within the screen).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog, QWidget

SCREEN_MARGIN = 48
"""Room a fitted window leaves on its screen, for its frame and the desktop's panels."""


def needed_height(window: QWidget) -> int:
    """The height ``window``'s layout needs at the window's width, every widget at its size hint."""
    layout = window.layout()
    if layout is None:
        return window.minimumHeight()
    layout.activate()
    width = window.width()
    if layout.hasHeightForWidth():
        needed = layout.totalHeightForWidth(width)
    else:
        needed = layout.totalSizeHint().height()
    return max(needed, layout.totalMinimumSize().height())


def fit_height(window: QWidget) -> None:
    """Make ``window`` at least as high as its contents need, and never shrinkable below that."""
    needed = needed_height(window)
    screen = window.screen()
    if screen is not None:
        needed = min(needed, screen.availableGeometry().height() - SCREEN_MARGIN)
    if window.minimumHeight() != needed:
        window.setMinimumHeight(needed)
    if window.height() < needed:
        window.resize(window.width(), needed)


class FittingDialog(QDialog):
    """A dialog that grows to fit its contents whenever they change (a message shown, a row added)."""

    def event(self, event: QEvent) -> bool:
        """After the layout has handled a change, fit the dialog's height to it."""
        handled = super().event(event)
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Show) and self.isVisible():
            fit_height(self)
        return handled
