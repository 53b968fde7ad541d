"""The command line run in-process, with a registry file and an in-memory keyring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.storage.database import Database
from tests.helpers.closing import registries_closed
from tests.helpers.keyring_memory import MemoryKeyring, installed
from tests.helpers.signoff import PASSPHRASE


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new registry file named by COUNTERSIGN_DB, and the passphrase in COUNTERSIGN_PASSPHRASE.

    Made here as `countersign registry init` makes it: only ``import`` and
    ``registry init`` create a registry.
    """
    path = tmp_path / "registry.sqlite3"
    Database.open(str(path), create=True).dispose()
    monkeypatch.setenv("COUNTERSIGN_DB", str(path))
    monkeypatch.setenv("COUNTERSIGN_PASSPHRASE", PASSPHRASE)
    return path


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-memory keyring as keyring's configured backend, restored afterwards."""
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@pytest.fixture(autouse=True)
def _registries_closed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every command test fails if a registry it opened is still open at its end."""
    with registries_closed(monkeypatch):
        yield
