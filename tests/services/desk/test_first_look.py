"""The home screen's first lists read with sqlite3 alone: the same rows as the desk, or none at all."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from countersign.services.desk import first_look, lists
from countersign.services.desk.first_look import read_first_look
from countersign.services.importing.importer import LooseCardInfo
from countersign.services.storage.registry_file import migration_head
from tests.helpers.mct import write_mct_cards
from tests.helpers.signoff import Workbench, medium_card, workbench
from tests.migrations import head_revision

REPO = Path(__file__).resolve().parents[3]

HOSTILE = "evil\x1b[31m\u202e\x00name"
"""A model name no importer writes: escape sequence, bidi override, NUL (as a file could hold)."""


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    """Three cards to review and two Model Card Toolkit cards whose readers noted warnings."""
    with workbench(tmp_path / "bench") as built:
        built.import_card(medium_card("credit-scorer", "1.0"), team="Risk")
        built.import_card(medium_card("fraud-model", "1.0"), team="Payments")
        built.import_card(medium_card("triage", "1.0"), team="ED")
        for path in write_mct_cards(built.folder / "mct"):
            assert built.services.importer.import_file(path, LooseCardInfo(team="Vision")).ok
        yield built


def _registry(bench: Workbench) -> Path:
    return bench.folder / "registry.sqlite3"


def _write(path: Path, sql: str, *parameters: object) -> None:
    """Change the file behind the program's back, as another program (or an attacker) could."""
    connection = sqlite3.connect(path)
    connection.execute(sql, parameters)
    connection.commit()
    connection.close()


def test_the_head_revision_is_read_as_alembic_reads_it() -> None:
    assert migration_head() == head_revision()


def test_the_first_lists_are_the_rows_the_desk_reads_first(bench: Workbench) -> None:
    _write(_registry(bench), "UPDATE models SET name = ? WHERE name = 'triage'", HOSTILE)
    desk = bench.services.desk.desk()
    look = read_first_look(_registry(bench))
    assert look is not None
    assert look.to_review == desk.to_review
    assert look.import_warnings == desk.import_warnings
    assert look.recent_window == desk.recent_window
    # Real content, not two empty lists: every card to review, and the warnings noted.
    assert [row.model for row in look.to_review.rows][:3] == [
        "credit-scorer",
        "fraud-model",
        HOSTILE,
    ]
    assert look.to_review.total == 5
    assert look.import_warnings.total >= 1 and look.import_warnings.rows[0].first
    # Read as they are stored: escaping is the screen's work (tests/views/home).
    assert HOSTILE in [row.model for row in look.to_review.rows]
    # A shorter first page is the desk's shorter first page.
    short = read_first_look(_registry(bench), first=2)
    assert short is not None
    assert short.to_review == bench.services.desk.desk(first=2).to_review


def test_recent_imports_are_the_newest_card_versions_as_the_desk_counts_them(
    bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    for window in (1, 2, 4):
        monkeypatch.setattr(lists, "RECENT_IMPORTS", window)
        monkeypatch.setattr(first_look, "RECENT_IMPORTS", window)
        look = read_first_look(_registry(bench))
        assert look is not None
        assert look.import_warnings == bench.services.desk.desk().import_warnings


def test_a_first_look_writes_nothing(bench: Workbench) -> None:
    path = _registry(bench)
    bench.services.close()
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    assert read_first_look(path) is not None
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def _garbage(path: Path) -> None:
    path.write_bytes(b"this is a spreadsheet, not a registry " * 100)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _header_only(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)


def _another_program(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total TEXT)")
    connection.commit()
    connection.close()


def _older(path: Path) -> None:
    _write(path, "UPDATE alembic_version SET version_num = '0009'")


def _newer(path: Path) -> None:
    _write(path, "UPDATE alembic_version SET version_num = '9999'")


def _two_revisions(path: Path) -> None:
    _write(path, "INSERT INTO alembic_version (version_num) VALUES ('0001')")


def _no_models_table(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA foreign_keys = OFF")
    connection.execute("DROP TABLE models")
    connection.commit()
    connection.close()


def _name_as_bytes(path: Path) -> None:
    _write(path, "UPDATE models SET name = ? WHERE name = 'fraud-model'", b"\x00\xff")


def _revision_as_bytes(path: Path) -> None:
    _write(path, "UPDATE alembic_version SET version_num = ?", head_revision().encode())


def _warnings_not_json(path: Path) -> None:
    _write(path, "UPDATE card_versions SET warnings_json = '[{' WHERE id = 1")


def _warnings_not_a_list(path: Path) -> None:
    _write(path, "UPDATE card_versions SET warnings_json = '{\"a\": 1}' WHERE id = 2")


@pytest.mark.parametrize(
    "spoil",
    [
        _garbage,
        _empty,
        _header_only,
        _another_program,
        _older,
        _newer,
        _two_revisions,
        _no_models_table,
        _name_as_bytes,
        _revision_as_bytes,
        _warnings_not_json,
        _warnings_not_a_list,
    ],
)
def test_no_first_look_at_what_the_full_open_refuses_or_migrates(
    bench: Workbench, tmp_path: Path, spoil: Callable[[Path], None]
) -> None:
    bench.services.close()
    path = _registry(bench)
    if spoil in (_garbage, _empty, _header_only, _another_program):
        path = tmp_path / "other.sqlite3"
    spoil(path)
    before = path.read_bytes()
    assert read_first_look(path) is None
    assert path.read_bytes() == before  # looked at, never changed


def test_no_first_look_at_a_missing_file_or_a_folder(tmp_path: Path) -> None:
    assert read_first_look(tmp_path / "nothing-here.sqlite3") is None
    assert read_first_look(tmp_path) is None
    assert not (tmp_path / "nothing-here.sqlite3").exists()


def test_an_empty_registry_has_empty_first_lists(tmp_path: Path) -> None:
    with workbench(tmp_path) as bench:
        look = read_first_look(_registry(bench))
    assert look is not None
    assert (look.to_review.total, look.to_review.rows) == (0, ())
    assert (look.import_warnings.total, look.import_warnings.rows) == (0, ())


def test_reading_a_first_look_imports_nothing_heavy(bench: Workbench) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from countersign.services.desk.first_look import read_first_look\n"
        "look = read_first_look(Path(sys.argv[1]))\n"
        "assert look is not None and look.models is not None and look.models.rows\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(_registry(bench))],
        cwd=REPO,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    modules = result.stdout.split()
    heavy = ("sqlalchemy", "pydantic", "alembic", "keyring", "yaml", "PySide6", "cryptography")
    assert [name for name in modules if name.startswith(heavy)] == []
    assert "countersign.models.card" not in modules
    assert "countersign.services.desk.first_look" in modules
    assert "countersign.services.stage_summary" not in modules  # its light half only
    assert "countersign.models.registry_rows" in modules
