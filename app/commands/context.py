"""Opening the registry and its services for a command, once per run."""

from __future__ import annotations

import argparse
import getpass
import sys

from countersign.services.workstation import Services, open_services


def services_for(args: argparse.Namespace, *, create: bool = False) -> Services:
    """The services of the registry chosen by ``--db`` or ``COUNTERSIGN_DB`` (opened, migrated).

    Only ``import`` (and ``registry init``) make a new registry: for any other
    command a mistyped path is refused instead of becoming an empty registry.
    A PostgreSQL server's password is asked on the terminal when nothing else has it.
    """
    return open_services(args.db, create=create, ask_password=ask_server_password)


def ask_server_password(server: str) -> str | None:
    """Ask for a registry server's password on the terminal; None when there is no terminal."""
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(f"Password for the registry server {server}: ") or None
