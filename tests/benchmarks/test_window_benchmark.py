"""The window benchmark on a tiny registry: it completes and reports every figure (no timings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from benchmarks import window
from benchmarks.scale_registry import card_bytes, registry_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

FIGURES = [
    "cold start to first painted window",
    "cold start to the home screen's lists painted",
    "cold start to the registry's rows painted",
    "peak memory, window with registry open",
    "search, ranked top 20, 3-letter prefix",
    "search, ranked top 20, longer prefixes",
    "models table, first screen",
    "models table, jump to row 36",
    "home screen's lists, one read",
    "home list page at row 36 of 40",
]


def test_cards_state_their_version_where_the_format_can() -> None:
    name, native = card_bytes(0, 3)
    assert name == "card-00000.json" and b'"version":"3"' in native
    name, mct = card_bytes(2, 3)
    assert b'"version": {"name": "3"}' in mct
    assert card_bytes(2, 3) == card_bytes(2, 3)
    assert card_bytes(2, 3)[1] != card_bytes(2, 4)[1]


def test_the_benchmark_reports_every_figure(
    qapp: QApplication, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "figures.json"
    figures = window.run((40, 80), 1, out, cache=tmp_path / "cache")
    assert [figure.name for figure in figures] == FIGURES
    # The start-up window paints first; the main window's rows come once the registry is open.
    assert max(figures[0].values) < min(figures[1].values)
    # The home screen's lists come first; the models list is opened from it.
    assert max(figures[1].values) < min(figures[2].values)
    printed = capsys.readouterr().out
    for name in FIGURES:
        assert name in printed
    saved = json.loads(out.read_text())
    assert (saved["models"], saved["card_versions"]) == (40, 80)
    assert [f["figure"] for f in saved["figures"]] == FIGURES
    for figure in saved["figures"]:
        assert figure["median"] > 0 and figure["limit_median"] > 0
        assert isinstance(figure["met"], bool)
    # The registry is kept for the next run, complete.
    assert registry_path(40, 80, root=tmp_path / "cache").exists()
