"""Shared fixtures.  Qt runs offscreen; the corpus is read in place, never copied."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.workstation import Services, open_services
from tests.helpers.keyring_memory import MemoryKeyring

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
        str(tmp_path / "registry.sqlite3"), keyring=MemoryKeyring(), actor="officer"
    ) as built:
        yield built
