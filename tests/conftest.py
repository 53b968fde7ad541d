"""Shared fixtures.  Qt runs offscreen; the corpus is read in place, never copied.

Plugins of the suite's own (tests/helpers): under CI a skip fails the run
(:mod:`tests.helpers.ci_skips`); a test that leaves a thread, worker or timer
running fails (:mod:`tests.helpers.leaks`).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.storage.database import Database
from countersign.services.workstation import ServiceOptions, Services, open_services
from tests.helpers.keyring_memory import TEST_ROUNDS, MemoryKeyring
from tests.helpers.postgres import PostgresServer, unavailable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["pytester", "tests.helpers.ci_skips", "tests.helpers.leaks"]

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
CORPUS = Path(os.environ.get("COUNTERSIGN_CORPUS", REPO.parent / "shared" / "corpus"))
BELOW_VIEWS = (
    "tests/models/",
    "tests/formats/",
    "tests/services/",
    "tests/migrations/",
    "tests/commands/",
    "tests/test_cli.py",
)
"""The tests of what lies below app/views: marked ``below_views``, they pass with no PySide6
installed (scripts/without_qt.py runs them so), but for those marked ``needs_qt``."""
CORPUS_FREE = ("tests/views/",)
"""Where no test may read the corpus: the GUI tests write the cards they need."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Where pytest-qt is not installed (scripts/without_qt.py), its settings stay known.

    pyproject.toml sets pytest-qt's options and ``--strict-config`` refuses unknown ones;
    the tests that run without Qt never use them.
    """
    if importlib.util.find_spec("pytestqt") is None:
        parser.addini("qt_log_level_fail", "pytest-qt's (not installed here)")
        parser.addini("qt_log_ignore", "pytest-qt's (not installed here)", type="linelist")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests below app/views, and those that read the corpus (refused where none may)."""
    for item in items:
        where = Path(str(item.path)).relative_to(REPO).as_posix()
        if where.startswith(BELOW_VIEWS):
            item.add_marker(pytest.mark.below_views)
        if "corpus" not in getattr(item, "fixturenames", ()):
            continue
        if where.startswith(CORPUS_FREE):
            raise pytest.UsageError(
                f"{item.nodeid} reads the shared corpus; GUI tests use the project's own cards "
                "(tests/helpers/mct.py, tests/fixtures), so that they run on any clone"
            )
        item.add_marker(pytest.mark.corpus)


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


@pytest.fixture(autouse=True)
def _workstation_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test gets its own configuration folder: the officer's trusted certificates stay untouched."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    """A new registry's services, built as the program builds them (keys in an in-memory keyring)."""
    with open_services(
        str(tmp_path / "registry.sqlite3"),
        ServiceOptions(keyring=MemoryKeyring(), actor="officer", key_rounds=TEST_ROUNDS),
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
    except (OSError, RuntimeError, LookupError, subprocess.SubprocessError) as error:
        unavailable(str(error) or type(error).__name__)
    try:
        server.execute(f"CREATE DATABASE {_TEMPLATE}")
        Database.open(server.url(_TEMPLATE), initialise=True).dispose()
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
