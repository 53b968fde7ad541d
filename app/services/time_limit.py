"""A ceiling on the time one piece of work on hostile input may take.

Parsers are meant to be linear, but a file from outside is hostile until
checked, and an input that finds a slow path somewhere must not hold the
officer's command (or window) for an hour.  On the main thread the work is
interrupted by an interval timer (SIGALRM, where the platform has one); on
another thread (the window's background work) a timer thread raises the
exception in it through CPython's ``PyThreadState_SetAsyncExc``.  Either
way the exception arrives between two Python instructions, never inside a
C call; the work can also ask, between its steps, whether its time is up.
"""

from __future__ import annotations

import ctypes
import platform
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType


class TimeLimitExceeded(BaseException):
    """The time was up; a BaseException so that no library's ``except Exception`` eats it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[Callable[[], None]]:
    """Run the block for at most about ``seconds``; yields a check to call between steps.

    Raises :class:`TimeLimitExceeded` when the time is up: from the interval
    timer on the main thread, or from the yielded check anywhere.
    """
    deadline = time.monotonic() + seconds

    def on_time() -> None:
        if time.monotonic() > deadline:
            raise TimeLimitExceeded

    if threading.current_thread() is not threading.main_thread():
        with _interrupting_thread(seconds):
            yield on_time
        return
    if not hasattr(signal, "setitimer"):
        yield on_time
        return

    def interrupt(_number: int, _frame: FrameType | None) -> None:
        raise TimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield on_time
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _interrupting_thread(seconds: float) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` in this (non-main) thread once ``seconds`` have passed."""
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def fire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = _raise_in_thread(target, TimeLimitExceeded)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["done"] = True
            if state["fired"]:
                _raise_in_thread(target, None)  # clear it, should it not have arrived yet
        timer.cancel()
        timer.join()


def _raise_in_thread(ident: int, exception: type[BaseException] | None) -> bool:
    """Ask CPython to raise ``exception`` in thread ``ident`` (None: withdraw the request)."""
    if platform.python_implementation() != "CPython":
        return False
    argument = ctypes.py_object(exception) if exception is not None else None
    changed = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), argument)
    return bool(changed)
