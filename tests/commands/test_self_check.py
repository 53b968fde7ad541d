"""``countersign --self-check`` as an officer runs it: offscreen Qt, a real scratch registry."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from countersign import __version__
from countersign.cli import main
from tests.helpers.keyring_memory import MemoryKeyring


@pytest.fixture(autouse=True)
def offscreen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Qt probe runs in a child process, which inherits this platform."""
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")


@pytest.mark.needs_qt
def test_self_check_passes_and_says_what_it_found(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    assert main(["--self-check"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"Countersign {__version__} self-check, source checkout at ")
    by_name = {line.split(":", 1)[0].split()[-1]: line for line in lines[1:-1]}
    assert set(by_name) == {"Resources", "Registry", "Keyring", "Fonts", "platform"}
    assert by_name["Resources"].startswith("  ok      Resources: ")
    assert "14 sample bundles" in by_name["Resources"]
    assert "opened and migrated to schema revision" in by_name["Registry"]
    assert "it stored a throwaway secret, read it back and deleted it" in by_name["Keyring"]
    assert "fonts shipped and readable" in by_name["Fonts"]
    assert "started on the 'offscreen' platform" in by_name["platform"]
    assert by_name["platform"].endswith("the SVG icons draw.")
    assert lines[-1] == "All required checks passed."
    assert backend.entries == {}


@pytest.mark.needs_qt
def test_self_check_without_a_keyring_fails_and_names_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(keyring, "get_keyring", fail.Keyring)
    assert main(["--self-check"]) == 1
    out = capsys.readouterr().out
    assert (
        "  FAILED  Keyring: the keyring backend keyring.backends.fail.Keyring is not acceptable"
        in out
    )
    assert out.splitlines()[-1] == "1 required check failed: Keyring."


def test_the_qt_half_is_not_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    assert "--self-check " in help_text or "--self-check\n" in help_text
    assert "--self-check-qt" not in help_text
