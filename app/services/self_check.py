"""``countersign --self-check``: can this installation do its work here?

Each check answers one question an officer (or whoever installed Countersign for
them) would ask, in words: are the resources and migrations inside the
installation, does a scratch registry open and migrate, will the keyring keep a
reviewer's key safely, which fonts are shipped, and does Qt start on this
display.  The checks run the same from a source checkout, an installed wheel
and a frozen (PyInstaller) build.

This module never imports Qt: the Qt check runs ``countersign --self-check-qt``
in a child process, so a display that cannot be reached (Qt aborts the process)
is reported in words instead of ending the self-check.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from countersign import __version__
from countersign.errors import CountersignError
from countersign.services.storage.database import Database

KEYRING_SERVICE = "countersign-self-check"
"""The keyring service name of the throwaway probe entry (deleted straight after)."""

KEYRING_TIMEOUT = 30.0
"""Seconds to wait for the keyring, which may be waiting for the officer to unlock it."""

QT_TIMEOUT = 60.0
"""Seconds to wait for the Qt probe process."""

FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
"""Font files looked for in ``resources/fonts``."""

_FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf")
"""The first four bytes of a TrueType, OpenType/CFF, old Apple TrueType and collection file."""


@dataclass(frozen=True)
class Check:
    """The answer to one self-check question: passed or not, and what was found, in words."""

    name: str
    passed: bool
    detail: str
    required: bool = True


@dataclass(frozen=True)
class SelfCheckReport:
    """Every check of one self-check run, with where this installation runs from."""

    version: str
    installation: str
    checks: list[Check]

    @property
    def passed(self) -> bool:
        """Whether every required check passed."""
        return all(check.passed for check in self.checks if check.required)

    @property
    def failed(self) -> list[Check]:
        """The required checks that did not pass."""
        return [check for check in self.checks if check.required and not check.passed]


def run_self_check(
    *,
    qt_command: Sequence[str] | None = None,
    keyring_backend: Any = None,
) -> SelfCheckReport:
    """Run every check and return the report; ``qt_command`` and ``keyring_backend`` are for tests."""
    checks = [
        check_resources(),
        check_registry(),
        check_keyring(keyring_backend),
        check_fonts(),
        check_qt_platform(qt_command if qt_command is not None else qt_probe_command()),
    ]
    return SelfCheckReport(__version__, describe_installation(), checks)


def describe_installation() -> str:
    """Where this Countersign runs from: a frozen build, an installed package or a checkout."""
    python = f"Python {platform.python_version()}"
    if getattr(sys, "frozen", False):
        return f"frozen build at {Path(sys.executable).parent} ({python})"
    package = Path(__file__).resolve().parents[1]
    if (package.parent / "pyproject.toml").is_file():
        return f"source checkout at {package.parent} ({python})"
    return f"installed package at {package} ({python})"


# -- resources ----------------------------------------------------------------------


def resources_root() -> Traversable:
    """The ``countersign.resources`` package: icons, checklists, fonts and sample bundles."""
    return importlib.resources.files("countersign.resources")


def check_resources() -> Check:
    """Are the icons, sample bundles, checklists and Alembic migrations in the installation?"""
    root = resources_root()
    found: list[str] = []
    missing: list[str] = []

    icons = _names(root / "icons", ".svg")
    if "app.svg" in icons:
        found.append(f"{len(icons)} icons")
    else:
        missing.append("the application icon (icons/app.svg)")

    samples = root / "samples"
    if (samples / "bundles.json").is_file():
        bundles = sum(1 for child in samples.iterdir() if child.is_dir())
        found.append(f"{bundles} sample bundles")
    else:
        missing.append("the sample bundles (samples/bundles.json)")

    checklists = _names(root / "checklists", ".yaml") + _names(root / "checklists", ".yml")
    if checklists:
        found.append(f"{len(checklists)} checklist templates")

    migrations = importlib.resources.files("countersign") / "migrations"
    revisions = _names(migrations / "versions", ".py")
    revisions = [name for name in revisions if name != "__init__.py"]
    if (migrations / "env.py").is_file() and revisions:
        found.append(f"{len(revisions)} schema migrations")
    else:
        missing.append("the Alembic migrations (app/migrations)")
    if not (migrations / "script.py.mako").is_file():
        missing.append("the migration template (app/migrations/script.py.mako)")

    where = _location(root)
    if missing:
        return Check("Resources", False, f"missing from {where}: " + "; ".join(missing) + ".")
    return Check("Resources", True, f"{', '.join(found)}, found in {where}.")


def _names(folder: Traversable, suffix: str) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(child.name for child in folder.iterdir() if child.name.endswith(suffix))


def _location(resource: Traversable) -> str:
    return str(resource) if isinstance(resource, Path) else repr(resource)


# -- registry -----------------------------------------------------------------------


def check_registry() -> Check:
    """Does a scratch registry open in a temporary folder, with every migration applied?"""
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    with tempfile.TemporaryDirectory(prefix="countersign-self-check-") as folder:
        path = Path(folder) / "registry.sqlite3"
        try:
            database = Database.open(str(path))
        except CountersignError as error:
            return Check(
                "Registry", False, f"a scratch registry in {folder} could not be opened: {error}."
            )
        config = Config()
        config.set_main_option("script_location", "countersign:migrations")
        head = ScriptDirectory.from_config(config).get_current_head()
        with database, database.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            tables = inspect(connection).get_table_names()
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    if current != head:
        return Check(
            "Registry",
            False,
            f"a scratch registry opened but stopped at schema revision {current}, not {head}.",
        )
    return Check(
        "Registry",
        True,
        f"a scratch registry in a temporary folder opened and migrated to schema revision "
        f"{head} ({len(tables)} tables, journal mode {journal}); it was removed afterwards.",
    )


# -- keyring ------------------------------------------------------------------------


def check_keyring(backend: Any = None) -> Check:
    """Which keyring backend holds reviewers' keys, and can it store and delete a secret?

    The backend is judged by the same rule that signing uses
    (:func:`countersign.services.identities.keystore.usable_backend`), so the self-check never
    passes a keyring that signing would refuse, nor the other way round.
    """
    from countersign.services.identities.errors import KeystoreUnavailable
    from countersign.services.identities.keystore import (
        backend_name,
        configured_backend,
        usable_backend,
    )

    if backend is None:
        try:
            backend = configured_backend()
        except KeystoreUnavailable as error:
            return Check("Keyring", False, str(error))
    try:
        backend = usable_backend(backend)
    except KeystoreUnavailable as error:
        return Check(
            "Keyring",
            False,
            f"the keyring backend {backend_name(backend)} is not acceptable: {error}",
        )
    name = backend_name(backend)
    outcome = _with_timeout(lambda: _probe_keyring(backend), KEYRING_TIMEOUT)
    if outcome is None:
        return Check(
            "Keyring",
            False,
            f"the keyring backend {name} did not answer within {KEYRING_TIMEOUT:.0f} seconds "
            "(it may be waiting for you to unlock it).",
        )
    if outcome:
        return Check("Keyring", False, f"the keyring backend {name} {outcome}.")
    return Check(
        "Keyring",
        True,
        f"the keyring backend is {name}; it stored a throwaway secret, read it back "
        "and deleted it.",
    )


def _probe_keyring(backend: Any) -> str:
    """Store, read back and delete a throwaway entry; '' when all went well, else what failed."""
    user = f"probe-{secrets.token_hex(8)}"
    secret = secrets.token_hex(16)
    try:
        backend.set_password(KEYRING_SERVICE, user, secret)
    except Exception as error:  # every backend failure is reported in words
        return f"could not store a secret: {_error_text(error)}"
    try:
        if backend.get_password(KEYRING_SERVICE, user) != secret:
            return "stored a secret but gave a different one back"
    except Exception as error:
        return f"stored a secret but could not read it back: {_error_text(error)}"
    finally:
        # A failed delete shows below, when the entry can still be read back.
        with contextlib.suppress(Exception):
            backend.delete_password(KEYRING_SERVICE, user)
    try:
        if backend.get_password(KEYRING_SERVICE, user) is not None:
            return f"could not delete the throwaway entry {KEYRING_SERVICE}/{user}"
    except Exception as error:
        return f"could not confirm the throwaway entry was deleted: {_error_text(error)}"
    return ""


def _with_timeout(work: Callable[[], str], seconds: float) -> str | None:
    """``work()``'s result, or None when it has not finished within ``seconds``."""
    result: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as error:  # re-raised in the caller's thread
            errors.append(error)

    # A daemon thread: a keyring stuck on an unlock prompt must not keep the process alive.
    thread = threading.Thread(target=run, name="keyring-probe", daemon=True)
    thread.start()
    thread.join(seconds)
    if errors:
        raise errors[0]
    return result[0] if result else None


