"""``countersign search``: best first, current versions first, a snippet with the matched words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.services.importing.importer import Importer
from countersign.services.storage.database import Database
from tests.helpers.registry import native_card, write_card


@pytest.fixture
def searched(tmp_path: Path, registry_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Model ``pricing`` at 2.0 (says "elasticity" often, superseded) and 3.0 (once), on each database."""
    db = Database.open(registry_db)
    importer = Importer(db, actor="tests")
    for version, times, extra in (("2.0", 8, ""), ("3.0", 1, " Escape \x1b[2J here.")):
        summary = "Price elasticity " * times + "estimates for the retail book." + extra
        card = native_card(
            "pricing",
            version,
            model_details={"name": "pricing", "version": version, "summary": summary},
        )
        assert importer.import_file(write_card(tmp_path, f"p{version}.json", card)).ok
    db.dispose()
    monkeypatch.setenv("COUNTERSIGN_DB", registry_db)
    return registry_db


@pytest.mark.usefixtures("searched")
def test_search_json_is_the_same_shape_on_both_databases(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["search", "elastic", "retail", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert [(hit["version"], hit["status"]) for hit in hits] == [
        ("3.0", "submitted"),
        ("2.0", "superseded"),
    ]
    for hit in hits:
        assert set(hit) == {"model", "version", "status", "score", "snippet"}
        assert set(hit["snippet"]) == {"text", "matches"}
        text = hit["snippet"]["text"]
        marked = [text[start:end].lower() for start, end in hit["snippet"]["matches"]]
        # Each database picks its own stretch of a long text; every mark is a matched word.
        assert marked and set(marked) <= {"elasticity", "retail"}
        assert isinstance(hit["score"], float)
    first = hits[0]["snippet"]
    assert {first["text"][s:e].lower() for s, e in first["matches"]} == {"elasticity", "retail"}


@pytest.mark.usefixtures("searched")
def test_search_text_marks_the_matched_words_and_stays_terminal_safe(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["search", "escape"]) == 0
    out = capsys.readouterr().out
    assert "1 card version matches “escape”, best first:" in out
    assert "pricing 3.0  (submitted)" in out
    assert "[Escape]" in out
    assert "\x1b" not in out


@pytest.mark.usefixtures("searched")
def test_search_with_no_match_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "nothing-like-this"]) == 0
    assert "No card version matches “nothing-like-this”." in capsys.readouterr().out
    assert main(["search", "nothing", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", "'\"-"], "has no word to search for"),
        (["search", "price", "--limit", "0"], "--limit must be between 1 and 1000; it was 0"),
    ],
)
def test_search_refuses_bad_usage(
    db: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    assert message in capsys.readouterr().err
