"""The main window over a registry with a signed review, for the report dialogs' tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from countersign.views.background import worker_pool
from countersign.views.main_window import MainWindow
from tests.helpers.reports import ReportBench, report_bench
from tests.views.conftest import settle


@contextmanager
def report_window(
    qtbot: QtBot, folder: Path, *, approve: bool = True
) -> Iterator[tuple[MainWindow, ReportBench]]:
    """The window over :func:`report_bench`'s registry (approved by Ana unless told not to).

    The window shows credit-scorer 1.0; settings live in ``folder``.
    """
    registry_folder = folder / "registry"
    registry_folder.mkdir()
    with report_bench(registry_folder, approve=approve) as bench:
        work = bench.bench
        settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(work.services, settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: not window.counting, timeout=10_000)
        assert window.browser.select_model("credit-scorer")
        qtbot.waitUntil(lambda: window.model_page.version == "1.0", timeout=5000)
        try:
            yield window, bench
        finally:
            settle(qtbot, window)
            wait_for_background()
            window.close()
            wait_for_background()


def wait_for_background() -> None:
    """Let every background task finish and deliver its result."""
    worker_pool().waitForDone(20_000)
    QApplication.processEvents()
    QApplication.processEvents()


def signed_range(pdf: bytes) -> list[int]:
    """The /ByteRange of the report's signature: start and length of the two signed parts."""
    start = pdf.rindex(b"/ByteRange")
    inside = pdf[pdf.index(b"[", start) + 1 : pdf.index(b"]", start)]
    return [int(value) for value in inside.split()]


def tampered_copy(report: Path, target: Path) -> Path:
    """``report`` with one byte changed inside the signed range (its producer string)."""
    data = bytearray(report.read_bytes())
    offset = data.index(b"ReportLab PDF Library") + len(b"ReportLab PDF Li")
    first, length = signed_range(bytes(data))[:2]
    assert first <= offset < first + length
    data[offset] = ord("X")
    target.write_bytes(bytes(data))
    return target
