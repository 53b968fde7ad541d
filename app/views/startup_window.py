"""The start-up window: what the officer sees while the registry and the screens load.

It appears as soon as the Qt application exists, where the workstation was
last closed, titled as the workstation and naming the registry being opened,
so that the first paint waits for nothing.  The main window replaces it once
the services and screens are imported and the registry is open.

This module imports PySide6, the standard library and the settings
declarations (themselves PySide6 only) alone (a test checks it):
everything heavier is what it stands in front of.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget

from countersign.views.settings import restore_geometry

PAINT_WAIT_MS = 500
"""How long :func:`wait_for_first_paint` waits for a window that is never exposed."""


class StartupWindow(QMainWindow):
    """A calm placeholder for the workstation: its title, place and size, and what it opens."""

    def __init__(
        self,
        location: str,
        settings: QSettings,
        *,
        demo: bool = False,
        menus: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Countersign — demo registry" if demo else "Countersign")
        # The workstation's menu titles, greyed out, so that its contents do not jump.
        for title in menus:
            self.menuBar().addMenu(title).setEnabled(False)

        self.progress_label = QLabel(self)
        self.progress_label.setAccessibleName("Start-up progress")
        self.progress_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_label.setAutoFillBackground(True)
        palette = self.progress_label.palette()
        # An empty table's background, with text as quiet as a placeholder's.
        palette.setColor(QPalette.ColorRole.Window, palette.color(QPalette.ColorRole.Base))
        palette.setColor(
            QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText)
        )
        self.progress_label.setPalette(palette)
        self.setCentralWidget(self.progress_label)

        self.location_label = QLabel(self)
        self.location_label.setAccessibleName("Registry location")
        self.location_label.setTextFormat(Qt.TextFormat.PlainText)
        self.location_label.setToolTip(location)
        self.statusBar().addWidget(self.location_label, 1)
        if demo:
            self.progress_label.setText("Building the demo registry…")
            self.location_label.setText("Demo registry (thrown away on quit)")
        else:
            self.progress_label.setText("Opening the registry…")
            self.location_label.setText(f"Opening the registry: {location}")

        restore_geometry(self, settings)

    def show_progress(self, text: str) -> None:
        """Say what start-up is doing now, painted at once (no event loop runs meanwhile)."""
        self.progress_label.setText(text)
        if self.isVisible():
            self.progress_label.repaint()

    def hand_over(self, window: QWidget) -> None:
        """Show ``window`` in this one's place, and close this one once ``window`` has painted.

        Shown before this one closes, so that there is no moment without a window.
        """
        window.restoreGeometry(self.saveGeometry())
        window.show()
        wait_for_first_paint(window)
        self.close()


def wait_for_first_paint(window: QWidget, timeout_ms: int = PAINT_WAIT_MS) -> bool:
    """Run Qt's events, not the officer's input, until ``window`` has painted; say whether it did.

    Gives up after ``timeout_ms``: a window the desktop never exposes (started
    minimised, say) must not hold the start back.
    """
    qt_app = QApplication.instance()
    if qt_app is None:
        return False
    loop = QEventLoop()
    watcher = _FirstPaint(window, loop)
    qt_app.installEventFilter(watcher)
    deadline = QTimer(loop)
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(timeout_ms)
    try:
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    finally:
        qt_app.removeEventFilter(watcher)
    return watcher.seen


class _FirstPaint(QObject):
    """Ends ``loop`` once a widget inside ``window`` is painted."""

    def __init__(self, window: QWidget, loop: QEventLoop) -> None:
        super().__init__()
        self._window = window
        self._loop = loop
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Note the first paint of the window or a widget in it; never consume the event."""
        if (
            not self.seen
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window() is self._window
        ):
            self.seen = True
            # The loop stops once this paint (and the flush to the screen after it) is done.
            self._loop.quit()
        return False
