"""The layering of DESIGN.md, checked by machine: Qt only in app/views, arrows point down,
no import cycle between sibling modules; functions short enough to read."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
import tomllib
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


MAX_FUNCTION_LINES = 60

LONG_WIDGET_BUILDERS: frozenset[str] = frozenset()
"""Functions in app/ allowed over MAX_FUNCTION_LINES lines (a widget builder that reads top to
bottom, one widget after another): none today; keep this list short."""


def long_functions(root: Path) -> dict[str, int]:
    """Every function of ``root``/app (migrations aside) over MAX_FUNCTION_LINES lines.

    Keyed ``path:Class.method`` (nested functions ``outer.inner``), valued in lines.
    """
    found: dict[str, int] = {}
    for path in sorted((root / "app").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith("app/migrations/"):
            continue
        pending: list[tuple[ast.AST, str]] = [(ast.parse(path.read_bytes(), relative), "")]
        while pending:
            node, prefix = pending.pop()
            for child in ast.iter_child_nodes(node):
                if not isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                    pending.append((child, prefix))
                    continue
                name = f"{prefix}{child.name}"
                pending.append((child, f"{name}."))
                lines = (child.end_lineno or child.lineno) - child.lineno + 1
                if not isinstance(child, ast.ClassDef) and lines > MAX_FUNCTION_LINES:
                    found[f"{relative}:{name}"] = lines
    return found


def test_functions_that_hold_logic_stay_under_sixty_lines() -> None:
    """A function over 60 lines is split into named steps; only listed widget builders may not."""
    found = long_functions(REPO)
    too_long = {name: lines for name, lines in found.items() if name not in LONG_WIDGET_BUILDERS}
    assert not too_long, f"split these into named steps (lines each): {too_long}"
    stale = sorted(LONG_WIDGET_BUILDERS - found.keys())
    assert not stale, f"no longer over {MAX_FUNCTION_LINES} lines, drop from the list: {stale}"


def test_the_line_count_finds_long_methods_and_leaves_out_migrations(tmp_path: Path) -> None:
    long_body = "".join(f"        x{n} = {n}\n" for n in range(MAX_FUNCTION_LINES))
    short_body = "".join(f"    x{n} = {n}\n" for n in range(MAX_FUNCTION_LINES - 1))
    (tmp_path / "app" / "migrations").mkdir(parents=True)
    (tmp_path / "app" / "views.py").write_text(
        f"class A:\n    def long(self) -> None:\n{long_body}\n"
        f"def short() -> None:\n{short_body}\n"
        f"def outer() -> None:\n    def inner() -> None:\n{long_body}"
    )
    (tmp_path / "app" / "migrations" / "r1.py").write_text(f"def upgrade():\n{long_body}")
    assert long_functions(tmp_path) == {
        "app/views.py:A.long": MAX_FUNCTION_LINES + 1,
        "app/views.py:outer": MAX_FUNCTION_LINES + 2,
        "app/views.py:outer.inner": MAX_FUNCTION_LINES + 1,
    }


def test_complexity_rules_have_no_exceptions_but_migrations() -> None:
    """ruff's complexity rules hold everywhere in app/; migrations, a fixed record, aside."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    lint = config["tool"]["ruff"]["lint"]
    assert "PL" in lint["select"] and "C901" in lint["extend-select"]
    assert not {"C901", "PLR0912", "PLR0913", "PLR0915", "PLR"} & set(lint["ignore"])
    assert list(lint["per-file-ignores"]) == ["app/migrations/**"]
    inline = [
        f"{path.relative_to(REPO)}:{number}"
        for path in sorted((REPO / "app").rglob("*.py"))
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"noqa:[^#]*\b(C901|PLR09\d\d)\b", line)
    ]
    assert inline == [], "an inline noqa is an exception too: split the function instead"
