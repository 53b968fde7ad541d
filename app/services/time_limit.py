"""A ceiling on the time one piece of work on hostile input may take.

Parsers are meant to be linear, but a file from outside is hostile until
checked, and an input that finds a slow path somewhere must not hold the
officer's command (or window) for an hour.  On the main thread the work is
interrupted by an interval timer (SIGALRM, where the platform has one); on
any thread the work can also ask, between its steps, whether its time is up.
"""

from __future__ import annotations

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

    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
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
