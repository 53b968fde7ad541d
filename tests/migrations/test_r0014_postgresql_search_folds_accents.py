"""Revision 0014: a registry at 0013 upgrades; on PostgreSQL the rows already indexed are folded
and their ``tsvector`` computed again, so that "resume" finds "résumé" there as on SQLite."""

from __future__ import annotations

from pathlib import Path

from countersign.services.importing.importer import Importer
from countersign.services.registry import Registry
from countersign.services.storage.database import Database
from tests.helpers.registry import native_card, raw_connection, row_counts, write_card
from tests.migrations import head_revision, migrate


def _registry(folder: Path, place: str) -> None:
    """``modèle-crédit`` (its card says "résumé") and ``plain`` (says "resume" once, no accent)."""
    db = Database.open(place)
    importer = Importer(db, actor="tests")
    for model, summary in (
        ("modèle-crédit", "Ranks each résumé; RÉSUMÉ parsing, résumé scoring."),
        ("plain", "A resume reader."),
    ):
        card = native_card(
            model, "1.0", model_details={"name": model, "version": "1.0", "summary": summary}
        )
        assert importer.import_file(write_card(folder, f"{model}.json", card)).ok
    db.dispose()


def _search(place: str, typed: str) -> list[tuple[str, list[str]]]:
    db = Database.open(place)
    hits = Registry(db).search(typed)
    db.dispose()
    return [
        (hit.model, [hit.snippet.text[start:end] for start, end in hit.snippet.matches])
        for hit in hits
    ]


def _stored(place: Path | str) -> list[tuple[str, ...]]:
    with raw_connection(place) as connection:
        return [
            tuple(row)
            for row in connection.execute(
                "SELECT model, body, body_folded, attstorage FROM card_search, pg_attribute "
                "WHERE attrelid = 'card_search'::regclass AND attname = 'document' "
                "ORDER BY card_version_id"
            ).fetchall()
        ]


def test_a_registry_at_0013_upgrades_and_finds_accented_words_without_their_accents(
    tmp_path: Path, registry_db: str
) -> None:
    _registry(tmp_path, registry_db)
    place: Path | str = registry_db if registry_db.startswith("postgresql") else Path(registry_db)
    migrate(place, "0013", down=True)
    counts = row_counts(place)
    on_server = isinstance(place, str)
    if on_server:
        with raw_connection(place) as connection:
            models = connection.execute("SELECT model FROM card_search ORDER BY 1").fetchall()
        assert models == [("modèle-crédit",), ("plain",)]  # as 0012 indexed them (unfolded)

    # Database.open upgrades the registry to the head revision first.
    hits = _search(registry_db, "resume")

    assert row_counts(place) == counts
    with raw_connection(place) as connection:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert revision == head_revision()
    # The card saying it three times ranks first; every spelling is marked.
    assert hits == [
        ("modèle-crédit", ["résumé", "RÉSUMÉ", "résumé"]),
        ("plain", ["resume"]),
    ]
    assert [model for model, _ in _search(registry_db, "modele")] == ["modèle-crédit"]
    if on_server:
        [accented, plain] = _stored(place)
        assert accented[0] == "modele-credit"  # only ever indexed, kept folded
        assert "Ranks each résumé; RÉSUMÉ" in accented[1]  # snippets are made from it
        assert "Ranks each resume; RESUME" in accented[2]
        assert accented[3] == "m"  # each vector still in its row (0012)
        assert plain[2] is None  # nothing to fold: no copy
