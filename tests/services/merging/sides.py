"""The team's registry and a laptop copy of it, as the merge tests start them.

The team registry (SQLite, then PostgreSQL: the ``registry_db`` fixture) gets an
officer, an approver and credit-scorer 1.0; it is copied to a SQLite laptop
registry whose founder is the same officer.  Each test module then has both
sides work apart before it merges.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from countersign.services.integrity.registry_check import verify_registry
from countersign.services.registry_copy import copy_between
from countersign.services.storage.database import Database
from countersign.services.trust.anchors import TrustAnchors
from countersign.services.workstation import ServiceOptions, open_services
from tests.helpers.keyring_memory import TEST_ROUNDS, MemoryKeyring, installed
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card

OLGA, ANA = "olga@example.org", "ana@example.org"


@contextmanager
def _bench(folder: Path, db: str, backend: MemoryKeyring) -> Iterator[Workbench]:
    folder.mkdir()
    options = ServiceOptions(keyring=backend, actor=folder.name, key_rounds=TEST_ROUNDS)
    with open_services(db, options) as services:
        yield Workbench(folder=folder, services=services, keyring=backend)


@contextmanager
def team_and_laptop(
    tmp_path: Path, registry_db: str, before_copy: Callable[[Workbench], object] = lambda _: None
) -> Iterator[tuple[Workbench, Workbench]]:
    """The team's workbench and the laptop's, the laptop copied after ``before_copy(team)``."""
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        with _bench(tmp_path / "team", registry_db, backend) as team:
            team.person(OLGA, "officer")
            team.person(ANA, "approver")
            team.import_card(medium_card("credit-scorer", "1.0"))
            before_copy(team)
            laptop_db = str(tmp_path / "laptop.sqlite3")
            copy_between(registry_db, laptop_db)
            with _bench(tmp_path / "laptop", laptop_db, backend) as laptop:
                laptop.founder = laptop.identities.unlock(OLGA, PASSPHRASE)
                yield team, laptop


def registry_problems(db: str) -> list[str]:
    """What ``audit --verify`` finds wrong in the registry ``db`` (no certificate trusted)."""
    database = Database.open(db)
    try:
        with database.read() as session:
            check = verify_registry(session, TrustAnchors())
            return [line for good, line in check.lines() if not good]
    finally:
        database.dispose()
