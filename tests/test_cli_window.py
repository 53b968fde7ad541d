"""The window's command line: Qt's standard options pass to Qt; no display is said in words."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import pytest

from countersign import cli
from countersign.cli import display_problem, main, split_qt_options


def test_qt_options_are_taken_out_for_qt() -> None:
    ours, qt = split_qt_options(
        ["-platform", "xcb", "--db", "x.sqlite3", "-style=Fusion", "-reverse", "--demo"]
    )
    assert ours == ["--db", "x.sqlite3", "--demo"]
    assert qt == ["-platform", "xcb", "-style=Fusion", "-reverse"]
    # After --, nothing is Qt's: a file may be named like an option.
    assert split_qt_options(["--", "-style"]) == (["--", "-style"], [])


def test_the_window_gets_qt_options(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[argparse.Namespace, Sequence[str]]] = []

    def run(args: argparse.Namespace, qt_arguments: Sequence[str] = ()) -> int:
        seen.append((args, qt_arguments))
        return 0

    monkeypatch.setattr(cli, "_run_workstation", run)
    assert main(["-style", "Fusion", "-platform", "offscreen", "--demo"]) == 0
    (args, qt) = seen[0]
    assert args.demo is True
    assert list(qt) == ["-style", "Fusion", "-platform", "offscreen"]


def test_qt_options_with_a_subcommand_are_wrong_usage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["-style", "Fusion", "--db", str(tmp_path / "r.sqlite3"), "models"])
    assert stopped.value.code == 2
    assert "for the window only" in capsys.readouterr().err


def test_no_display_is_said_in_words_before_qt_starts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cli.sys, "platform", "linux")
    assert main(["--demo"]) == 1
    err = capsys.readouterr().err
    assert "there is no display to open the window on" in err
    assert "QT_QPA_PLATFORM=offscreen" in err
    assert "Traceback" not in err


def test_a_display_or_a_platform_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cli.sys, "platform", "linux")
    assert display_problem([]) != ""
    assert display_problem(["-platform", "offscreen"]) == ""
    monkeypatch.setenv("DISPLAY", ":99")
    assert display_problem([]) == ""
    monkeypatch.delenv("DISPLAY")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert display_problem([]) == ""
