"""Whether a process has ended, as the tests of worker processes ask it."""

from __future__ import annotations

import os


def gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (and been waited for)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False
