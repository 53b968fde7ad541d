"""The self-check: each question answered in words, failures named, nothing left behind."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail

from countersign.services import self_check
from countersign.services.self_check import (
    KEYRING_SERVICE,
    Check,
    SelfCheckReport,
    check_fonts,
    check_keyring,
    check_qt_platform,
    check_registry,
    check_resources,
    report_lines,
)
from tests.helpers.keyring_memory import (
    MemoryKeyring,
    PlaintextKeyring,
    RankedKeyring,
    RefusingKeyring,
)


class ForgetfulDeleteKeyring(MemoryKeyring):
    """A keyring whose delete silently does nothing."""

    def delete_password(self, service: str, username: str) -> None:
        return None


class SlowKeyring(MemoryKeyring):
    """A keyring waiting on an unlock prompt nobody answers."""

    def set_password(self, service: str, username: str, password: str) -> None:
        time.sleep(2)


def test_resources_and_migrations_are_found() -> None:
    check = check_resources()
    assert check.passed, check.detail
    assert "icons" in check.detail
    assert "14 sample bundles" in check.detail
    assert "schema migrations" in check.detail


def test_resources_missing_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "icons").mkdir()
    monkeypatch.setattr(self_check, "resources_root", lambda: tmp_path)
    check = check_resources()
    assert not check.passed
    assert "the application icon (icons/app.svg)" in check.detail
    assert "the sample bundles (samples/bundles.json)" in check.detail
    assert str(tmp_path) in check.detail


def test_a_scratch_registry_is_migrated_to_the_head_and_removed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(self_check.tempfile, "tempdir", str(tmp_path))
    config = Config()
    config.set_main_option("script_location", "app:migrations")
    head = ScriptDirectory.from_config(config).get_current_head()
    check = check_registry()
    assert check.passed, check.detail
    assert f"migrated to schema revision {head}" in check.detail
    assert "journal mode wal" in check.detail
    assert list(tmp_path.iterdir()) == []


def test_a_keyring_that_stores_and_deletes_passes_and_keeps_nothing() -> None:
    backend = MemoryKeyring()
    check = check_keyring(backend)
    assert check.passed, check.detail
    assert f"the keyring backend is {MemoryKeyring.__module__}.MemoryKeyring" in check.detail
    assert "stored a throwaway secret, read it back and deleted it" in check.detail
    assert backend.entries == {}


def test_no_keyring_at_all_is_not_acceptable() -> None:
    check = check_keyring(fail.Keyring())
    assert not check.passed and check.required
    assert "keyring.backends.fail.Keyring is not acceptable" in check.detail
    assert "no keyring backend is available" in check.detail
    assert "Countersign never stores a private key in plain text." in check.detail


def test_a_plaintext_keyring_is_not_acceptable_and_is_never_written() -> None:
    backend = PlaintextKeyring()
    check = check_keyring(backend)
    assert not check.passed
    assert "keeps secrets in a file of its own" in check.detail
    assert backend.entries == {}


class Chain(chainer.ChainerBackend):
    """A chain of exactly the given backends (the real one asks the installed ones)."""

    def __init__(self, links: list[KeyringBackend]) -> None:
        super().__init__()
        self.links = links

    @property
    def backends(self) -> list[KeyringBackend]:  # type: ignore[override]
        return self.links


def test_a_chain_is_judged_by_the_real_keyring_in_it_and_plaintext_is_never_written() -> None:
    real, plaintext = RankedKeyring(), PlaintextKeyring()
    chain = Chain([real, plaintext])
    check = check_keyring(chain)
    assert check.passed, check.detail
    assert "RankedKeyring" in check.detail
    assert plaintext.entries == {}


def test_a_chain_of_plaintext_only_is_not_acceptable() -> None:
    plaintext = PlaintextKeyring()
    chain = Chain([plaintext])
    check = check_keyring(chain)
    assert not check.passed
    assert "PlaintextKeyring" in check.detail
    assert plaintext.entries == {}


def test_a_keyring_that_cannot_store_says_why() -> None:
    check = check_keyring(RefusingKeyring())
    assert not check.passed
    assert (
        "could not store a secret: PasswordSetError: Failed to unlock the collection!"
        in check.detail
    )


def test_a_keyring_that_does_not_delete_is_reported() -> None:
    check = check_keyring(ForgetfulDeleteKeyring())
    assert not check.passed
    assert f"could not delete the throwaway entry {KEYRING_SERVICE}/probe-" in check.detail


def test_a_keyring_that_does_not_answer_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(self_check, "KEYRING_TIMEOUT", 0.2)
    check = check_keyring(SlowKeyring())
    assert not check.passed
    assert "did not answer within 0 seconds (it may be waiting for you to unlock it)" in (
        check.detail
    )


def test_the_shipped_report_fonts_are_found() -> None:
    check = check_fonts()
    assert check.passed and check.required
    assert "DejaVuSans.ttf" in check.detail and "DroidSansFallbackFull.ttf" in check.detail


def test_missing_fonts_are_an_incomplete_installation(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(self_check, "resources_root", lambda: tmp_path)
    check = check_fonts()
    assert not check.passed and check.required
    assert "no fonts found in resources/fonts" in check.detail


def test_shipped_fonts_are_checked_by_their_contents(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    (fonts / "Report-Regular.ttf").write_bytes(b"\x00\x01\x00\x00" + bytes(60))
    (fonts / "Report-Bold.otf").write_bytes(b"OTTO" + bytes(60))
    (fonts / "README.txt").write_text("licence", encoding="utf-8")
    monkeypatch.setattr(self_check, "resources_root", lambda: tmp_path)
    check = check_fonts()
    assert check.passed and check.required
    assert check.detail == "2 fonts shipped and readable: Report-Bold.otf, Report-Regular.ttf."

    (fonts / "Broken.ttf").write_bytes(b"<html>not a font</html>")
    check = check_fonts()
    assert not check.passed
    assert "not a TrueType or OpenType file: Broken.ttf" in check.detail


def _python_printing(text: str, status: int = 0, stderr: str = "") -> list[str]:
    code = f"import sys; print({text!r}); sys.stderr.write({stderr!r}); sys.exit({status})"
    return [sys.executable, "-c", code]


def test_qt_probe_output_is_put_in_words() -> None:
    probe = (
        '{"qt_version": "6.7.0", "platform": "xcb", "screen": "1920×1080", "svg_icon": true,'
        ' "default_font": "Cantarell", "font_families": 42, "fonts_loaded": [],'
        ' "fonts_failed": []}'
    )
    check = check_qt_platform(_python_printing(probe))
    assert check.passed, check.detail
    assert check.detail == (
        "Qt 6.7.0 started on the 'xcb' platform (screen 1920×1080), default font "
        "'Cantarell', 42 font families; the SVG icons draw."
    )


def test_qt_without_svg_plugins_fails() -> None:
    probe = '{"qt_version": "6.7.0", "platform": "offscreen", "svg_icon": false}'
    check = check_qt_platform(_python_printing(probe))
    assert not check.passed
    assert "the SVG icons do not draw (the Qt SVG plugins are missing)" in check.detail


def test_qt_that_cannot_start_is_reported_with_what_it_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    command = _python_printing("", status=134, stderr="qt.qpa.xcb: could not connect to display \n")
    check = check_qt_platform(command)
    assert not check.passed
    assert check.detail == ("Qt could not start on xcb: qt.qpa.xcb: could not connect to display.")


def test_the_report_marks_each_check_and_sums_up() -> None:
    report = SelfCheckReport(
        "9.9",
        "installed package at /somewhere (Python 3.11.7)",
        [
            Check("Registry", True, "opened."),
            Check("Keyring", False, "not acceptable."),
            Check("Fonts", True, "none shipped.", required=False),
        ],
    )
    assert not report.passed
    assert list(report_lines(report)) == [
        "Countersign 9.9 self-check, installed package at /somewhere (Python 3.11.7)",
        "  ok      Registry: opened.",
        "  FAILED  Keyring: not acceptable.",
        "  ok      Fonts: none shipped.",
        "1 required check failed: Keyring.",
    ]
