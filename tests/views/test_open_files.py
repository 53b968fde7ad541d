"""A bundle opened from the desktop (``countersign FILE``) lands in the import preview."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from countersign.cli import main
from countersign.services.storage.database import Database
from countersign.views import application
from countersign.views.importing.dialog import ImportDialog
from countersign.views.main_window import MainWindow
from tests.helpers.bundles import signed_bundle, write
from tests.helpers.registry import row_counts
from tests.views.conftest import wait_for_background

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_a_bundle_named_on_the_command_line_opens_in_the_import_preview(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "registry.sqlite3"
    Database.open(str(registry)).dispose()  # the window would ask before making one
    bundle = write(tmp_path, "credit-scorer.cardbundle", signed_bundle())
    previews: list[tuple[str, list[list[str]]]] = []

    def exec_once(*_args: Any) -> int:
        window = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        )
        qtbot.waitUntil(
            lambda: bool((d := window.findChild(ImportDialog)) and d.entries), timeout=20000
        )
        dialog = window.findChild(ImportDialog)
        assert dialog is not None
        model = dialog.files_model
        rows = [
            [str(model.index(row, column).data()) for column in range(model.columnCount())]
            for row in range(model.rowCount())
        ]
        previews.append((dialog.windowTitle(), rows))
        dialog.reject()
        wait_for_background()
        window.close()
        window.deleteLater()
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_once)
    settings = str(tmp_path / "settings.ini")
    monkeypatch.setattr(
        application, "QSettings", lambda: QSettings(settings, QSettings.Format.IniFormat)
    )
    assert main(["--db", str(registry), str(bundle)]) == 0

    assert len(previews) == 1
    _title, rows = previews[0]
    assert len(rows) == 1
    assert rows[0][0] == "credit-scorer.cardbundle"
    assert rows[0][-1].startswith("Will add")
    # A preview only: Cancel left the registry without a single card version.
    counts = row_counts(registry)
    assert (counts["models"], counts["card_versions"], counts["bundles"]) == (0, 0, 0)
