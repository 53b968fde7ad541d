"""One progress and cancel vocabulary, defined in countersign.services.progress alone."""

from __future__ import annotations

import ast
from pathlib import Path

import countersign
from countersign.services import progress
from countersign.services.workstation import Services
from tests.helpers.registry import native_card, write_card

APP = Path(countersign.__file__).resolve().parent


def test_no_module_defines_its_own_progress_or_cancel_type() -> None:
    defined = []
    for path in sorted(APP.rglob("*.py")):
        if path == APP / "services" / "progress.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            defined += [
                f"{path.relative_to(APP)}: {n}" for n in names if n in ("Progress", "Cancelled")
            ]
    assert not defined, defined


def test_the_quiet_callables_say_nothing_and_never_cancel() -> None:
    assert progress.no_progress(1, 2, "step") is None
    assert progress.never_cancelled() is False


def test_an_import_reports_through_the_shared_progress(services: Services, tmp_path: Path) -> None:
    path = write_card(tmp_path, "card.json", native_card("credit-scorer", "1.0"))
    seen: list[tuple[int, int, str]] = []

    def report(done: int, total: int, what: str) -> None:
        seen.append((done, total, what))

    shared: tuple[progress.Progress, progress.Cancelled] = (report, progress.never_cancelled)
    assert services.importer.import_file(path, progress=shared[0], cancelled=shared[1]).ok
    assert seen, "the import said nothing of its progress"
