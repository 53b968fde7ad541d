"""Reading the registry: paging models (offset and keyset agree), a model's row, ranked search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from countersign.services.importing.importer import Importer
from countersign.services.registry import ModelFilter, ModelOrder, Registry
from countersign.services.storage import dialect, snippets
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
    everything = registry.models(order=ModelOrder(sort, descending), limit=1000)
    assert len(everything) == 120
    by_offset = registry.models(order=ModelOrder(sort, descending), offset=50, limit=25)
    last = everything[49]
    by_keyset = registry.models(
        order=ModelOrder(sort, descending),
        limit=25,
        after=(str(getattr(last, sort)), last.id),
    )
    assert by_offset == by_keyset == everything[50:75]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", ["name", "team", "risk_tier"])
def test_model_position_is_its_row(registry: Registry, sort: str, descending: bool) -> None:
    filters = ModelFilter(status="submitted")
    rows = registry.models(filters, order=ModelOrder(sort, descending), limit=1000)
    assert len(rows) == 80
    for row in (0, 17, 79):
        name = rows[row].name
        assert registry.model_position(name, filters, order=ModelOrder(sort, descending)) == row


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


def test_a_word_said_more_often_ranks_higher_however_far_the_words_stand_apart(
    tmp_path: Path, registry_db: str
) -> None:
    # bm25 adds up each word's score and never asks how near the words stand; PostgreSQL
    # ranks the same way (ts_rank of the words joined by OR), not by proximity.
    db = Database.open(registry_db)
    importer = Importer(db, actor="tests")
    filler = " ".join(["gamma"] * 20)
    summaries = {
        "near": f"alpha beta {filler} {filler}",
        "often": f"alpha {filler} alpha {filler} beta",
    }
    for name, summary in summaries.items():
        card = native_card(
            name, "1.0", model_details={"name": name, "version": "1.0", "summary": summary}
        )
        assert importer.import_file(write_card(tmp_path, f"{name}.json", card)).ok
    hits = Registry(db).search("alph bet")
    db.dispose()
    assert [hit.model for hit in hits] == ["often", "near"]


@pytest.fixture
def versioned(tmp_path: Path, registry_db: str) -> Iterator[Registry]:
    """Model ``pricing`` at 2.0 (says "elasticity" often) then 3.0 (once): 2.0 is superseded."""
    db = Database.open(registry_db)
    importer = Importer(db, actor="tests")
    for version, times in (("2.0", 8), ("3.0", 1)):
        summary = "Price elasticity " * times + "estimates for the retail book."
        card = native_card(
            "pricing",
            version,
            model_details={"name": "pricing", "version": version, "summary": summary},
        )
        assert importer.import_file(write_card(tmp_path, f"p{version}.json", card)).ok
    yield Registry(db)
    db.dispose()


@pytest.mark.parametrize("ranked_at_most", [10_000, 2])
def test_current_versions_rank_above_superseded_ones(
    versioned: Registry, ranked_at_most: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 10,000: fewer matches than that, each looked up; 2: a broad search (the floor's list).
    monkeypatch.setattr(dialect, "RANKED_AT_MOST", ranked_at_most)
    hits = versioned.search("elastic")
    # 2.0 says it eight times and would rank first on words alone.
    assert [(hit.version, hit.status) for hit in hits] == [
        ("3.0", "submitted"),
        ("2.0", "superseded"),
    ]


def test_each_hit_has_a_snippet_marking_the_matched_words(versioned: Registry) -> None:
    hit = versioned.search("elastic retail")[0]
    snippet = hit.snippet
    marked = [snippet.text[start:end] for start, end in snippet.matches]
    assert {word.lower() for word in marked} == {"elasticity", "retail"}
    assert "Price elasticity" in snippet.text
    assert "".join(piece for piece, _ in snippet.pieces()) == snippet.text
    assert [piece for piece, matched in snippet.pieces() if matched] == marked


def test_a_snippet_is_one_line_and_says_where_the_text_is_cut(
    tmp_path: Path, registry_db: str
) -> None:
    db = Database.open(registry_db)
    words = " ".join(f"word{n}" for n in range(60))
    card = native_card(
        "long-card",
        "1.0",
        model_details={
            "name": "long-card",
            "version": "1.0",
            "summary": f"{words}\n\nrarity {words}",
        },
    )
    assert Importer(db, actor="tests").import_file(write_card(tmp_path, "l.json", card)).ok
    [hit] = Registry(db).search("rarity")
    db.dispose()
    assert "\n" not in hit.snippet.text
    assert hit.snippet.text.startswith(snippets.ELLIPSIS)
    assert hit.snippet.text.endswith(snippets.ELLIPSIS)
    assert len(hit.snippet.text.split()) <= snippets.SNIPPET_WORDS + 2
    assert [hit.snippet.text[s:e] for s, e in hit.snippet.matches] == ["rarity"]


def test_a_snippet_marks_the_matched_words_whatever_their_accents(
    tmp_path: Path, registry_db: str
) -> None:
    db = Database.open(registry_db)
    summary = "Ranks each résumé sent to the café chain; RÉSUMÉ parsing by Søren."
    card = native_card(
        "cv-ranker",
        "1.0",
        model_details={"name": "cv-ranker", "version": "1.0", "summary": summary},
    )
    assert Importer(db, actor="tests").import_file(write_card(tmp_path, "cv.json", card)).ok
    registry = Registry(db)
    # Typed with its accents: found on both databases, every spelling marked.
    [hit] = registry.search("résumé")
    assert [hit.snippet.text[s:e] for s, e in hit.snippet.matches] == ["résumé", "RÉSUMÉ"]
    # Typed without, or in capitals: both indexes fold accents (FTS5's remove_diacritics,
    # PostgreSQL's text folded before to_tsvector), find it and mark every spelling.
    for typed in ("resume cafe", "RESUMÉ CAFÉ", "Cafe"):
        [hit] = registry.search(typed)
        assert hit.model == "cv-ranker", typed
        marked = [hit.snippet.text[s:e] for s, e in hit.snippet.matches]
        assert "café" in marked, typed
        if "resum" in typed.lower():
            assert marked == ["résumé", "café", "RÉSUMÉ"], typed
    # A letter that is not an accented form of another stays apart, as in FTS5's index.
    assert registry.search("chaîn") != []
    assert registry.search("søren") != []
    assert registry.search("soren") == []
    db.dispose()


def test_a_model_name_with_accents_is_found_without_them_and_ranks_first(
    tmp_path: Path, registry_db: str
) -> None:
    db = Database.open(registry_db)
    importer = Importer(db, actor="tests")
    for name, summary in (("modèle-crédit", "Scores loans."), ("other", "A credit model.")):
        card = native_card(
            name, "1.0", model_details={"name": name, "version": "1.0", "summary": summary}
        )
        assert importer.import_file(write_card(tmp_path, f"{name}.json", card)).ok
    hits = Registry(db).search("credit")
    db.dispose()
    # The model name weighs 10, the text 1: on both databases, and shown as imported.
    assert [hit.model for hit in hits] == ["modèle-crédit", "other"]
