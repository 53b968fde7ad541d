"""One way to run long work off the GUI thread (after Anki's ``op``).

The work is a plain function ``work(progress, cancelled)`` that must not
touch any widget; ``progress`` and ``cancelled`` are the callables of
:mod:`countersign.services.progress`, so the work hands them on to a service.  It runs on a single worker thread shared by the whole
window, so registry writes never race each other.  Its progress reaches the
GUI thread as a signal; its result or its exception reaches ``on_success`` or
``on_failure`` on the GUI thread.  An optional progress dialog shows the
progress and offers Cancel, which the work sees through ``cancelled()``.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any, NotRequired, TypedDict, Unpack

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from countersign.services.progress import Cancelled, Progress

Work = Callable[[Progress, Cancelled], Any]
"""Work for the worker thread: the progress and cancel callables of
:mod:`countersign.services.progress`, as every service takes them."""

_POOL: QThreadPool | None = None


def worker_pool() -> QThreadPool:
    """The one worker thread that runs every background task, in order."""
    global _POOL  # one pool per process, created on first use
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(1)
    return _POOL


class _Signals(QObject):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object, str)


class _Runnable(QRunnable):
    def __init__(self, work: Work, signals: _Signals, cancel: threading.Event) -> None:
        super().__init__()
        self._work = work
        self._signals = signals
        self._cancel = cancel

    def run(self) -> None:
        try:
            result = self._work(self._signals.progressed.emit, self._cancel.is_set)
        except BaseException as error:  # handed to the GUI thread, which decides
            self._signals.failed.emit(error, traceback.format_exc())
        else:
            self._signals.succeeded.emit(result)


class BackgroundTask(QObject):
    """A piece of work running on the worker thread; keep a reference while it runs."""

    finished = Signal()

    def __init__(
        self,
        work: Work,
        *,
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException, str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._signals = _Signals()
        self._signals.succeeded.connect(
            self._on_signals_succeeded, Qt.ConnectionType.QueuedConnection
        )
        self._signals.failed.connect(self._on_signals_failed, Qt.ConnectionType.QueuedConnection)
        self.progressed = self._signals.progressed
        self._on_success = on_success
        self._on_failure = on_failure
        self._runnable = _Runnable(work, self._signals, self._cancel)
        self._runnable.setAutoDelete(False)
        self.running = False

    def start(self) -> None:
        """Queue the work on the worker thread."""
        self.running = True
        worker_pool().start(self._runnable)

    def cancel(self) -> None:
        """Ask the work to stop at its next check; it decides what is safe."""
        self._cancel.set()

    def _on_signals_succeeded(self, result: object) -> None:
        self.running = False
        self._on_success(result)
        self.finished.emit()

    def _on_signals_failed(self, error: BaseException, trace: str) -> None:
        self.running = False
        self._on_failure(error, trace)
        self.finished.emit()


class _ProgressDialog(QProgressDialog):
    """A progress dialog fed by a task; its slot dies with it, so late progress is dropped."""

    def show_progress(self, done: int, total: int, what: str) -> None:
        self.setMaximum(max(total, 1))
        self.setValue(min(done, max(total, 1)))
        self.setLabelText(what)


class ProgressHandlers(TypedDict):
    """What :func:`run_with_progress` calls when the work ends, and whether it may be cancelled."""

    on_success: Callable[[Any], None]
    on_failure: Callable[[BaseException, str], None]
    cancellable: NotRequired[bool]


def run_with_progress(
    parent: QWidget, title: str, work: Work, **handlers: Unpack[ProgressHandlers]
) -> BackgroundTask:
    """Run ``work`` with a modal progress dialog (Cancel when ``cancellable``).

    The dialog is deleted when the work ends; progress is connected to a
    method of the dialog, so Qt drops any that arrives after it is gone.
    """
    on_success, on_failure = handlers["on_success"], handlers["on_failure"]
    cancellable = handlers.get("cancellable", True)
    dialog = _ProgressDialog(title, "Cancel" if cancellable else "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoReset(False)
    dialog.setAutoClose(False)
    if not cancellable:
        dialog.setCancelButton(None)

    def finish_success(result: Any) -> None:
        dialog.close()
        dialog.deleteLater()
        on_success(result)

    def finish_failure(error: BaseException, trace: str) -> None:
        dialog.close()
        dialog.deleteLater()
        on_failure(error, trace)

    task = BackgroundTask(work, on_success=finish_success, on_failure=finish_failure, parent=parent)
    task.progressed.connect(dialog.show_progress)
    dialog.canceled.connect(task.cancel)
    task.start()
    return task
