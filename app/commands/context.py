"""Opening the registry and its services for a command, once per run."""

from __future__ import annotations

import argparse

from countersign.services.workstation import Services, open_services


def services_for(args: argparse.Namespace) -> Services:
    """The services of the registry chosen by ``--db`` or ``COUNTERSIGN_DB`` (opened, migrated)."""
    return open_services(args.db)
