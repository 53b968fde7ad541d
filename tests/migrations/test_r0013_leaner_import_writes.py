"""Revision 0013 drops the card-hash index and rebuilds the SQLite search index contentless.

The rebuilt index must find the same card versions with the same bm25 scores,
and a hit's snippet (now made from the card's canonical JSON) must read as
the one made from the text the old index stored.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from countersign.services.importing.importer import Importer
from countersign.services.registry import Registry
from countersign.services.storage.database import Database
from countersign.services.storage.dialect import search_words
from countersign.services.storage.snippets import make_snippet
from tests.helpers.registry import native_card, write_card
from tests.migrations import head_revision, migrate

_QUERIES = ("loan", "zebra", "quokka rank", "calibrated thin", "risk", "auc holdout")


def _registry(tmp_path: Path) -> Path:
    path = tmp_path / "registry.sqlite3"
    database = Database.open(str(path))
    importer = Importer(database)
    cards = [
        ("zebrafish-counter", "1.0", "Counts zebrafish larvae in microscope images."),
        ("zebrafish-counter", "1.1", "Counts zebrafish larvae; retrained on 2026 images."),
        ("quokka-ranker", "2.0", "Ranks quokka sightings by how certain the spotter was."),
        ("loan-default", "3.0", "Scores loan applications; loan officers review the top decile."),
    ]
    for name, version, summary in cards:
        card = native_card(name, version)
        card.model_details.summary = summary
        assert importer.import_file(write_card(tmp_path, f"{name}-{version}.json", card))
    database.dispose()
    return path


def _ranked(path: Path) -> dict[str, list[tuple[int, float]]]:
    """Each query's matches as FTS5 ranks them: (card version id, bm25), best first."""
    with sqlite3.connect(path) as raw:
        return {
            words: [
                (row[0], round(row[1], 9))
                for row in raw.execute(
                    "SELECT rowid, bm25(card_search, 10.0, 2.0, 2.0, 1.0) AS score "
                    "FROM card_search WHERE card_search MATCH ? ORDER BY score, rowid",
                    (" ".join(f'"{word}"*' for word in words.split()),),
                )
            ]
            for words in _QUERIES
        }


def _schema(path: Path) -> tuple[str, set[str]]:
    with sqlite3.connect(path) as raw:
        index_sql = raw.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'card_search'"
        ).fetchone()[0]
        indexes = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
    return index_sql, indexes


def test_the_upgrade_rebuilds_the_index_contentless_with_the_same_matches_and_ranks(
    tmp_path: Path,
) -> None:
    path = _registry(tmp_path)
    migrate(path, "0012", down=True)
    index_sql, indexes = _schema(path)
    assert "content=''" not in index_sql
    assert "ix_card_versions_sha256" in indexes
    before = _ranked(path)
    with sqlite3.connect(path) as raw:
        bodies = dict(raw.execute("SELECT rowid, body FROM card_search").fetchall())
    assert before["zebra"] and before["loan"] and before["quokka rank"]

    database = Database.open(str(path))  # opening upgrades to the head
    hits = {words: Registry(database).search(words) for words in _QUERIES}
    database.dispose()

    index_sql, indexes = _schema(path)
    assert "content=''" in index_sql
    assert "ix_card_versions_sha256" not in indexes
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == (
            head_revision(),
        )
        assert dict(raw.execute("SELECT k, v FROM card_search_config").fetchall()) == {
            "automerge": 16,
            "crisismerge": 64,
            "version": 4,
        }
        raw.execute("INSERT INTO card_search(card_search) VALUES ('integrity-check')")
        assert raw.execute("SELECT count(*) FROM card_search").fetchone() == (4,)
    assert _ranked(path) == before
    for words, found in hits.items():
        assert {hit.card_version_id for hit in found} == {cv_id for cv_id, _ in before[words]}
        for hit in found:
            expected = make_snippet(bodies[hit.card_version_id], search_words(words))
            assert hit.snippet == expected
            assert hit.snippet.matches


def test_the_downgrade_stores_the_text_again(tmp_path: Path) -> None:
    path = _registry(tmp_path)
    ranked = _ranked(path)
    migrate(path, "0012", down=True)
    index_sql, indexes = _schema(path)
    assert "content=''" not in index_sql
    assert "ix_card_versions_sha256" in indexes
    assert _ranked(path) == ranked
    with sqlite3.connect(path) as raw:
        body = raw.execute(
            "SELECT s.body FROM card_search AS s JOIN card_versions AS v ON v.id = s.rowid "
            "WHERE v.version = '2.0'"
        ).fetchone()[0]
    assert "Ranks quokka sightings" in body
    migrate(path, head_revision())
    assert "content=''" in _schema(path)[0]
    assert _ranked(path) == ranked
