"""No escape sequence or direction override from outside reaches the terminal raw.

The red-team's cases: ``ESC[2J`` clears the officer's screen, ``ESC[1A ESC[2K``
erases a "refused" line, an OSC sequence sets the window title, and
``\\u202eexe.txt`` reads as "txt.exe".  Names, versions, card text, bundle
manifests and error messages all go through the same escaping.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.models.safe_text import display_text, isolated, terminal_text
from countersign.services.storage.database import Database
from tests.helpers import bundles
from tests.helpers.registry import native_card, write_card

CLEAR = "\x1b[2J"
ERASE_LINE = "\x1b[1A\x1b[2K"
TITLE = "\x1b]0;pwned\x07"
CSI_C1 = "\x9b2J"
OVERRIDE = "\u202eexe.txt"
HOSTILE = CLEAR + ERASE_LINE + TITLE + CSI_C1 + OVERRIDE + "\r"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


def _assert_safe(text: str) -> None:
    for character in RAW:
        assert character not in text, repr(text)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "registry.sqlite3"
    Database.open(str(path), create=True).dispose()  # as `registry init` makes it
    monkeypatch.setenv("COUNTERSIGN_DB", str(path))
    return path


def test_the_escaping_functions() -> None:
    assert terminal_text(HOSTILE) == (
        "\\u001b[2J\\u001b[1A\\u001b[2K\\u001b]0;pwned\\u0007\\u009b2J\\u202eexe.txt\\u000d"
    )
    assert terminal_text("line\n\tnext\r", multiline=True) == "line\n\tnext\\u000d"
    assert terminal_text("line\nnext") == "line\\u000anext"
    assert display_text("\u202eexe.txt\n") == "\\u202eexe.txt\\u000a"
    assert isolated("\u202eabc") == "\u2068\u202eabc\u2069"
    # JSON reads the escapes back as the very characters.
    assert json.loads(f'"{terminal_text(HOSTILE)}"') == HOSTILE


def test_card_text_and_names_from_an_old_registry_are_escaped(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = native_card("scorer", "1.0")
    card.model_details.summary = f"Summary {HOSTILE} end"
    assert main(["import", str(write_card(tmp_path, "card.json", card))]) == 0
    # A file name is the officer's, but a bundle's may hold anything: refused, it is audited.
    hostile_file = tmp_path / f"evil{CLEAR}.json"
    hostile_file.write_text("[1]")
    assert main(["import", str(hostile_file)]) == 1
    # A registry written before names were checked may hold anything.
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE models SET name = ?, team = ?", ("m" + HOSTILE, HOSTILE))
        connection.execute("UPDATE card_versions SET version = ?", ("1" + HOSTILE,))
    capsys.readouterr()
    for argv in (
        ["models"],
        ["models", "--json"],
        ["versions", "m" + HOSTILE],
        ["versions", "m" + HOSTILE, "--json"],
        ["show", f"m{HOSTILE}@1{HOSTILE}"],
        ["show", f"m{HOSTILE}@1{HOSTILE}", "--json"],
        ["audit"],
        ["audit", "--json"],
    ):
        status = main(argv)
        out, err = capsys.readouterr()
        assert status == 0, (argv, err)
        _assert_safe(out + err)
        assert "\\u001b[2J" in out, argv
        if "--json" in argv:
            json.loads(out)  # still valid JSON
    assert main(["show", "scorer" + HOSTILE]) == 1
    out, err = capsys.readouterr()
    _assert_safe(out + err)
    assert "no model named" in err


def test_a_manifest_with_escape_sequences_is_shown_escaped(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "team.cardbundle"
    path.write_bytes(bundles.good_bundle(team="Risk" + HOSTILE, producer=HOSTILE))
    assert main(["import", str(path)]) == 0
    out, err = capsys.readouterr()
    _assert_safe(out + err)
    assert "team Risk\\u001b[2J" in out
    manifest = bundles.good_manifest()
    manifest["cards"][0]["model"] = "scorer" + ERASE_LINE
    path.write_bytes(bundles.with_manifest(manifest))
    assert main(["import", str(path)]) == 1
    out, err = capsys.readouterr()
    _assert_safe(out + err)
    assert "cards[0].model: the model name 'scorer\\u001b[1A\\u001b[2K'" in err
