"""The crash path: a bug shows its traceback to copy; an officer's error shows its message.

Installed once at start-up as ``sys.excepthook``, which PySide6 calls for an
exception escaping a slot.  The registry stays consistent whatever happened:
every change to it is one transaction, committed whole or not at all.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from countersign import __version__
from countersign.errors import CountersignError

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]

_open_dialogs: list[QDialog] = []


class CrashDialog(QDialog):
    """Tells the officer that Countersign hit a bug, with the traceback ready to copy."""

    def __init__(self, trace: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Countersign hit a bug")
        self.setAccessibleName("Crash report")
        self.resize(720, 460)
        explanation = QLabel(
            "<b>Something went wrong inside Countersign.</b><br>"
            "The registry is consistent: every change to it is a single transaction, "
            "so nothing half-written was kept. You can go on working, or quit and start again.<br>"
            "Please send the report below to whoever looks after Countersign.",
            self,
        )
        explanation.setWordWrap(True)
        self.report = QPlainTextEdit(self)
        self.report.setReadOnly(True)
        self.report.setAccessibleName("Traceback")
        self.report.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.report.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.report.setPlainText(f"Countersign {__version__}\n\n{trace.rstrip()}\n")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("&Copy report", self)
        self.copy_button.setAccessibleName("Copy the report to the clipboard")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)

    def add_trace(self, trace: str) -> None:
        """Append another traceback that arrived while this dialog was open."""
        self.report.appendPlainText(f"\n--- and then ---\n\n{trace.rstrip()}\n")

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.report.toPlainText())


def show_failure(parent: QWidget | None, error: BaseException, trace: str) -> QDialog:
    """Show ``error``: its message if the officer can act on it, else the crash dialog.

    The dialog is opened without blocking and returned (tests close it).
    """
    if isinstance(error, CountersignError):
        box = QMessageBox(QMessageBox.Icon.Warning, "Countersign", str(error), parent=parent)
        box.setAccessibleName("Error")
        _keep_open(box)
        box.open()
        return box
    for dialog in _open_dialogs:
        if isinstance(dialog, CrashDialog) and dialog.isVisible():
            dialog.add_trace(trace)
            return dialog
    crash = CrashDialog(trace, parent)
    _keep_open(crash)
    crash.open()
    return crash


def install_crash_handler(parent: Callable[[], QWidget | None]) -> Callable[[], None]:
    """Route uncaught exceptions to :func:`show_failure`; returns a function that undoes it.

    ``parent`` gives the window the dialogs belong to at the time of the failure.
    """
    previous: ExceptHook = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, error, tb)
            return
        trace = "".join(traceback.format_exception(kind, error, tb))
        if not isinstance(error, CountersignError):
            # Also on the terminal, for a report even if the dialog cannot be shown.
            sys.stderr.write(trace)
        show_failure(parent(), error, trace)

    sys.excepthook = hook

    def restore() -> None:
        sys.excepthook = previous

    return restore


def _keep_open(dialog: QDialog) -> None:
    # Dialogs opened without exec() need a reference until they close.
    _open_dialogs.append(dialog)
    dialog.finished.connect(lambda _result: _forget(dialog))


def _forget(dialog: QDialog) -> None:
    if dialog in _open_dialogs:
        _open_dialogs.remove(dialog)
