"""Reading the registry: paging models (offset and keyset agree), a model's row, ranked search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from countersign.services.importing.importer import Importer
from countersign.services.registry import ModelFilter, Registry
from countersign.services.storage import dialect
from countersign.services.storage.database import Database
from tests.helpers.registry import native_card, write_card


@pytest.fixture
def registry(registry_db: str) -> Iterator[Registry]:
    db = Database.open(registry_db)
    with db.write() as session:
        # Teams repeat, so sorting by team needs the id to break ties.
        session.execute(
            text(
                "INSERT INTO models (name, team, risk_tier, latest_version, status, version_count,"
                " created_at, last_activity) VALUES (:name, :team, :risk, '1', :status, 1,"
                " '2026-01-01', '2026-01-02')"
            ),
            [
                {
                    "name": f"m-{i:03d}",
                    "team": f"Team {i % 4}",
                    "risk": ("low", "high")[i % 2],
                    "status": ("submitted", "approved")[i % 3 == 0],
                }
                for i in range(120)
            ],
        )
    yield Registry(db)
    db.dispose()


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", ["name", "team", "status"])
def test_offset_and_keyset_pages_agree(registry: Registry, sort: str, descending: bool) -> None:
    everything = registry.models(sort=sort, descending=descending, limit=1000)
    assert len(everything) == 120
    by_offset = registry.models(sort=sort, descending=descending, offset=50, limit=25)
    last = everything[49]
    by_keyset = registry.models(
        sort=sort,
        descending=descending,
        limit=25,
        after=(str(getattr(last, sort)), last.id),
    )
    assert by_offset == by_keyset == everything[50:75]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", ["name", "team", "risk_tier"])
def test_model_position_is_its_row(registry: Registry, sort: str, descending: bool) -> None:
    filters = ModelFilter(status="submitted")
    rows = registry.models(filters, sort=sort, descending=descending, limit=1000)
    assert len(rows) == 80
    for row in (0, 17, 79):
        name = rows[row].name
        assert registry.model_position(name, filters, sort=sort, descending=descending) == row


def test_model_position_of_a_model_not_shown(registry: Registry) -> None:
    assert registry.model_position("m-003", ModelFilter(status="submitted")) is None
    assert registry.model_position("m-003") == 3
    assert registry.model_position("nobody") is None


@pytest.fixture
def searchable(tmp_path: Path, registry_db: str) -> Iterator[Registry]:
    """Five models whose cards all mention underwriting; the oldest mentions it most."""
    db = Database.open(registry_db)
    importer = Importer(db, actor="tests")
    for number in range(5):
        summary = "Underwriting " * (6 if number == 0 else 1) + "support."
        card = native_card(
            f"scorer-{number}",
            "1.0",
            model_details={"name": f"scorer-{number}", "version": "1.0", "summary": summary},
        )
        assert importer.import_file(write_card(tmp_path, f"s{number}.json", card)).ok
    yield Registry(db)
    db.dispose()


def test_search_ranks_every_match_when_few(searchable: Registry) -> None:
    hits = searchable.search("underwrit")
    assert len(hits) == 5
    assert hits[0].model == "scorer-0"
    assert {hit.status for hit in hits} == {"submitted"}


def test_a_broad_search_ranks_the_newest_matches(
    searchable: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dialect, "RANKED_AT_MOST", 3)
    hits = searchable.search("underwrit")
    # The oldest card would rank first, but only the newest three matches are ranked.
    assert sorted(hit.model for hit in hits) == ["scorer-2", "scorer-3", "scorer-4"]


def test_search_takes_what_was_typed_as_words_never_as_syntax(searchable: Registry) -> None:
    for typed in ('underwrit" support', "underwrit & !support | (", "underwrit:* support*", "'-"):
        hits = searchable.search(typed)
        assert len(hits) == (0 if typed == "'-" else 5), typed
    assert [hit.model for hit in searchable.search("SCORER-3 underwriting")] == ["scorer-3"]
