"""Shared fixtures.  Qt runs offscreen; the corpus is read in place, never copied."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.storage.database import Database
from countersign.services.workstation import Services, open_services
from tests.helpers.keyring_memory import MemoryKeyring
from tests.helpers.postgres import PostgresServer, unavailable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
CORPUS = Path(os.environ.get("COUNTERSIGN_CORPUS", REPO.parent / "shared" / "corpus"))


@pytest.fixture
def corpus() -> Path:
    """The shared corpus of real model cards, or a skip saying why it is missing."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared card corpus is not at {CORPUS} (set COUNTERSIGN_CORPUS)")
    return CORPUS


@pytest.fixture
def fixtures() -> Path:
    """The project's own test cards and bundles."""
    return FIXTURES


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    """A new registry's services, built as the program builds them (keys in an in-memory keyring)."""
    with open_services(
        str(tmp_path / "registry.sqlite3"), keyring=MemoryKeyring(), actor="officer"
    ) as built:
        yield built


_TEMPLATE = "registry_template"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run, with a migrated registry kept as a template.

    Started only when a test asks for it; under CI a server that cannot start
    fails the run, elsewhere the test skips saying why.
    """
    try:
        server = PostgresServer()
    except (OSError, RuntimeError) as error:
        unavailable(str(error))
    try:
        server.execute(f"CREATE DATABASE {_TEMPLATE}")
        Database.open(server.url(_TEMPLATE), create=True).dispose()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's new registry is (what ``--db`` takes): a SQLite file, then a PostgreSQL database.

    Service tests that touch the database take this, so each runs on both.
    """
    if request.param == "sqlite":
        return str(tmp_path / "registry.sqlite3")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database(template=_TEMPLATE)
