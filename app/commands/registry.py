"""``countersign registry``: create a registry, keep a server's password in the keyring."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.engine import make_url

from countersign.commands.context import ask_server_password
from countersign.commands.output import EXIT_OK, fail
from countersign.services.storage.locations import registry_url
from countersign.services.storage.server import keyring_entry, shown_server, store_password
from countersign.services.workstation import init_registry


def registry(args: argparse.Namespace) -> int:
    """Run ``registry init`` or ``registry password``."""
    if args.registry_command == "password":
        return _password(args)
    location = init_registry(args.db, ask_password=ask_server_password)
    print(f"Registry ready at {location} (schema up to date).")
    return EXIT_OK


def _password(args: argparse.Namespace) -> int:
    url = make_url(registry_url(args.db))
    if url.get_backend_name() != "postgresql":
        return fail(
            "only a PostgreSQL registry has a password; give --db postgresql://USER@HOST/DB"
        )
    if not sys.stdin.isatty():
        return fail("the password is asked on a terminal; run this command in one")
    password = getpass.getpass(f"Password for {shown_server(url)}: ")
    if not password:
        return fail("no password given; nothing was stored")
    store_password(url, password)
    service, user = keyring_entry(url)
    print(f"Kept in the keyring: service {service!r}, user {user!r}.")
    return EXIT_OK
