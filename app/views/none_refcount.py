"""A guard against a reference-count bug of PySide6 6.12 on CPython 3.11.

There, every call of a Qt method that returns nothing (``QPainter.fillRect``,
``QWidget.update``…) hands Python a ``None`` without the reference it owes
(CPython 3.12 made ``None`` immortal, so the binding no longer counts it).
Each call costs ``None`` one reference; code that paints thousands of rows a
second would drive the count to zero within a minute of scrolling, and CPython
aborts ("none_dealloc: deallocating None").

:func:`keeps_none_alive` decorates such hot painting code: it gives back
whatever references ``None`` lost during the call.  Where the bug is absent (another
PySide6 or Python) it does nothing.  Remove it once the project requires a
PySide6 or Python without the bug.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from PySide6.QtGui import QColor

_INCREF = ctypes.pythonapi.Py_IncRef
_INCREF.argtypes = [ctypes.py_object]
_INCREF.restype = None


def _void_calls_lose_none() -> bool:
    """Whether calling a Qt method that returns nothing costs ``None`` a reference here."""
    if sys.version_info >= (3, 12):
        return False  # None is immortal: its count cannot run out
    probe = QColor()
    before = sys.getrefcount(None)
    for _ in range(64):
        probe.setAlpha(1)
    return sys.getrefcount(None) <= before - 32


P = ParamSpec("P")

AFFECTED = _void_calls_lose_none()
"""Whether this PySide6 and Python have the bug (probed once, at import)."""


def keeps_none_alive(function: Callable[P, None]) -> Callable[P, None]:
    """Decorate ``function`` (which returns nothing) to give back what its Qt calls took from None."""
    if not AFFECTED:
        return function

    @wraps(function)
    def mended(*args: P.args, **kwargs: P.kwargs) -> None:
        # Both counts are taken in this frame in the same state, so they differ only by
        # what the call lost (or by what another thread did meanwhile; giving back too
        # many is harmless, since None is never freed).
        before = sys.getrefcount(None)
        function(*args, **kwargs)
        for _ in range(before - sys.getrefcount(None)):
            _INCREF(None)

    return mended
