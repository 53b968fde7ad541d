"""How long work says how far it has come, and hears that the officer cancelled.

Import, export, verification, the demo build and the views' background runner
all speak these two plain callables, so a service can be driven from a test,
the command line and a progress dialog alike.  The service calls
``progress(done, total, what)`` as it goes (``total`` 0 when it cannot be
known) and asks ``cancelled()`` where stopping is safe; what stopping means
(nothing written, say) is the service's to decide and to say.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]
"""Called as ``progress(done, total, what)`` while work goes on, for a progress dialog."""

Cancelled = Callable[[], bool]
"""Returns True once the officer has asked the work to stop."""


def no_progress(_done: int, _total: int, _what: str) -> None:
    """A :data:`Progress` that tells no one: for callers that show none."""
    return None


def never_cancelled() -> bool:
    """A :data:`Cancelled` for work nobody can cancel."""
    return False
