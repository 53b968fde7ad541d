"""The terminal every subcommand writes to: nothing from outside reaches it raw."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from countersign.models.safe_text import terminal_text


class SafeStream:
    """A text stream that shows control characters and direction overrides as escapes.

    Every subcommand writes through it, so that no name, card text, file name
    or error message from outside can reach the officer's terminal raw (an
    escape sequence that clears the screen or rewrites a line).  Line feeds
    and tabs pass; ``\\u001b`` and ``\\u202e`` read back as the same
    characters in JSON, so ``--json`` output stays valid.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` with its unsafe characters escaped."""
        self._stream.write(terminal_text(text, multiline=True))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def safe_output() -> Iterator[None]:
    """Send everything printed in the block to stdout and stderr through :class:`SafeStream`."""
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout = SafeStream(stdout)
    sys.stderr = SafeStream(stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = stdout, stderr
