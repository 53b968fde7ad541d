"""``countersign registry init``: make a new, empty registry."""

from __future__ import annotations

import argparse
from pathlib import Path

from countersign.commands.output import EXIT_OK
from countersign.services.storage.database import registry_url
from countersign.services.storage.locations import shown_location
from countersign.services.workstation import open_services


def registry(args: argparse.Namespace) -> int:
    """Run a ``registry`` action (only ``init`` so far)."""
    return init(args)


def init(args: argparse.Namespace) -> int:
    """Create the registry at ``--db`` (or the default place) and bring its schema up to date."""
    db = args.registry_db or args.db
    location = shown_location(db)
    existed = registry_url(db).startswith("sqlite") and location != ":memory:"
    existed = existed and Path(location).exists()
    database = open_services(db, create=True).database
    try:
        if existed:
            print(f"{database.location} is already a registry; its schema is up to date")
        else:
            print(f"Created the registry {database.location}")
    finally:
        database.dispose()
    return EXIT_OK
