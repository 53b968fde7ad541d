"""The Qt half of the self-check: platform, SVG icons and shipped fonts, as one JSON line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from countersign.cli import main
from countersign.views import platform_probe
from countersign.views.platform_probe import probe_platform

SYSTEM_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
"""A font installed with Qt's runtime libraries (fonts-dejavu-core in scripts/setup.sh)."""


def test_probe_names_the_platform_and_draws_the_svg_icon(qapp: QApplication) -> None:
    probe = probe_platform()
    assert probe["platform"] == "offscreen"
    assert probe["svg_icon"] is True
    assert probe["svg_format"] is True
    assert probe["font_families"] > 0
    assert "DejaVuSans.ttf (DejaVu Sans)" in probe["fonts_loaded"]
    assert probe["fonts_failed"] == []


def test_the_hidden_flag_prints_one_json_line(
    qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--self-check-qt"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert json.loads(out)["platform"] == "offscreen"


def test_shipped_fonts_are_loaded_into_qt(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if not SYSTEM_FONT.is_file():
        pytest.skip(f"{SYSTEM_FONT} is not installed (fonts-dejavu-core)")
    broken = tmp_path / "Broken.ttf"
    broken.write_bytes(b"\x00\x01\x00\x00 but nothing else")
    monkeypatch.setattr(platform_probe, "shipped_fonts", lambda: [SYSTEM_FONT, broken])
    probe = probe_platform()
    assert probe["fonts_loaded"] == ["DejaVuSans.ttf (DejaVu Sans)"]
    assert probe["fonts_failed"] == ["Broken.ttf"]
