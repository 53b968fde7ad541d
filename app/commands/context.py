"""Opening the registry and its services for a command, once per run, closed when it ends."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar

from countersign.services.workstation import Services, open_services

_RUN: ContextVar[ExitStack | None] = ContextVar("countersign_command_run", default=None)
"""What the running command has opened, closed by :func:`command_run` when it ends."""


@contextmanager
def command_run() -> Iterator[None]:
    """Run one command: every registry it opens is closed when the block ends, however it ends.

    Success, refusal, an error or an interrupt alike: the pooled connections
    (a PostgreSQL server's sockets, a SQLite file's handles) and the importer's
    workers are released here, not left to the garbage collector.
    """
    with ExitStack() as opened:
        token = _RUN.set(opened)
        try:
            yield
        finally:
            _RUN.reset(token)


def services_for(args: argparse.Namespace, *, create: bool = False) -> Services:
    """The services of the registry chosen by ``--db`` or ``COUNTERSIGN_DB`` (opened, migrated).

    Only ``import`` (and ``registry init``) make a new registry: for any other
    command a mistyped path is refused instead of becoming an empty registry.
    A PostgreSQL server's password is asked on the terminal when nothing else has it.
    The services are closed when the enclosing :func:`command_run` ends.
    """
    opened = _RUN.get()
    if opened is None:
        # A programming error, not the officer's: nothing would close this registry.
        raise RuntimeError("a command opened the registry outside command_run()")
    return opened.enter_context(
        open_services(args.db, create=create, ask_password=ask_server_password)
    )


def ask_server_password(server: str) -> str | None:
    """Ask for a registry server's password on the terminal; None when there is no terminal."""
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(f"Password for the registry server {server}: ") or None
