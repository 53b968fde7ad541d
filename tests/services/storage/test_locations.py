"""Where the registry is, named before SQLAlchemy is imported, as the open registry names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from countersign.services.storage import database, locations
from countersign.services.storage.database import Database
from countersign.services.storage.locations import (
    default_registry_path,
    registry_file,
    registry_url,
    shown_location,
)


def test_a_file_is_named_by_its_full_path_as_the_open_registry_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shown = shown_location("registry.sqlite3")
    assert shown == str(tmp_path / "registry.sqlite3")
    db = Database.open("registry.sqlite3")
    try:
        assert db.location == shown
    finally:
        db.dispose()


def test_countersign_db_and_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTERSIGN_DB", str(tmp_path / "env.sqlite3"))
    assert shown_location(None) == str(tmp_path / "env.sqlite3")
    monkeypatch.delenv("COUNTERSIGN_DB")
    assert shown_location(None) == str(default_registry_path())
    assert default_registry_path().name == "registry.sqlite3"


def test_urls_are_shown_without_their_password() -> None:
    assert shown_location("sqlite://") == ":memory:"
    assert shown_location("sqlite:////srv/r.db?timeout=5") == "/srv/r.db"
    assert (
        shown_location("postgresql+psycopg://officer:s3cret@db.example:5432/registry")
        == "postgresql+psycopg://officer:***@db.example:5432/registry"
    )
    assert shown_location("postgresql://db.example/registry") == "postgresql://db.example/registry"


def test_the_database_module_still_names_them() -> None:
    assert database.registry_url is registry_url
    assert database.default_registry_path is locations.default_registry_path
    assert database.REGISTRY_FILE == "registry.sqlite3"


def test_the_file_a_first_look_reads_is_the_file_the_registry_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert registry_file("registry.sqlite3") == tmp_path / "registry.sqlite3"
    assert registry_file(f"sqlite:///{tmp_path}/r.sqlite3") == tmp_path / "r.sqlite3"
    monkeypatch.setenv("COUNTERSIGN_DB", str(tmp_path / "env.sqlite3"))
    assert registry_file(None) == tmp_path / "env.sqlite3"
    # A server, memory, or a URL with options: no file to look at first.
    for other in (
        "postgresql://ana@db.example/countersign",
        "sqlite://",
        "sqlite:///:memory:",
        f"sqlite:///{tmp_path}/r.sqlite3?mode=ro",
    ):
        assert registry_file(other) is None
