"""`python -m benchmarks --quick` on a tiny registry: it completes and reports every figure.

Timings are never asserted: these machines are shared and noisy.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from benchmarks.__main__ import main
from tests.helpers.postgres import PostgresServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

EXPECTED = [
    "import a 200-card bundle",
    "import a 200-card bundle, read in-process",
    "of which writing (200-card bundle)",
    "then its checkpoint, in the background (not waited for)",
    "full-text indexing of 200 cards",
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
    "text diff of two 5,000-line versions",
    "structured diff of 5,000 values",
]


def test_quick_run_emits_every_figure(
    qapp: QApplication, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "figures.json"
    argv = ["--quick", "--repeat", "1", "--json", str(out)]
    argv += ["--size", "40", "80", "--cache", str(tmp_path / "cache")]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    saved = json.loads(out.read_text())
    names = [figure["figure"].strip() for figure in saved["figures"]]
    assert names[: len(EXPECTED)] == EXPECTED
    assert len(names) == len(EXPECTED) + 2  # and the 10-page signed report, and its gate
    assert names[-2].startswith("signed report, ") and names[-2].endswith("(build + sign)")
    assert names[-1].startswith("gate --evidence on the ") and names[-1].endswith("signed report")
    for figure in saved["figures"]:
        assert figure["median"] > 0
        assert isinstance(figure["met"], bool)
        assert figure["figure"].strip() in printed
    with_goal = [figure for figure in saved["figures"] if figure["has_goal"]]
    # Every figure has its goal, the rows' first paint too (issue 19: 1.0 s and 3x), but
    # those only reported: a fixed count of workers, and the checkpoint nobody waits for.
    assert {f["figure"].strip() for f in saved["figures"] if not f["has_goal"]} == {
        "import a 200-card bundle, read in-process",
        "then its checkpoint, in the background (not waited for)",
    }
    assert f"goals met: {sum(f['met'] for f in with_goal)} of {len(with_goal)}" in printed


def test_postgresql_run_emits_its_figures(
    postgres: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "figures.json"
    url = postgres.new_database()
    argv = ["--quick", "--repeat", "1", "--json", str(out), "--only", "postgresql"]
    argv += ["--postgres", url, "--size", "40", "80", "--cache", str(tmp_path / "cache")]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    names = [figure["figure"].strip() for figure in json.loads(out.read_text())["figures"]]
    assert names == [
        "PostgreSQL: import a 200-card bundle",
        "of which writing (200 cards, PostgreSQL)",
        "PostgreSQL: search, ranked top 20, 3-letter prefix",
        "PostgreSQL: search, ranked top 20, longer prefixes",
    ]
    assert all(name in printed for name in names)
