"""Revision 0007 rebuilds the SQLite search index without prefix indexes, keeping every row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from countersign.services.importing.importer import Importer
from countersign.services.registry import Registry
from countersign.services.storage.database import Database
from tests.helpers.registry import native_card, write_card
from tests.migrations import head_revision, migrate


def _index_sql(path: Path) -> str:
    with sqlite3.connect(path) as raw:
        return raw.execute("SELECT sql FROM sqlite_master WHERE name = 'card_search'").fetchone()[0]


def _search(path: Path, words: str) -> list[str]:
    database = Database.open(str(path))
    try:
        return sorted(f"{hit.model} {hit.version}" for hit in Registry(database).search(words))
    finally:
        database.dispose()


def test_an_index_with_prefixes_is_rebuilt_without_them_and_finds_the_same(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite3"
    database = Database.open(str(path))
    importer = Importer(database)
    for name in ("zebrafish-counter", "quokka-ranker"):
        assert importer.import_file(write_card(tmp_path, f"{name}.json", native_card(name, "1.0")))
    database.dispose()
    migrate(path, "0006", down=True)
    assert "prefix='2 3'" in _index_sql(path)

    assert _search(path, "zebra") == ["zebrafish-counter 1.0"]  # opening upgrades to the head
    assert "prefix" not in _index_sql(path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == (
            head_revision(),
        )
        assert raw.execute("SELECT count(*) FROM card_search").fetchone() == (2,)
    assert _search(path, "quo rank") == ["quokka-ranker 1.0"]


def test_the_downgrade_puts_the_prefix_indexes_back(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite3"
    Database.open(str(path)).dispose()
    migrate(path, "0006", down=True)
    assert "prefix='2 3'" in _index_sql(path)
    migrate(path, "0007")
    assert "prefix" not in _index_sql(path)
