"""Revision 0012: a registry at 0011 upgrades; on PostgreSQL each card's ``tsvector`` moves into
its row (the table rewritten) and superseded versions get their partial index, and search
finds and orders what it did before."""

from __future__ import annotations

from pathlib import Path

from countersign.services.importing.importer import Importer
from countersign.services.registry import Registry
from countersign.services.storage.database import Database
from tests.helpers.registry import native_card, raw_connection, row_counts, write_card
from tests.migrations import head_revision, migrate


def _registry(folder: Path, place: str) -> None:
    """``pricing`` 2.0 (superseded) and 3.0, and ``churn`` 1.0, all saying "elasticity"."""
    db = Database.open(place)
    importer = Importer(db, actor="tests")
    for model, version in (("pricing", "2.0"), ("pricing", "3.0"), ("churn", "1.0")):
        summary = f"Price elasticity estimates, {model} {version}."
        card = native_card(
            model,
            version,
            model_details={"name": model, "version": version, "summary": summary},
        )
        assert importer.import_file(write_card(folder, f"{model}-{version}.json", card)).ok
    db.dispose()


def _server_layout(url: str) -> tuple[str, bool, int]:
    """The ``document`` column's storage, whether the partial index is there, the table's file."""
    with raw_connection(url) as connection:
        storage = connection.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'card_search'::regclass AND attname = 'document'"
        ).fetchone()[0]
        indexed = connection.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_card_versions_superseded'"
        ).fetchone()[0]
        table_file = connection.execute(
            "SELECT relfilenode FROM pg_class WHERE relname = 'card_search'"
        ).fetchone()[0]
    return str(storage), indexed == 1, int(table_file)


def test_a_registry_at_0010_upgrades_and_searches_as_before(
    tmp_path: Path, registry_db: str
) -> None:
    _registry(tmp_path, registry_db)
    place: Path | str = registry_db if registry_db.startswith("postgresql") else Path(registry_db)
    migrate(place, "0011", down=True)
    counts = row_counts(place)
    on_server = isinstance(place, str)
    if on_server:
        storage, indexed, table_file = _server_layout(registry_db)
        assert (storage, indexed) == ("x", False)  # as 0002 made them: vectors out of the row

    db = Database.open(registry_db)
    hits = Registry(db).search("elastic")
    db.dispose()

    assert row_counts(place) == counts
    with raw_connection(place) as connection:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert revision == head_revision()
    assert [(hit.model, hit.version, hit.status) for hit in hits][-1] == (
        "pricing",
        "2.0",
        "superseded",
    )
    assert sorted((hit.model, hit.version) for hit in hits[:2]) == [
        ("churn", "1.0"),
        ("pricing", "3.0"),
    ]
    if on_server:
        storage, indexed, rewritten = _server_layout(registry_db)
        assert (storage, indexed) == ("m", True)
        assert rewritten != table_file  # every row written again, its vector kept in the row
