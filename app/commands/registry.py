"""``countersign registry``: make a new registry (on a server too), keep a server's password, copy."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.engine import make_url

from countersign.commands.context import ask_server_password
from countersign.commands.output import EXIT_OK, fail
from countersign.services.registry_copy import copy_between
from countersign.services.storage.locations import registry_url
from countersign.services.storage.server import keyring_entry, shown_server, store_password
from countersign.services.workstation import init_registry


def registry(args: argparse.Namespace) -> int:
    """Run a ``registry`` action: ``init``, ``password`` or ``copy``."""
    if args.registry_command == "password":
        return password(args)
    if args.registry_command == "copy":
        return copy(args)
    return init(args)


def copy(args: argparse.Namespace) -> int:
    """Copy SRC into DST, verified before and on arrival; exit 1 when refused."""
    report = copy_between(args.source, args.target, ask_password=ask_server_password)
    print(report.describe())
    return EXIT_OK


def init(args: argparse.Namespace) -> int:
    """Create the registry at ``--db`` (or the default place) and bring its schema up to date.

    The only command that makes a registry on a PostgreSQL server.
    """
    db = args.registry_db or args.db
    location, existed = init_registry(db, ask_password=ask_server_password)
    if existed:
        print(f"{location} is already a registry; its schema is up to date")
    else:
        print(f"Created the registry {location}")
    return EXIT_OK


def password(args: argparse.Namespace) -> int:
    """Ask for the server's password on the terminal and keep it in the OS keyring."""
    url = make_url(registry_url(args.registry_db or args.db))
    if url.get_backend_name() != "postgresql":
        return fail(
            "only a PostgreSQL registry has a password; give --db postgresql://USER@HOST/DB"
        )
    if not sys.stdin.isatty():
        return fail("the password is asked on a terminal; run this command in one")
    given = getpass.getpass(f"Password for {shown_server(url)}: ")
    if not given:
        return fail("no password given; nothing was stored")
    store_password(url, given)
    service, user = keyring_entry(url)
    print(f"Kept in the keyring: service {service!r}, user {user!r}.")
    return EXIT_OK
