"""The command line reads as words: plurals agree, lists have header rows, every option says
what it is for, a closed pipe ends quietly, and an unknown model is refused."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.cli import build_parser, build_window_parser, main
from countersign.services.counting import counted
from tests.helpers.registry import native_card, write_card


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "registry.sqlite3"
    monkeypatch.setenv("COUNTERSIGN_DB", str(path))
    return path


def test_counted_agrees() -> None:
    assert counted(1, "warning") == "1 warning"
    assert counted(0, "warning") == "0 warnings"
    assert counted(2, "card version") == "2 card versions"
    assert counted(3, "entry", "entries") == "3 entries"


def test_models_and_versions_print_a_header_row(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = native_card("credit-scorer", "1.0", risk_rating="medium")
    assert main(["import", str(write_card(tmp_path, "v1.json", card)), "--team", "Risk"]) == 0
    out = capsys.readouterr().out
    assert "imported 1 new card version" in out and "version(s)" not in out
    assert main(["models"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split() == ["Model", "Latest", "Status", "Risk", "tier", "Team"]
    assert row.split() == ["credit-scorer", "1.0", "submitted", "medium", "Risk"]
    assert header.index("Latest") == row.index("1.0")
    assert main(["versions", "credit-scorer"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.startswith("Version  Status     Imported (UTC)")
    assert row.startswith("1.0      submitted  ")


def test_a_warning_is_counted_in_the_singular(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("---\nlicense: mit\nmodel-index: 3\n---\n# Scorer\n\nScores loans.\n")
    assert main(["import", str(readme), "--model", "scorer", "--version", "1.0"]) == 0
    out = capsys.readouterr().out
    assert "new model    scorer 1.0  [README.md] (1 warning)\n" in out


def test_audit_of_an_unknown_model_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(write_card(tmp_path, "v1.json", native_card("scorer", "1.0")))]) == 0
    capsys.readouterr()
    assert main(["audit", "--model", "nosuch"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "countersign: no model named 'nosuch' in the registry\n"
    assert captured.out == ""
    assert main(["audit", "--model", "scorer"]) == 0
    assert "scorer" in capsys.readouterr().out


def _options(parser: argparse.ArgumentParser, path: str) -> Iterator[tuple[str, argparse.Action]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _options(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction | argparse._VersionAction):
            yield path, action


def test_every_option_and_argument_says_what_it_is_for() -> None:
    missing = [
        f"{path} {'/'.join(action.option_strings) or action.dest}"
        for parser, name in ((build_parser(), "countersign"), (build_window_parser(), "window"))
        for path, action in _options(parser, name)
        if not action.help
    ]
    assert missing == []


CLOSED_PIPE_RUN = """
import os, sys
from countersign.cli import main
read, write = os.pipe()
os.close(read)  # the reader is gone before the first line (as `| head` is after its lines)
os.dup2(write, sys.stdout.fileno())
sys.exit(main(sys.argv[1:]))
"""


def test_a_closed_pipe_ends_quietly(db: Path, tmp_path: Path) -> None:
    assert main(["import", str(write_card(tmp_path, "v1.json", native_card("scorer", "1.0")))]) == 0
    env = {**os.environ, "COUNTERSIGN_DB": str(db)}
    for argv in (["models"], ["audit"], ["versions", "scorer"]):
        result = subprocess.run(
            [sys.executable, "-c", CLOSED_PIPE_RUN, *argv],
            check=False,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (result.returncode, result.stderr) == (141, ""), argv
