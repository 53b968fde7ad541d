"""Run every test below app/views in a virtual environment where PySide6 is not installed.

    .venv/bin/python scripts/without_qt.py [PYTEST ARGS...]

Countersign's models, formats, services and commands never need Qt (STYLE.md 1);
this proves it by running their tests where Qt is not installed at all.  It
builds ``.venv-noqt`` next to ``.venv`` (again on every run, in about a
second, offline): a virtual environment of the same Python whose
site-packages hold every distribution of ``.venv`` (symbolic links; Countersign
itself installed editable from this checkout) except PySide6, its add-ons,
shiboken6 and pytest-qt.  Nothing is hidden by an import hook: the packages are
simply not there, for the tests and for every Python process they start.
It checks that ``import PySide6`` fails there, then runs pytest on the
tests of ``app/models``, ``app/formats``, ``app/services``,
``app/migrations``, ``app/commands`` and the command line (the tests marked
``below_views``), but for the few marked ``needs_qt`` (``countersign
--self-check``, whose job is to check Qt).

``scripts/test.sh`` runs those tests here and the others (``not below_views or
needs_qt``) in ``.venv``: the whole suite, each test once.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / ".venv-noqt"
LEFT_OUT = {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6", "pytest-qt"}
"""Distributions (normalised names) that the Qt-free environment does not have."""

TESTS = [
    "tests/models/",
    "tests/formats/",
    "tests/services/",
    "tests/migrations/",
    "tests/commands/",
    "tests/test_cli.py",
]
"""Where the tests below app/views are (tests/conftest.py's BELOW_VIEWS; a test checks)."""

NO_TESTS_COLLECTED = 5
"""pytest's exit status when the selection holds no test."""

SELECTION = "below_views and not needs_qt"
"""The tests that run here: ``-m`` of pytest."""


def _normalised(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _left_out_entries() -> set[str]:
    """The top-level names in site-packages that belong to a left-out distribution."""
    names: set[str] = set()
    for dist in importlib.metadata.distributions():
        if _normalised(dist.metadata["Name"]) not in LEFT_OUT:
            continue
        for file in dist.files or ():
            if file.parts and file.parts[0] != "..":
                names.add(file.parts[0])
    return names


def build() -> Path:
    """Make ``.venv-noqt`` afresh and return its Python."""
    if TARGET.exists():
        shutil.rmtree(TARGET)
    venv.EnvBuilder(with_pip=False, symlinks=True).create(TARGET)
    python = TARGET / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    source = Path(sysconfig.get_paths()["purelib"])
    left_out = _left_out_entries()
    for entry in sorted(source.iterdir()):
        if entry.name in left_out or entry.name == "__pycache__":
            continue
        (site / entry.name).symlink_to(entry)
    return python


def main(argv: list[str]) -> int:
    """Build the environment, check Qt is absent, run the tests; pytest's exit status."""
    python = build()
    probe = subprocess.run(
        [str(python), "-c", "import PySide6"], capture_output=True, text=True, check=False
    )
    if "No module named 'PySide6'" not in probe.stderr:
        print(f"PySide6 is importable in {TARGET}; the check would prove nothing", file=sys.stderr)
        return 1
    print(f"{TARGET}: every test below app/views, with PySide6 not installed")
    # A later -m (scripts/test.sh --fast) narrows the selection down further.
    selection = SELECTION
    if "-m" in argv:
        at = argv.index("-m")
        selection = f"({SELECTION}) and ({argv[at + 1]})"
        argv = argv[:at] + argv[at + 2 :]
    command = [str(python), "-m", "pytest", "-p", "no:cacheprovider", "-m", selection]
    # Test paths given (tests/services/desk, a file::test) replace the default folders;
    # those of the views need Qt and are the other run's (scripts/test.sh passes both).
    paths = {a for a in argv if not a.startswith("-") and (REPO / a.split("::")[0]).exists()}
    given = [a for a in paths if not a.startswith("tests/views")]
    if paths and not given:
        print("no test below app/views among the paths given")
        return 0
    argv = [a for a in argv if a not in paths or a in given]
    command += [*([] if given else TESTS), *argv]
    status = subprocess.run(command, cwd=REPO, check=False).returncode
    # Paths that hold only tests of the views select nothing here: not a failure.
    return 0 if given and status == NO_TESTS_COLLECTED else status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
