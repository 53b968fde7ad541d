"""The layering of DESIGN.md, checked by machine: Qt only in app/views, arrows point down,
no import cycle between sibling modules."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--config", str(REPO / "pyproject.toml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout
    assert "Views read the registry through services: no database sessions, no ORM rows KEPT" in (
        result.stdout
    )
    assert "No import cycles between sibling modules or packages KEPT" in result.stdout


def test_services_run_without_qt() -> None:
    """Importing every service, format and model never pulls PySide6 in."""
    code = (
        "import sys, pkgutil, importlib, countersign.services, countersign.formats, countersign.models\n"
        "for pkg in (countersign.models, countersign.formats, countersign.services):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(f'{pkg.__name__}.{m.name}')\n"
        "import countersign.cli, countersign.commands\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_qt_free_run_covers_every_test_below_views() -> None:
    """scripts/without_qt.py runs where tests/conftest.py marks ``below_views``: one list."""
    from tests.conftest import BELOW_VIEWS

    spec = importlib.util.spec_from_file_location("without_qt", REPO / "scripts" / "without_qt.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert tuple(script.TESTS) == BELOW_VIEWS
    assert all((REPO / path).exists() for path in BELOW_VIEWS)
