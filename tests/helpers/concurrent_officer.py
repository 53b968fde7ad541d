"""One officer's work in a process of its own, for the concurrent-writers tests.

    python -m tests.helpers.concurrent_officer URL FOLDER NAME CARDS GO_FILE

waits until ``GO_FILE`` exists (so that every process starts at once), then
creates an identity, imports ``CARDS`` bundles of one card each (its own
models, ``NAME-0`` …) and signs off each card version.  Exit 0 when all of it
landed; anything else is printed on stderr.

    python -m tests.helpers.concurrent_officer --hang URL BUNDLE READY_FILE

imports ``BUNDLE`` but stops inside the write transaction, after the audit
events are written, touching ``READY_FILE``: the test then kills it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from countersign.formats.bundle import create_bundle
from tests.helpers.registry import write_card
from tests.helpers.signoff import medium_card, workbench


def officer(url: str, folder: Path, name: str, cards: int, go: Path) -> None:
    """Import ``cards`` bundles and sign each card version, as one officer."""
    while not go.exists():
        time.sleep(0.01)
    with workbench(folder, url) as bench:
        email = f"{name}@example.org"
        bench.person(email, "approver")
        for number in range(cards):
            model = f"{name}-{number}"
            source = folder / model
            source.mkdir()
            write_card(source, "card.json", medium_card(model, "1.0"))
            bundle = folder / f"{model}.cardbundle"
            create_bundle(source, bundle, team="Risk", producer="tests")
            report = bench.services.importer.import_file(bundle)
            assert report.ok and report.landed, report.plan.reason()
            bench.sign(email, model=model, version="1.0", comment=f"Checked by {name}.")


def hang_inside_import(url: str, bundle: Path, ready: Path) -> None:
    """Import ``bundle`` but stop inside its write transaction (the test kills us there)."""
    from countersign.services.importing import landing

    append = landing.append_events

    def append_then_hang(session: Any, drafts: Any) -> list[int]:
        ids = append(session, drafts)
        session.flush()
        ready.touch()
        time.sleep(120)
        return ids

    landing.append_events = append_then_hang  # type: ignore[assignment]
    with workbench(bundle.parent, url) as bench:
        bench.services.importer.import_file(bundle)


if __name__ == "__main__":
    if sys.argv[1] == "--hang":
        hang_inside_import(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        officer(sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), Path(sys.argv[5]))
