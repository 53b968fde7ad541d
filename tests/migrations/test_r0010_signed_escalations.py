"""Revision 0010: a registry at 0009 (conditions and expiry) with a signed sign-off upgrades, and
the sign-off, which met no escalation and signed none, still verifies."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from countersign.services.reviews.signoff_verification import verify_signoffs
from countersign.services.storage.database import Database
from tests.helpers.signoff import medium_card, workbench
from tests.migrations import head_revision, migrate

ANA = "ana@example.org"


def test_a_sign_off_from_before_escalations_survives_the_upgrade(tmp_path: Path) -> None:
    with workbench(tmp_path) as bench:
        bench.import_card(medium_card())
        bench.person(ANA, "approver")
        bench.sign(ANA)
        path = bench.path
    migrate(Path(str(path)), "0009", down=True)
    raw = sqlite3.connect(path)
    assert "escalations_json" not in {r[1] for r in raw.execute("PRAGMA table_info(signatures)")}
    raw.close()

    db = Database.open(str(path))
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    assert raw.execute("SELECT escalations_json FROM signatures").fetchall() == [("{}",)]
    raw.close()
    with db.read() as session:
        report = verify_signoffs(session)
    assert report.ok, [p.describe() for p in report.problems]
    db.dispose()
