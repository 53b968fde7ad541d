"""A pytest plugin: a test that leaves a thread, worker or timer running fails (after napari's).

Work that outlives its test runs into the next one: it writes to a registry
another test is reading, fires a slot on a widget being torn down, or fails
in a test that has nothing to do with it.  So, around every test:

- a Python thread started during the test must have ended (a short grace for
  one that is finishing);
- a ``QThread`` started during the test must have finished;
- a ``QThreadPool`` given work during the test must have none left;
- a ``QTimer`` started during the test (``start`` or ``QTimer.singleShot``)
  must not be waiting to fire: the test waits for what it started, or stops it.

The Qt checks run where PySide6 is already imported (every run that collects the
GUI tests); this module never imports it itself, so the suite below ``app/views``
runs with no Qt installed.  Each failure names where the thread, work or timer
was started.  ``tests/conftest.py`` loads it; ``tests/test_leaks.py`` checks it.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

GRACE_SECONDS = 2.0
"""How long a thread or pool that is just finishing may take after its test."""

_OWN_CODE = ("/app/", "/tests/", "/benchmarks/", "/countersign/")


def _started_at() -> str:
    """Where the project's code started the thing: the innermost frame of ours."""
    frames = traceback.extract_stack()[:-2]
    ours = [f for f in frames if any(part in f.filename for part in _OWN_CODE)]
    frame = (ours or frames)[-1]
    return f"{frame.filename}:{frame.lineno} ({frame.name})"


def _python_threads() -> set[threading.Thread]:
    # A Qt thread that ran Python code shows as a _DummyThread forever; the
    # QThread and QThreadPool checks cover those.
    return {
        t
        for t in threading.enumerate()
        if t.is_alive() and not isinstance(t, threading._DummyThread)  # type: ignore[attr-defined]
    }


@pytest.fixture(autouse=True)
def _no_python_thread_left_running(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if a thread it started is still running after it."""
    before = _python_threads()
    places: weakref.WeakKeyDictionary[threading.Thread, str] = weakref.WeakKeyDictionary()
    start = threading.Thread.start

    def start_recorded(thread: threading.Thread) -> None:
        places[thread] = _started_at()
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", start_recorded)
    yield
    deadline = time.monotonic() + GRACE_SECONDS
    left = _python_threads() - before
    for thread in left:
        thread.join(max(0.0, deadline - time.monotonic()))
    still = sorted(
        f"{t.name} (started at {places.get(t, 'an unknown place')})" for t in left if t.is_alive()
    )
    if still:
        pytest.fail(f"the test left Python threads running: {', '.join(still)}", pytrace=False)


class _QtTracker:
    """What the test started through Qt, recorded by patched ``start`` methods."""

    def __init__(self) -> None:
        # Threads and pools are held (QThreadPool.globalInstance() hands out a new wrapper
        # each time); timers weakly, as a timer nobody holds is gone and never fires.
        self.threads: list[tuple[Any, str]] = []
        self.pools: dict[int, tuple[Any, list[str]]] = {}
        self.timers: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
        self.single_shots: list[tuple[Any, str]] = []

    def patch(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Record every QThread, QThreadPool and QTimer start from Python code."""
        from PySide6.QtCore import QObject, QThread, QThreadPool, QTimer

        thread_start = QThread.start
        pool_start = QThreadPool.start
        timer_start = QTimer.start

        def start_thread(thread: Any, *args: Any) -> None:
            self.threads.append((thread, _started_at()))
            thread_start(thread, *args)

        def start_in_pool(pool: Any, *args: Any) -> None:
            self.pools.setdefault(id(pool), (pool, []))[1].append(_started_at())
            pool_start(pool, *args)

        def start_timer(timer: Any, *args: Any) -> None:
            self.timers[timer] = _started_at()
            timer_start(timer, *args)

        def single_shot(msec: int, *target: Any) -> None:
            # singleShot(msec, callable) or singleShot(msec, context, callable): one timer
            # of our own, parented to the context so that it dies with it as Qt's would.
            context = target[0] if isinstance(target[0], QObject) else None
            slot: Callable[[], Any] = target[-1]
            timer = QTimer(context)
            timer.setSingleShot(True)
            timer.timeout.connect(slot)
            timer.timeout.connect(timer.deleteLater)
            self.single_shots.append((timer, _started_at()))
            timer_start(timer, msec)

        monkeypatch.setattr(QThread, "start", start_thread)
        monkeypatch.setattr(QThreadPool, "start", start_in_pool)
        monkeypatch.setattr(QTimer, "start", start_timer)
        monkeypatch.setattr(QTimer, "singleShot", staticmethod(single_shot))

    def leaks(self) -> list[str]:
        """What is still running, each with where it was started."""
        deadline = time.monotonic() + GRACE_SECONDS
        found = []
        for thread, where in self.threads:
            if _alive(lambda t=thread: t.isRunning()) and not thread.wait(_ms_left(deadline)):
                found.append(f"a QThread started at {where} is still running")
        for pool, places in self.pools.values():
            if _alive(lambda p=pool: p.activeThreadCount()) and not pool.waitForDone(
                _ms_left(deadline)
            ):
                found.append(
                    f"a QThreadPool still has work, given at {', '.join(sorted(set(places)))}"
                )
        for timer, where in [*self.timers.items(), *self.single_shots]:
            if _alive(lambda t=timer: t.isActive()):
                found.append(f"a QTimer started at {where} is still waiting to fire")
        return found


def _alive(probe: Callable[[], Any]) -> bool:
    """The probe's answer; False when the C++ object behind it is already deleted."""
    try:
        return bool(probe())
    except RuntimeError:  # "Internal C++ object already deleted"
        return False


def _ms_left(deadline: float) -> int:
    return max(0, int((deadline - time.monotonic()) * 1000))


@pytest.fixture(autouse=True)
def _no_qt_work_left_running(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if a QThread, thread-pool work or QTimer it started is still running."""
    if "PySide6.QtCore" not in sys.modules:
        yield  # no Qt in this process (yet): nothing of Qt's to leave running
        return
    tracker = _QtTracker()
    tracker.patch(monkeypatch)
    yield
    leaks = tracker.leaks()
    if leaks:
        pytest.fail("the test left Qt work running:\n  " + "\n  ".join(leaks), pytrace=False)
