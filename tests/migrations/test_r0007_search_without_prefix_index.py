"""Revision 0007 rebuilds the SQLite search index without prefix indexes, keeping every row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from countersign.services.importing.importer import Importer
from countersign.services.registry import Registry
from countersign.services.storage.database import Database
from tests.helpers.registry import native_card, write_card
from tests.migrations import head_revision


def _migrate(path: Path, revision: str, *, up: bool) -> None:
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", "countersign:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.upgrade if up else command.downgrade)(config, revision)
    engine.dispose()


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
    _migrate(path, "0006", up=False)
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
    _migrate(path, "0006", up=False)
    assert "prefix='2 3'" in _index_sql(path)
    _migrate(path, "0007", up=True)
    assert "prefix" not in _index_sql(path)
