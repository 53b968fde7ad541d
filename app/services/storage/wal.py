"""Copying a SQLite registry's write-ahead log into its file, off the writer's thread.

In WAL mode a commit appends the changed pages to the ``-wal`` file; a
*checkpoint* later copies them into the registry file and, with
``synchronous=NORMAL``, is when they are flushed to disk.  SQLite runs one in
the committing thread whenever a commit leaves the log over
``wal_autocheckpoint`` pages: a 1,000-card import (about 3,400 pages) paid for
one at every commit, a third of its write phase, while a signed decision (a
few pages) waited for the next 4 MB of writes to reach the disk.

Here, after each write transaction, a thread of the registry's own runs a
passive checkpoint (it never blocks readers or writers: SQLite's documented
alternative to automatic checkpoints), so the officer does not wait for it and
every write is on disk moments after it is made.  The automatic checkpoint
stays as a backstop for a transaction larger than :data:`BACKSTOP_PAGES` and
for writes made elsewhere.  Closing the registry waits for the checkpoint
under way (:meth:`Checkpointer.close`); :meth:`Checkpointer.settle` waits for
those asked so far (the benchmark, and whatever reads the file itself).
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

BACKSTOP_PAGES = 16_384
"""SQLite checkpoints at commit only when the log holds more pages than this (64 MiB
of 4 KiB pages, about five 1,000-card imports): a single very large transaction, or
writes whose checkpoint the thread could not run."""

SETTLE_SECONDS = 30.0
"""How long :meth:`Checkpointer.settle` and :meth:`Checkpointer.close` wait at most."""


class Checkpointer:
    """Runs a passive checkpoint of ``engine``'s registry after each write, in its own thread.

    The thread is started by a write and ends once no write is left to copy (writes
    made while it copies are copied by its next checkpoint).  A checkpoint that fails
    (another process's under way, a read-only or full disk) is left to the next one,
    or to SQLite's own at the backstop.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Condition()
        self._asked = 0
        """Writes committed so far (each asks for a checkpoint)."""
        self._done = 0
        """Writes whose checkpoint has run (whether or not it could copy every page)."""
        self._closing = False
        self._thread: threading.Thread | None = None

    def after_write(self) -> None:
        """A write transaction has committed: copy it into the file soon."""
        with self._lock:
            if self._closing:
                return
            self._asked += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="countersign-checkpoint", daemon=True
                )
                self._thread.start()

    def settle(self, timeout: float = SETTLE_SECONDS) -> bool:
        """Wait until every write so far has had its checkpoint; False if ``timeout`` passed."""
        with self._lock:
            return self._lock.wait_for(lambda: self._done >= self._asked, timeout)

    def close(self) -> None:
        """Wait for the checkpoint still asked for; no more are run (the registry is closing)."""
        with self._lock:
            self._closing = True
            thread = self._thread
        if thread is not None:
            thread.join(SETTLE_SECONDS)

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._asked == self._done:
                    self._thread = None  # the next write starts another
                    return
                asked = self._asked
            try:
                self._checkpoint()
            finally:
                with self._lock:
                    self._done = asked
                    self._lock.notify_all()

    def _checkpoint(self) -> None:
        try:
            with closing(self._engine.raw_connection()) as connection:
                # On the driver's connection itself: outside any transaction, which a
                # checkpoint needs (pysqlite here begins none: see configure_sqlite).
                connection.driver_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA wal_checkpoint(PASSIVE)"
                ).close()
        except (sqlite3.Error, DBAPIError):
            pass  # left to the next checkpoint, or to SQLite's own at the backstop
