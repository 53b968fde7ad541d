"""``countersign FILE...``: the window with the files in the import preview, not a subcommand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from countersign.cli import main
from countersign.views import application


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every call to open the workstation, recorded instead of opening a window."""
    calls: list[dict[str, Any]] = []

    def run_workstation(**kwargs: Any) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr(application, "run_workstation", run_workstation)
    return calls


def test_a_bundle_path_opens_the_window_with_it(
    opened: list[dict[str, Any]], tmp_path: Path
) -> None:
    bundle = tmp_path / "risk-team.cardbundle"
    bundle.write_bytes(b"PK\x05\x06" + bytes(18))
    assert main([str(bundle)]) == 0
    assert opened == [{"db": None, "demo": False, "open_files": [bundle], "qt_arguments": []}]


def test_options_around_the_files_are_kept(opened: list[dict[str, Any]], tmp_path: Path) -> None:
    first, second = tmp_path / "a.cardbundle", tmp_path / "b card.json"
    for path in (first, second):
        path.write_text("{}", encoding="utf-8")
    registry = str(tmp_path / "registry.sqlite3")
    assert main(["--db", registry, str(first), str(second), "--demo"]) == 0
    assert opened == [
        {"db": registry, "demo": True, "open_files": [first, second], "qt_arguments": []}
    ]


def test_a_missing_file_still_goes_to_the_preview_which_says_so(
    opened: list[dict[str, Any]],
) -> None:
    # The import preview refuses it with the reason; the command line does not guess.
    assert main(["no-such-bundle.cardbundle"]) == 0
    assert opened[0]["open_files"] == [Path("no-such-bundle.cardbundle")]


def test_no_files_opens_the_window_alone(opened: list[dict[str, Any]]) -> None:
    assert main(["--demo"]) == 0
    assert opened == [{"db": None, "demo": True, "open_files": [], "qt_arguments": []}]


def test_subcommands_are_not_taken_for_files(
    opened: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "registry.sqlite3"
    assert main(["registry", "init", "--db", str(registry)]) == 0  # `models` makes none
    capsys.readouterr()
    assert main(["--db", str(registry), "models"]) == 0
    assert opened == []
    assert "The registry is empty." in capsys.readouterr().out


def test_a_mistyped_subcommand_is_wrong_usage(
    opened: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["improt"])
    assert stopped.value.code == 2
    assert "invalid choice: 'improt'" in capsys.readouterr().err
    assert opened == []
