"""Files named from outside are read only when they are plain files.

A path given by the officer, a pipeline or a bundle's sender may name a folder, a
named pipe or a device.  Opening a pipe waits for a writer, reading it waits for
the writer to stop, and a device may never end: any of them would hang a command
or the window.  :func:`open_plain` opens such a path without waiting
(``O_NONBLOCK``) and refuses it at once with an :class:`OSError` whose
``strerror`` says what it is, which every reader of a file from outside already
turns into "cannot be read: …".
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

NOT_PLAIN = "not a plain file (a pipe, a device or a socket)"
"""Why a path that is neither a plain file nor a folder is not read."""

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def open_plain(path: Path | str) -> BinaryIO:
    """``path`` opened for reading; :class:`OSError` at once if it is no plain file
    (:class:`IsADirectoryError` for a folder, :data:`NOT_PLAIN` for anything else)."""
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, NOT_PLAIN, str(path))
    except OSError:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "rb")


def read_plain(path: Path | str, limit: int | None = None) -> bytes:
    """The bytes of the plain file ``path`` (at most ``limit`` + 1 of them, for the caller
    to refuse a file over ``limit``); :class:`OSError` as :func:`open_plain`."""
    with open_plain(path) as handle:
        return handle.read() if limit is None else handle.read(limit + 1)


def read_plain_text(path: Path | str, encoding: str = "utf-8") -> str:
    """The text of the plain file ``path``; :class:`OSError` as :func:`open_plain`,
    :class:`UnicodeDecodeError` if it is not ``encoding``."""
    return read_plain(path).decode(encoding)
