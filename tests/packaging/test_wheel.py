"""The wheel and sdist carry every resource, migration and sample, and run from outside the tree.

``python -m build`` runs once for the module, offline (``--no-isolation``, with the
build backend from the test extra), sdist first and the wheel from the sdist, as
``pipx install .`` and distributors build it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from countersign import __version__

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _source_files(folder: Path) -> set[str]:
    """Files under ``folder`` relative to it, without byte-code caches."""
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The (wheel, sdist) that ``python -m build`` makes of this checkout."""
    pytest.importorskip("build", reason="the test extra's `build` is not installed")
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = out.glob("countersign-*.whl")
    (sdist,) = out.glob("countersign-*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="module")
def wheel_names(built: tuple[Path, Path]) -> set[str]:
    with zipfile.ZipFile(built[0]) as archive:
        return set(archive.namelist())


def test_the_wheel_is_named_for_this_version(built: tuple[Path, Path]) -> None:
    assert built[0].name == f"countersign-{__version__}-py3-none-any.whl"
    assert built[1].name == f"countersign-{__version__}.tar.gz"


def test_every_package_of_app_is_in_the_wheel_as_countersign(wheel_names: set[str]) -> None:
    packages = {
        "countersign/" + init.parent.relative_to(REPO / "app").as_posix()
        for init in (REPO / "app").rglob("__init__.py")
        if "__pycache__" not in init.parts and init.parent != REPO / "app"
    }
    assert "countersign/services/reviews" in packages
    missing = {package for package in packages if f"{package}/__init__.py" not in wheel_names}
    assert missing == set()
    assert "countersign/__init__.py" in wheel_names
    assert "countersign/__main__.py" in wheel_names


def test_no_top_level_app_package_lands_in_site_packages(wheel_names: set[str]) -> None:
    tops = {name.split("/", 1)[0] for name in wheel_names}
    assert tops == {"countersign", f"countersign-{__version__}.dist-info"}


def test_every_resource_is_in_the_wheel(wheel_names: set[str]) -> None:
    resources = _source_files(REPO / "resources")
    assert "icons/app.svg" in resources
    assert "samples/bundles.json" in resources
    missing = {name for name in resources if f"countersign/resources/{name}" not in wheel_names}
    assert missing == set()


def test_migrations_and_their_template_are_in_the_wheel(wheel_names: set[str]) -> None:
    revisions = sorted((REPO / "app" / "migrations" / "versions").glob("r*.py"))
    assert revisions
    for revision in revisions:
        assert f"countersign/migrations/versions/{revision.name}" in wheel_names
    assert "countersign/migrations/env.py" in wheel_names
    assert "countersign/migrations/script.py.mako" in wheel_names


def test_the_samples_of_the_demo_are_in_the_wheel(wheel_names: set[str]) -> None:
    samples = {name for name in wheel_names if name.startswith("countersign/resources/samples/")}
    assert "countersign/resources/samples/bundles.json" in samples
    assert (
        "countersign/resources/samples/01-retail-credit-risk-r1/retail-credit-risk-scorer.json"
        in samples
    )
    assert any(name.endswith(".svg") for name in samples)  # an attachment of a sample card


def test_no_byte_code_or_tests_in_the_wheel(wheel_names: set[str]) -> None:
    assert [name for name in wheel_names if "__pycache__" in name or name.endswith(".pyc")] == []
    assert [name for name in wheel_names if name.startswith("tests/")] == []


def test_the_wheel_declares_the_command(built: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(built[0]) as archive:
        info = f"countersign-{__version__}.dist-info"
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        metadata = archive.read(f"{info}/METADATA").decode()
    assert "countersign = countersign.cli:main" in entry_points
    assert "License-Expression: Apache-2.0" in metadata
    # Qt is the desktop extra's: the light install (gate, verify) goes without it.
    assert "Provides-Extra: desktop" in metadata
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist: ")]
    qt = [line for line in requires if "pyside6" in line.lower()]
    assert len(qt) == 2 and all(line.endswith('extra == "desktop"') for line in qt)


def test_the_sdist_carries_packaging_resources_and_tests(built: tuple[Path, Path]) -> None:
    with tarfile.open(built[1]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for name in (
        "pyproject.toml",
        "README.md",
        "packaging/countersign.spec",
        "packaging/build.sh",
        "packaging/install-desktop.sh",
        "packaging/linux/org.countersign.Countersign.desktop",
        "packaging/linux/org.countersign.Countersign.metainfo.xml",
        "packaging/linux/org.countersign.Countersign.xml",
        "packaging/icons/hicolor/scalable/apps/org.countersign.Countersign.svg",
        "resources/icons/app.svg",
        "resources/samples/bundles.json",
        "app/migrations/script.py.mako",
        "tests/conftest.py",
    ):
        assert name in names, name
    assert [name for name in names if "__pycache__" in name] == []


def test_the_unpacked_wheel_runs_its_self_check_from_its_own_files(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(built[0]) as archive:
        archive.extractall(site)
    # -P and a cwd outside the checkout: `countersign` can only come from the unpacked wheel.
    env = {**os.environ, "PYTHONPATH": str(site), "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-P", "-m", "countersign"]
    version = subprocess.run(
        [*command, "--version"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert version.stdout.strip() == f"countersign {__version__}"
    check = subprocess.run(
        [*command, "--self-check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    lines = check.stdout.splitlines()
    assert lines[0].startswith(f"Countersign {__version__} self-check, installed package at {site}")
    assert f"found in {site / 'countersign' / 'resources'}." in check.stdout
    assert "  ok      Registry: " in check.stdout
    assert "  ok      Qt platform: Qt " in check.stdout
    # This machine may have no Secret Service; then the keyring alone fails, and says so.
    assert lines[-1] in ("All required checks passed.", "1 required check failed: Keyring.")
    assert check.returncode == (0 if lines[-1].startswith("All") else 1)
