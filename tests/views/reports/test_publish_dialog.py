"""Publish approved version…: refused with the reason for a card version not approved or a
folder not empty, and an approved one written into an empty folder, each file listed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from countersign.services.reports.publishing import PublishedFile
from countersign.views.main_window import MainWindow
from countersign.views.reports import folder as report_folder
from countersign.views.reports.publish_dialog import PublishDialog, PublishedFilesModel
from tests.helpers.layout import assert_usable
from tests.helpers.registry import audit_actions
from tests.helpers.report_window import report_window
from tests.helpers.reports import OLGA, ReportBench
from tests.helpers.signoff import PASSPHRASE

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)

NOT_APPROVED = (
    "credit-scorer 1.0 is submitted, not approved; only approved card versions are published."
)


@pytest.fixture
def approved(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[MainWindow, ReportBench]]:
    with report_window(qtbot, tmp_path) as made:
        yield made


@pytest.fixture
def submitted(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[MainWindow, ReportBench]]:
    with report_window(qtbot, tmp_path, approve=False) as made:
        yield made


def _open(main: MainWindow, folder: Path) -> PublishDialog:
    main.publish_version()
    dialog = main.report_commands.publish_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.signer.identity_combo.setCurrentIndex(dialog.signer.identity_combo.findData(OLGA))
    dialog.folder_edit.setText(str(folder))
    dialog.accept()  # with a passphrase missing: checks the folder now, publishes nothing
    return dialog


def test_a_version_not_approved_cannot_be_published_and_says_why(
    submitted: tuple[MainWindow, ReportBench], tmp_path: Path
) -> None:
    main, bench = submitted
    action = main.commands["publish_version"]
    assert not action.isEnabled()
    assert action.toolTip() == NOT_APPROVED
    assert action.statusTip() == NOT_APPROVED
    file_menu = main.findChild(QMenu, "file_menu")
    assert file_menu is not None and file_menu.toolTipsVisible()
    before = audit_actions(bench.bench.path)
    folder = tmp_path / "publish"
    dialog = _open(main, folder)
    assert dialog.problem_text() == NOT_APPROVED
    assert not dialog.passphrase.isEnabled()
    assert not dialog.publish_button.isEnabled()
    assert not folder.exists()
    assert audit_actions(bench.bench.path) == before
    dialog.reject()


def test_publish_follows_the_status_of_the_version_shown(
    approved: tuple[MainWindow, ReportBench],
) -> None:
    main, _bench = approved
    action = main.commands["publish_version"]
    assert action.isEnabled()
    assert action.toolTip().startswith("Write the approved card version")
    main.model_page.clear()
    assert not action.isEnabled()
    assert action.toolTip() == "Choose an approved card version to publish."


def test_an_approved_version_is_written_into_an_empty_folder(
    qtbot: QtBot,
    approved: tuple[MainWindow, ReportBench],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    main, bench = approved
    opened: list[Path] = []
    monkeypatch.setattr(report_folder, "show_in_folder", opened.append)
    folder = tmp_path / "to-the-team"
    folder.mkdir()
    dialog = _open(main, folder)
    assert dialog.problem_text() == "Type the passphrase of olga@example.org to sign the report."
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    dialog.publish_button.click()
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=20_000)

    written = sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
    assert {"README.md", "card.json", "card.canonical.json", "review-report.pdf"} <= set(written)
    assert "SHA256SUMS" in written
    assert any(name.startswith("sign-offs/") for name in written)
    assert bench.reports.verify(folder / "review-report.pdf").ok
    assert "card_version.published" in audit_actions(bench.bench.path)

    result = dialog.result_value
    assert result is not None
    assert dialog.pages.currentIndex() == 1
    assert dialog.written.text().startswith(
        f"Published credit-scorer 1.0 into {folder}: {len(written)} files."
    )
    assert dialog.written.text().endswith(
        "Approval attestation (in-toto) for staging, signed by Olga Officer <olga@example.org>: "
        "attestations/."
    )
    assert "attestations/staging.intoto.json" in written
    files = dialog.files
    assert sorted(files.index(row, 0).data() for row in range(files.rowCount())) == written
    row = next(r for r in range(files.rowCount()) if files.index(r, 0).data() == "card.json")
    digest = hashlib.sha256((folder / "card.json").read_bytes()).hexdigest()
    assert files.index(row, 2).data() == digest
    dialog.folder_shown_button.click()
    assert opened == [folder]
    assert dialog.publish_button.isHidden()
    assert dialog.cancel_button.text() == "&Close"
    dialog.cancel_button.click()
    assert main.report_commands.publish_dialog is None


def test_a_folder_that_is_not_empty_is_refused_before_the_passphrase(
    approved: tuple[MainWindow, ReportBench], tmp_path: Path
) -> None:
    main, bench = approved
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("the officer's own notes")
    before = audit_actions(bench.bench.path)
    dialog = _open(main, folder)
    assert dialog.problem_text() == f"{folder} is not empty; give a new or empty folder."
    assert not dialog.passphrase.isEnabled()
    assert [path.name for path in folder.iterdir()] == ["notes.txt"]
    # Another folder (new, in an existing one) opens the passphrase again.
    dialog.folder_edit.setText(str(tmp_path / "fresh"))
    dialog.accept()
    assert dialog.problem_text() == "Type the passphrase of olga@example.org to sign the report."
    assert dialog.passphrase.isEnabled()
    assert audit_actions(bench.bench.path) == before
    dialog.reject()


def test_a_wrong_passphrase_publishes_nothing(
    qtbot: QtBot, approved: tuple[MainWindow, ReportBench], tmp_path: Path
) -> None:
    main, bench = approved
    folder = tmp_path / "new-folder"
    before = audit_actions(bench.bench.path)
    dialog = _open(main, folder)
    qtbot.keyClicks(dialog.passphrase, "wrong")
    dialog.publish_button.click()
    qtbot.waitUntil(lambda: not dialog.publishing, timeout=20_000)
    assert dialog.problem_text() == (
        "The passphrase is wrong for olga@example.org. Nothing was published; "
        "type it again (letter case counts)."
    )
    assert_usable(qtbot, dialog)
    assert not folder.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".new-folder")] == []
    assert audit_actions(bench.bench.path) == before
    dialog.reject()


def test_the_files_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = PublishedFilesModel()
    model.set_files(
        (
            PublishedFile("README.md", "a" * 64, 2048),
            PublishedFile("sign-offs/review-1.json", "b" * 64, 512),
        )
    )
    qtmodeltester.check(model)
    assert model.index(0, 1).data() == "2.0 KB"
    assert model.index(1, 0).data() == "sign-offs/review-1.json"
