"""Opening the registry and its services for a command, once per run."""

from __future__ import annotations

import argparse
import getpass
import sys

from countersign.services.workstation import Services, open_services


def services_for(args: argparse.Namespace) -> Services:
    """The services of the registry chosen by ``--db`` or ``COUNTERSIGN_DB`` (opened, migrated)."""
    return open_services(args.db, ask_password=ask_server_password)


def ask_server_password(server: str) -> str | None:
    """Ask for a registry server's password on the terminal; None when there is no terminal."""
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(f"Password for the registry server {server}: ") or None
