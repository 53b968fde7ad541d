"""Opening the services a command needs, once per run."""

from __future__ import annotations

import argparse

from countersign.services.storage.database import Database


def open_database(args: argparse.Namespace) -> Database:
    """Open (and migrate) the registry chosen by ``--db`` or ``COUNTERSIGN_DB``."""
    return Database.open(args.db)
