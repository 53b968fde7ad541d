"""Opening the registry and its services for a command, once per run."""

from __future__ import annotations

import argparse

from countersign.services.workstation import Services, open_services


def services_for(args: argparse.Namespace, *, create: bool = False) -> Services:
    """The services of the registry chosen by ``--db`` or ``COUNTERSIGN_DB`` (opened, migrated).

    Only ``import`` (and ``registry init``) make a new registry: for any other
    command a mistyped path is refused instead of becoming an empty registry.
    """
    return open_services(args.db, create=create)
