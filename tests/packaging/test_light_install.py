"""The light install (issue 20): Countersign without its `desktop` extra gates evidence, no Qt.

A fresh virtual environment gets the wheel of this checkout and exactly the
distributions its core requirements name, transitively, with the ``desktop``
extra's left out, each taken from ``.venv`` (symbolic links: offline and quick).
``pip check`` then confirms the wheel's declared requirements are met there, so
a requirement that only the desktop extra brings would show; PySide6 cannot be
imported, the window says what to install, and ``countersign gate`` passes a
published folder and its attestation and fails a tampered copy.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from countersign import __version__
from countersign.cli import main
from countersign.services.storage.database import Database
from tests.helpers.attestation import ANA, MODEL, OLGA, approved_registry
from tests.helpers.keyring_memory import MemoryKeyring, installed
from tests.helpers.signoff import PASSPHRASE

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def core_closure(requirements: list[str]) -> dict[str, importlib.metadata.Distribution]:
    """The installed distributions ``requirements`` need, transitively, extras not asked for."""
    found: dict[str, importlib.metadata.Distribution] = {}
    pending = [Requirement(text) for text in requirements]
    while pending:
        requirement = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = _normalised(requirement.name)
        if name in found:
            continue
        dist = importlib.metadata.distribution(requirement.name)
        found[name] = dist
        pending += [Requirement(text) for text in dist.requires or []]
    return found


def _link(dists: dict[str, importlib.metadata.Distribution], site: Path) -> None:
    """Link each distribution's top-level files and folders (and its metadata) into ``site``."""
    for dist in dists.values():
        for file in dist.files or ():
            if not file.parts or file.parts[0] in ("..", "__pycache__"):
                continue
            target = site / file.parts[0]
            if not target.exists() and not target.is_symlink():
                target.symlink_to(Path(str(dist.locate_file(file.parts[0]))))


def _run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COUNTERSIGN_")}
    environment.pop("PYTHONPATH", None)
    return subprocess.run(
        list(argv), capture_output=True, text=True, check=False, cwd=cwd, env=environment
    )


@pytest.fixture(scope="module")
def light(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with the light install of this checkout; its ``bin`` folder."""
    dist = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = dist.glob("countersign-*.whl")
    target = tmp_path_factory.mktemp("light") / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(target)
    python = target / "bin" / "python"
    site = Path(
        _run(
            str(python),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            cwd=target,
        ).stdout.strip()
    )
    requires = importlib.metadata.metadata("countersign").get_all("Requires-Dist") or []
    dists = core_closure(requires)
    assert "pyside6-essentials" not in dists and "shiboken6" not in dists
    _link(dists, site)
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    installed_wheel = _run(*pip, "install", "--no-deps", "--no-index", str(wheel), cwd=target)
    assert installed_wheel.returncode == 0, installed_wheel.stderr
    checked = _run(*pip, "check", cwd=target)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return target / "bin"


@pytest.fixture
def published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A published folder of an approved card version (with its attestation), made in .venv."""
    registry = tmp_path / "registry.sqlite3"
    Database.open(str(registry), create=True).dispose()
    monkeypatch.setenv("COUNTERSIGN_DB", str(registry))
    monkeypatch.setenv("COUNTERSIGN_PASSPHRASE", PASSPHRASE)
    with installed(MemoryKeyring()):
        approved_registry(tmp_path)
        folder = tmp_path / "published"
        assert main(["publish", f"{MODEL}@1.0", "-o", str(folder), "--identity", OLGA]) == 0
    yield folder


def test_the_light_install_has_no_qt_and_says_what_the_window_needs(light: Path) -> None:
    probe = _run(str(light / "python"), "-c", "import PySide6", cwd=light)
    assert "No module named 'PySide6'" in probe.stderr
    version = _run(str(light / "countersign"), "--version", cwd=light)
    assert version.stdout == f"countersign {__version__}\n"
    window = _run(str(light / "countersign"), cwd=light)
    assert window.returncode == 1
    assert "install countersign[desktop]" in window.stderr.replace("Install", "install")
    assert "Traceback" not in window.stderr and window.stdout == ""
    checked = _run(str(light / "countersign"), "--self-check", cwd=light)
    assert checked.returncode == 1
    qt_line = next(line for line in checked.stdout.splitlines() if "Qt platform" in line)
    assert "countersign[desktop]" in qt_line, checked.stdout
    located = _run(
        str(light / "python"), "-c", "import countersign; print(countersign.__file__)", cwd=light
    )
    assert str(light.parent) in located.stdout  # the wheel, not this checkout


def test_the_light_install_gates_a_published_folder(light: Path, published: Path) -> None:
    trust = [f"--trust={published.parent / f'{email}.pem'}" for email in (OLGA, ANA)]
    gate = [str(light / "countersign"), "gate", "--stage", "staging", *trust, "--evidence"]
    weights = ["--artifact", str(published.parent / "model.onnx")]
    passed = _run(*gate, str(published), *weights, cwd=published.parent)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.startswith(f"PASS: {MODEL} 1.0 for staging\n")
    attestation = published / "attestations/staging.intoto.json"
    assert _run(*gate, str(attestation), *weights, cwd=published.parent).returncode == 0

    tampered = published.parent / "tampered"
    shutil.copytree(published, tampered)
    (tampered / "card.canonical.json").write_text('{"model_details": {"name": "other"}}')
    failed = _run(*gate, str(tampered), cwd=published.parent)
    assert failed.returncode == 1
    assert "FAIL published folder: card.canonical.json was changed" in failed.stdout


def _size(dist: importlib.metadata.Distribution) -> int:
    total = 0
    for file in dist.files or ():
        path = Path(str(dist.locate_file(file)))
        if path.is_file():
            total += path.stat().st_size
    return total


def test_the_light_install_is_a_fraction_of_the_desktop_one() -> None:
    requires = importlib.metadata.metadata("countersign").get_all("Requires-Dist") or []
    core = core_closure(requires)
    desktop = [
        text
        for text in requires
        if (marker := Requirement(text).marker) is not None
        and marker.evaluate({"extra": "desktop"})
    ]
    qt = {
        n: d
        for n, d in core_closure([Requirement(t).name for t in desktop]).items()
        if n not in core
    }
    assert {"pyside6-essentials", "pyside6-addons", "shiboken6"} <= set(qt)
    light = sum(_size(d) for d in core.values())
    extra = sum(_size(d) for d in qt.values())
    # README, Packaging: about 160 MiB without Qt, 645 MiB more with it (PySide6 6.11).
    assert extra > 3 * light, (light >> 20, extra >> 20)
