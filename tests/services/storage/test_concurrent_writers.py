"""Several officers on one PostgreSQL registry at once: one audit chain, nothing lost.

Each officer is a process of its own (as on several machines); they start
together, import bundles and sign off at the same time.  A process killed in
the middle of an import leaves the registry as it was, and the import can be
made again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from countersign.formats.bundle import create_bundle
from countersign.services.audit.trail import verify_chain
from countersign.services.importing.importer import Importer
from countersign.services.reviews.signoff_verification import verify_signoffs
from countersign.services.storage.database import Database
from tests.helpers.postgres import PostgresServer
from tests.helpers.registry import row_counts, write_card
from tests.helpers.signoff import medium_card, table_counts

REPO = Path(__file__).resolve().parents[3]
OFFICERS = ("ana", "bea", "cal", "dan")
CARDS = 3

pytestmark = pytest.mark.slow


def _officer(*arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.concurrent_officer", *arguments],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_four_officers_import_and_sign_at_once(postgres: PostgresServer, tmp_path: Path) -> None:
    url = postgres.new_database(template="registry_template")
    go = tmp_path / "go"
    running = []
    for name in OFFICERS:
        folder = tmp_path / name
        folder.mkdir()
        running.append(_officer(url, str(folder), name, str(CARDS), str(go)))
    go.touch()
    outcomes = [process.communicate(timeout=240) for process in running]
    for process, (_, stderr) in zip(running, outcomes, strict=True):
        assert process.returncode == 0, stderr
        assert "could not serialize" not in stderr and "deadlock" not in stderr
    database = Database.open(url)
    try:
        with database.read() as session:
            chain = verify_chain(session)
            signoffs = verify_signoffs(session)
    finally:
        database.dispose()
    counts = row_counts(url)
    assert counts["models"] == counts["card_versions"] == counts["bundles"] == 4 * CARDS
    assert table_counts(url)["signatures"] == 4 * CARDS
    assert signoffs.ok and signoffs.signatures == 4 * CARDS, signoffs.describe()
    # Each officer: one identity; each card: bundle, model, version imported, and the
    # sign-off's events.  One chain, every event in it, no fork and no gap.
    assert chain.ok, chain.describe()
    assert chain.events == counts["audit_events"]


def test_an_import_killed_half_way_leaves_nothing_and_can_be_made_again(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    url = postgres.new_database(template="registry_template")
    source = tmp_path / "cards"
    source.mkdir()
    for number in range(20):
        write_card(source, f"c{number}.json", medium_card(f"model-{number}", "1.0"))
    bundle = tmp_path / "team.cardbundle"
    create_bundle(source, bundle, team="Risk", producer="tests")
    ready = tmp_path / "ready"
    before = row_counts(url)
    hanging = _officer("--hang", url, str(bundle), str(ready))
    deadline = time.monotonic() + 120
    while not ready.exists():
        assert hanging.poll() is None, hanging.communicate()[1]
        assert time.monotonic() < deadline, "the import never reached its write transaction"
        time.sleep(0.05)
    os.kill(hanging.pid, signal.SIGKILL)
    hanging.communicate(timeout=30)
    assert row_counts(url) == before
    database = Database.open(url)
    try:
        report = Importer(database, actor="officer").import_file(bundle)
        assert report.ok and report.landed
        with database.read() as session:
            assert verify_chain(session).ok
    finally:
        database.dispose()
    assert row_counts(url)["card_versions"] == 20
