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

import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from typing import cast

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QKeyCombination,
    QObject,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget

from countersign.views.settings import restore_geometry

PAINT_WAIT_MS = 500
"""How long :func:`wait_for_first_paint` waits for a window that is never exposed."""

EVENTS_EVERY_S = 0.025
"""How often :func:`answering_while_importing` lets Qt handle its events (paints, held keys)."""


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
        self.held = HeldInput(self)
        self.closed = False
        """Whether the window was closed (by the officer, while the workstation was starting)."""

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Note the close: the start then ends at its next step, with no main window."""
        self.closed = True
        super().closeEvent(event)

    def show_progress(self, text: str) -> None:
        """Say what start-up is doing now, painted at once (no event loop runs meanwhile)."""
        self.progress_label.setText(text)
        if self.isVisible():
            self.progress_label.repaint()

    def show_content(self, content: QWidget, location: str) -> None:
        """Show ``content`` (a first look at the registry) as the main window will show it.

        The status bar names the registry as the main window's does; the menus
        stay greyed until the main window takes this one's place.
        """
        self.takeCentralWidget()
        self.progress_label.hide()
        # Nothing in it takes the keyboard (no current row drawn): keys wait for the main window.
        for widget in (content, *content.findChildren(QWidget)):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCentralWidget(content)
        if self.location_label.text() != f"Registry: {location}":
            self.location_label.setText(f"Registry: {location}")
            self.statusBar().addPermanentWidget(QLabel("Counting…", self))

    def answer_key(
        self, shortcut: QKeySequence, show: Callable[[], QWidget], location: str
    ) -> None:
        """On ``shortcut``, show what ``show`` builds (a first look's models list) at once.

        The key is still held, to be carried out once by the main window
        (which then shows the same page, ready to use).
        """

        def answer() -> None:
            self.show_content(show(), location)

        self.held.answers[shortcut.toString()] = answer

    def hand_over(self, window: QWidget) -> bool:
        """Show ``window`` in this one's place, and close this one once ``window`` has painted.

        Shown before this one closes, so that there is no moment without a window.
        The keys the officer pressed meanwhile are then pressed again in ``window``.
        False, with ``window`` never shown, when the officer closed this one meanwhile.
        """
        # Input that waited while the rest loaded reaches this window first, to be held
        # (a close too: the officer gave up waiting).
        QCoreApplication.processEvents()
        if self.closed:
            self.held.stop()
            return False
        window.restoreGeometry(self.saveGeometry())
        window.show()
        wait_for_first_paint(window)
        self.close()
        self.held.press_again(window)
        return True


_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
    }
)
"""The officer's input that the start-up window holds rather than acts on."""

_MODIFIER_KEYS = frozenset({Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta})


class HeldInput(QObject):
    """The keys pressed in the start-up window, kept to be pressed again in the main window.

    What the start-up window shows (a first look) does nothing yet: a click on it
    goes nowhere, and a key (Ctrl+0 for the models list, say) is carried out by
    the main window once it has taken the start-up window's place.
    """

    def __init__(self, window: QWidget) -> None:
        # The window is this object's Qt parent, never a Python attribute: a reference cycle
        # would leave the window to the garbage collector, which may run on another thread.
        super().__init__(window)
        self.keys: list[tuple[Qt.Key, Qt.KeyboardModifier, str]] = []
        self.answers: dict[str, Callable[[], None]] = {}
        """What the start-up window shows at once for a key (by its portable text), once."""
        qt_app = QApplication.instance()
        if qt_app is not None:
            qt_app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Keep key presses aimed at the start-up window; hold back all its other input."""
        if event.type() not in _INPUT or not isinstance(watched, QWidget):
            return False
        if watched.window() is not self.parent():
            return False
        if event.type() == QEvent.Type.KeyPress:
            self._keep(cast(QKeyEvent, event))
        return True

    def _keep(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if key in _MODIFIER_KEYS:
            return
        self.keys.append((key, event.modifiers(), event.text()))
        pressed = QKeySequence(QKeyCombination(event.modifiers(), key)).toString()
        answer = self.answers.pop(pressed, None)
        if answer is not None:
            answer()

    def stop(self) -> list[tuple[Qt.Key, Qt.KeyboardModifier, str]]:
        """Stop holding input; the keys kept so far (kept no longer)."""
        qt_app = QApplication.instance()
        if qt_app is not None:
            qt_app.removeEventFilter(self)
        keys, self.keys = self.keys, []
        self.answers.clear()
        return keys

    def press_again(self, window: QWidget) -> None:
        """Stop holding; press the kept keys in ``window``: a command's shortcut runs it."""
        keys = self.stop()
        for key, modifiers, text in keys:
            pressed = QKeySequence(QKeyCombination(modifiers, key))
            command = next(
                (a for a in window.actions() if a.isEnabled() and pressed in a.shortcuts()), None
            )
            if command is not None:
                command.trigger()
                continue
            target = window.focusWidget() or window
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QCoreApplication.sendEvent(target, QKeyEvent(kind, key, modifiers, text))


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


@contextmanager
def answering_while_importing() -> Iterator[None]:
    """While the services and screens are imported, let Qt handle events every few milliseconds.

    Importing them takes most of a second on the GUI thread; meanwhile the
    start-up window is repainted when the desktop asks, and the keys pressed in it
    are held (and those it answers, such as Ctrl+0 for the models list, shown).
    Qt's events are handled between two imports, on the GUI thread only, never
    within one another.
    """
    finder = _EventsBetweenImports()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


class _EventsBetweenImports(MetaPathFinder):
    """A finder that finds nothing: asked before each new module is imported, it handles events."""

    def __init__(self) -> None:
        self._last = time.monotonic()
        self._busy = False

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: object = None
    ) -> ModuleSpec | None:
        """Handle Qt's pending events if the last were handled a while ago; find nothing."""
        del fullname, path, target
        now = time.monotonic()
        if (
            not self._busy
            and now - self._last >= EVENTS_EVERY_S
            and threading.current_thread() is threading.main_thread()
        ):
            self._busy = True
            try:
                QCoreApplication.processEvents()
            finally:
                self._busy = False
                self._last = time.monotonic()
        return None