def _error_text(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# -- fonts --------------------------------------------------------------------------


def shipped_fonts() -> list[Traversable]:
    """The font files in ``resources/fonts``, sorted by name (none when the folder is absent)."""
    folder = resources_root() / "fonts"
    if not folder.is_dir():
        return []
    return sorted(
        (child for child in folder.iterdir() if child.name.lower().endswith(FONT_SUFFIXES)),
        key=lambda child: child.name,
    )


def check_fonts() -> Check:
    """Which fonts ship with Countersign (the reports embed them), and is each a real font file?"""
    fonts = shipped_fonts()
    if not fonts:
        return Check(
            "Fonts",
            False,
            "no fonts found in resources/fonts: signed reports embed the shipped DejaVu and "
            "Droid Sans Fallback fonts, so this installation is incomplete; reinstall Countersign.",
        )
    broken = []
    for font in fonts:
        with font.open("rb") as stream:
            if stream.read(4) not in _FONT_MAGIC:
                broken.append(font.name)
    names = ", ".join(font.name for font in fonts)
    if broken:
        return Check(
            "Fonts",
            False,
            f"{len(fonts)} fonts shipped ({names}); not a TrueType or OpenType file: "
            f"{', '.join(broken)}.",
        )
    return Check("Fonts", True, f"{len(fonts)} fonts shipped and readable: {names}.")


# -- Qt -----------------------------------------------------------------------------


def qt_probe_command() -> list[str]:
    """The command that runs the Qt probe: this same program with ``--self-check-qt``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--self-check-qt"]
    # -P: a folder named `app` in the working directory must not stand in for ours.
    return [sys.executable, "-P", "-m", "countersign", "--self-check-qt"]


def check_qt_platform(command: Sequence[str]) -> Check:
    """Can Qt start on this display (``QT_QPA_PLATFORM``), draw the SVG icons and find fonts?"""
    requested = os.environ.get("QT_QPA_PLATFORM") or "the default platform"
    try:
        finished = subprocess.run(
            list(command),
            capture_output=True,
            text=True,
            timeout=QT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Check(
            "Qt platform",
            False,
            f"Qt did not start on {requested} within {QT_TIMEOUT:.0f} seconds.",
        )
    except OSError as error:
        return Check("Qt platform", False, f"the Qt probe could not be started: {error}.")
    probe = _last_json_line(finished.stdout)
    if finished.returncode != 0 or probe is None:
        said = _last_lines(finished.stderr).rstrip(".") or f"exit status {finished.returncode}"
        hint = ""
        if not os.environ.get("QT_QPA_PLATFORM") and not os.environ.get("DISPLAY"):
            hint = " Without a display, set QT_QPA_PLATFORM=offscreen to check everything else."
        return Check("Qt platform", False, f"Qt could not start on {requested}: {said}.{hint}")
    return _qt_check(probe)


def _qt_check(probe: dict[str, Any]) -> Check:
    """Words for what the probe found; SVG icons must draw, shipped fonts must load."""
    problems = []
    if not probe.get("svg_icon"):
        problems.append("the SVG icons do not draw (the Qt SVG plugins are missing)")
    failed_fonts = probe.get("fonts_failed") or []
    if failed_fonts:
        problems.append(f"Qt could not load the shipped fonts {', '.join(failed_fonts)}")
    words = (
        f"Qt {probe.get('qt_version')} started on the {probe.get('platform')!r} platform"
        f" (screen {probe.get('screen')}), default font {probe.get('default_font')!r}, "
        f"{probe.get('font_families')} font families"
    )
    loaded = probe.get("fonts_loaded") or []
    if loaded:
        words += f", shipped fonts loaded: {', '.join(loaded)}"
    if problems:
        return Check("Qt platform", False, f"{words}; but {'; '.join(problems)}.")
    return Check("Qt platform", True, f"{words}; the SVG icons draw.")


def _last_json_line(text: str) -> dict[str, Any] | None:
    for raw in reversed(text.splitlines()):
        line = raw.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def _last_lines(text: str, count: int = 3) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " / ".join(lines[-count:])


def report_lines(report: SelfCheckReport) -> Iterator[str]:
    """The report as the lines ``countersign --self-check`` prints."""
    yield f"Countersign {report.version} self-check, {report.installation}"
    for check in report.checks:
        mark = "ok" if check.passed else "FAILED" if check.required else "note"
        yield f"  {mark:<7} {check.name}: {check.detail}"
    if report.passed:
        yield "All required checks passed."
    else:
        names = ", ".join(check.name for check in report.failed)
        count = len(report.failed)
        yield f"{count} required check{'s' if count != 1 else ''} failed: {names}."
