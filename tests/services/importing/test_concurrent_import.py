"""Two imports of the same file at once: one lands, the other finds it known.

The red-team saw an ``IntegrityError`` traceback in 8 of 26 runs of two processes
importing one bundle: both planned "new", and the second landed a plan that the
first had already landed.  Classified again under the write lock, it is
``unchanged`` and writes nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from countersign.services.audit.trail import verify_chain
from countersign.services.importing.importer import Importer
from countersign.services.storage.database import Database
from tests.helpers import bundles
from tests.helpers.registry import native_card, row_counts, write_card


def _incoming(tmp_path: Path, kind: str) -> Path:
    if kind == "bundle":
        path = tmp_path / "incoming.cardbundle"
        path.write_bytes(bundles.good_bundle())
        return path
    return write_card(tmp_path, "scorer.json", native_card("credit-scorer", "1.0"))


@pytest.mark.parametrize("kind", ["bundle", "loose card"])
def test_second_of_two_interleaved_imports_is_unchanged(tmp_path: Path, kind: str) -> None:
    path = _incoming(tmp_path, kind)
    first_db = Database.open(str(tmp_path / "registry.sqlite3"))
    second_db = Database.open(str(tmp_path / "registry.sqlite3"))
    first, second = Importer(first_db), Importer(second_db)
    # Both plan before either lands: the interleaving that crashed.
    first_plan, second_plan = first.plan(path), second.plan(path)
    assert all(card.outcome != "unchanged" for card in second_plan.cards)

    assert first.apply(first_plan).landed
    counts = row_counts(Path(first_db.location))
    report = second.apply(second_plan)

    assert report.ok and not report.landed
    assert {card.outcome for card in report.plan.cards} == {"unchanged"}
    assert row_counts(Path(first_db.location)) == counts
    with first_db.read() as session:
        assert verify_chain(session).ok


def _import_command(db: Path, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "countersign.cli", "--db", str(db), "import", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


@pytest.mark.parametrize("kind", ["bundle", "loose card"])
def test_two_processes_importing_the_same_file_both_succeed(tmp_path: Path, kind: str) -> None:
    path = _incoming(tmp_path, kind)
    for round_number in range(3):
        db = tmp_path / f"registry-{round_number}.sqlite3"
        Database.open(str(db)).dispose()
        runs = [_import_command(db, path) for _ in range(2)]
        outputs = [run.communicate(timeout=120) for run in runs]

        for run, (_out, err) in zip(runs, outputs, strict=True):
            assert run.returncode == 0, err
            assert "Traceback" not in err and "IntegrityError" not in err, err
        landed = [out for out, _ in outputs if "unchanged" not in out]
        assert len(landed) == 1, outputs  # one lands, the other says "unchanged"
        assert row_counts(db)["card_versions"] == (2 if kind == "bundle" else 1)
