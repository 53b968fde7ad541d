"""The desktop integration: launcher, AppStream metainfo, .cardbundle type, icons, installer."""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from countersign.views.application import application

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
APP_ID = "org.countersign.Countersign"
DESKTOP = PACKAGING / "linux" / f"{APP_ID}.desktop"
METAINFO = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"
MIME = PACKAGING / "linux" / f"{APP_ID}.xml"
THEME = PACKAGING / "icons" / "hicolor"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
MIME_TYPE = "application/x-countersign-bundle"
SHARED_MIME = "{http://www.freedesktop.org/standards/shared-mime-info}"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (scripts/setup.sh test installs it)")
    return path


def _desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_desktop_file_is_valid() -> None:
    result = subprocess.run(
        [_tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_the_metainfo_is_valid() -> None:
    result = subprocess.run(
        [_tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Only infos are allowed (<developer> is newer than some validators); no warnings.
    assert "W:" not in result.stdout and "E:" not in result.stdout


def test_launcher_metainfo_file_type_and_window_agree(qapp: QApplication) -> None:
    entry = _desktop_entry(DESKTOP)
    assert entry["Exec"] == "countersign %F"
    assert entry["Icon"] == APP_ID
    assert entry["MimeType"] == f"{MIME_TYPE};"

    component = ET.parse(METAINFO).getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP.name
    assert component.findtext("provides/binary") == "countersign"
    assert component.findtext("provides/mediatype") == MIME_TYPE
    assert component.findtext("project_license") == "Apache-2.0"

    mime_type = ET.parse(MIME).getroot().find(f"{SHARED_MIME}mime-type")
    assert mime_type is not None and mime_type.get("type") == MIME_TYPE
    assert [g.get("pattern") for g in mime_type.findall(f"{SHARED_MIME}glob")] == ["*.cardbundle"]
    assert [s.get("type") for s in mime_type.findall(f"{SHARED_MIME}sub-class-of")] == [
        "application/zip"
    ]

    # Wayland and the desktop shell match the window to its launcher by this name.
    application()
    assert QGuiApplication.desktopFileName() == APP_ID


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_icons_come_in_every_size_from_the_window_icon() -> None:
    scalable = THEME / "scalable" / "apps" / f"{APP_ID}.svg"
    # One source: packaging/render-icons.py copies the window's icon and renders the PNGs.
    assert scalable.read_bytes() == (REPO / "resources" / "icons" / "app.svg").read_bytes()
    for size in PNG_SIZES:
        png = THEME / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert _png_size(png) == (size, size)


def test_install_and_uninstall_for_the_current_user(tmp_path: Path) -> None:
    executable = tmp_path / "Count ersign" / "countersign"
    executable.parent.mkdir()
    executable.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    executable.chmod(0o755)
    data = tmp_path / "share"
    env = {**os.environ, "XDG_DATA_HOME": str(data), "PATH": "/usr/bin:/bin"}
    script = [_tool("bash"), str(PACKAGING / "install-desktop.sh")]

    installed = subprocess.run(
        [*script, "--exec", str(executable)], env=env, capture_output=True, text=True, check=False
    )
    assert installed.returncode == 0, installed.stderr
    assert f"The launcher runs: {executable}" in installed.stdout

    launcher = data / "applications" / DESKTOP.name
    entry = _desktop_entry(launcher)
    assert entry["Exec"] == f'"{executable}" %F'
    assert entry["TryExec"] == str(executable)
    assert (data / "metainfo" / METAINFO.name).read_bytes() == METAINFO.read_bytes()
    assert (data / "mime" / "packages" / MIME.name).read_bytes() == MIME.read_bytes()
    for size in PNG_SIZES:
        assert (data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(launcher)], capture_output=True, text=True, check=False
        )
        assert check.returncode == 0 and check.stdout.strip() == "", check.stdout
    if shutil.which("update-mime-database"):
        assert f"50:{MIME_TYPE}:*.cardbundle" in (data / "mime" / "globs2").read_text()
        assert f"{MIME_TYPE} application/zip" in (data / "mime" / "subclasses").read_text()
    if shutil.which("update-desktop-database"):
        cache = (data / "applications" / "mimeinfo.cache").read_text()
        assert f"{MIME_TYPE}={DESKTOP.name};" in cache

    removed = subprocess.run(
        [*script, "--uninstall"], env=env, capture_output=True, text=True, check=False
    )
    assert removed.returncode == 0, removed.stderr
    left = [p for p in data.rglob(f"{APP_ID}*")]
    assert left == []


def test_install_without_any_countersign_says_what_to_do(tmp_path: Path) -> None:
    script = tmp_path / "packaging" / "install-desktop.sh"
    script.parent.mkdir()
    shutil.copy2(PACKAGING / "install-desktop.sh", script)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "share"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [_tool("bash"), str(script)], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "no countersign executable found" in result.stderr
    assert "pass --exec PATH" in result.stderr
    assert not (tmp_path / "share").exists()
