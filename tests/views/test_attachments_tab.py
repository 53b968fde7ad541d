"""The Attachments tab: list, previews from bytes, text never interpreted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.services.registry import AttachmentInfo
from app.views.attachments_tab import AttachmentsTab

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _png(width: int, height: int) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#2f8f5b"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes; Qt wants str
    return bytes(data.data())


FILES = {
    1: (AttachmentInfo(1, "plots/roc.png", "image/png", 0, "aa" * 32), _png(40, 30)),
    2: (AttachmentInfo(2, "eval/report.html", "text/html", 0, "bb" * 32), b"<h1>Report</h1>"),
    3: (AttachmentInfo(3, "weights.bin", "application/octet-stream", 2048, "cc" * 32), b"\0" * 9),
    4: (AttachmentInfo(4, "broken.png", "image/png", 5, "dd" * 32), b"nope!"),
}


@pytest.fixture
def tab(qtbot: QtBot) -> AttachmentsTab:
    widget = AttachmentsTab()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_lists_and_previews_the_first(tab: AttachmentsTab, qtmodeltester: ModelTester) -> None:
    tab.show_attachments([info for info, _ in FILES.values()], lambda i: FILES[i][1])
    qtmodeltester.check(tab.model)
    assert tab.model.index(0, 0).data() == "plots/roc.png"
    assert tab.model.index(2, 2).data() == "2.0 KB"
    assert tab.model.index(2, 2).data(Qt.ItemDataRole.ToolTipRole) == "2048 bytes"
    assert tab.preview.currentIndex() == 1
    assert (tab.image.pixmap().width(), tab.image.pixmap().height()) == (40, 30)


def test_html_is_shown_as_text(tab: AttachmentsTab) -> None:
    tab.show_attachments([info for info, _ in FILES.values()], lambda i: FILES[i][1])
    tab.table.setCurrentIndex(tab.model.index(1, 0))
    assert tab.preview.currentIndex() == 2
    assert tab.text.toPlainText() == "<h1>Report</h1>"


def test_other_types_and_broken_images_get_a_message(tab: AttachmentsTab) -> None:
    tab.show_attachments([info for info, _ in FILES.values()], lambda i: FILES[i][1])
    tab.table.setCurrentIndex(tab.model.index(2, 0))
    assert tab.message.text() == "No preview for application/octet-stream (2.0 KB)."
    tab.table.setCurrentIndex(tab.model.index(3, 0))
    assert tab.message.text() == "broken.png says it is image/png but is not a readable image."


def test_no_attachments(tab: AttachmentsTab) -> None:
    tab.show_attachments([], None)
    assert tab.preview.currentIndex() == 0
    assert tab.message.text() == "This card version came with no attachments."
