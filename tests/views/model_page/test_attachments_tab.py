"""The Attachments tab: list, previews from bytes, text never interpreted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from countersign.services.registry import AttachmentInfo
from countersign.views.model_page.attachments_tab import AttachmentsTab

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
    assert tab.table.isHidden()  # no table of headings only above the message
    tab.show_attachments([info for info, _ in FILES.values()], lambda i: FILES[i][1])
    assert not tab.table.isHidden()


CHART_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80">'
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="#2f8f5b"/></linearGradient></defs>'
    b'<rect x="10" y="10" width="100" height="60" fill="url(#g)"/></svg>'
)


def test_a_self_contained_svg_is_drawn(tab: AttachmentsTab) -> None:
    info = AttachmentInfo(5, "plots/calibration.svg", "image/svg+xml", len(CHART_SVG), "ee" * 32)
    tab.show_attachments([info], lambda _id: CHART_SVG)
    assert tab.preview.currentIndex() == 1
    image = tab.image.pixmap().toImage()
    ratio = image.devicePixelRatio()
    assert (round(image.width() / ratio), round(image.height() / ratio)) == (120, 80)
    # Drawn on white, with the shape filled from the gradient it defines itself.
    assert image.pixelColor(2, 2).name() == "#ffffff"
    assert image.pixelColor(int(60 * ratio), int(40 * ratio)).name() == "#2f8f5b"


@pytest.mark.parametrize(
    "reference",
    [
        b'<image href="/etc/hostname.png" width="9" height="9"/>',
        b'<image xlink:href="file:///home/officer/photo.png" width="9" height="9"/>',
        b'<rect width="9" height="9" style="fill: url(https://tracker.example/x.svg)"/>',
        b"<style>@import 'https://tracker.example/a.css';</style>",
    ],
)
def test_an_svg_that_refers_outside_itself_is_shown_as_text(
    tab: AttachmentsTab, reference: bytes
) -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        b' width="20" height="20">' + reference + b"</svg>"
    )
    info = AttachmentInfo(6, "plots/linked.svg", "image/svg+xml", len(svg), "ff" * 32)
    tab.show_attachments([info], lambda _id: svg)
    assert tab.preview.currentIndex() == 2
    assert tab.text.toPlainText() == svg.decode()


MODEL_FILES = [
    {
        "name": "model.safetensors",
        "sha256": "ee" * 32,
        "size": 4096,
        "team_signature": "verified",
        "team_certificate": "ff" * 32,
    },
    {"name": "config.json", "sha256": "11" * 32, "size": 2},
]


def test_model_files_are_listed_with_whether_the_team_signed_them(
    tab: AttachmentsTab, qtmodeltester: ModelTester
) -> None:
    tab.show_attachments([], None, MODEL_FILES)
    qtmodeltester.check(tab.model_files)
    assert tab.model_files_box.isVisible()
    rows = [
        [tab.model_files.index(r, c).data() for c in range(4)]
        for r in range(tab.model_files.rowCount())
    ]
    assert rows == [
        ["model.safetensors", "4.0 KB", "ee" * 32, "verified"],
        ["config.json", "2 B", "11" * 32, "not signed"],
    ]
    tip = tab.model_files.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == (
        "signed by the team: verified (OpenSSF model signature, team certificate SHA-256 "
        + "ff" * 8
        + "…)"
    )
    assert tab.model_files.index(0, 3).data(Qt.ItemDataRole.ForegroundRole) == QColor(30, 130, 60)
    assert tab.model_files.index(1, 3).data(Qt.ItemDataRole.ForegroundRole) is None
    assert "Signed by the team: 1 verified, 1 not signed." in tab.model_files_title.text()
    tab.show_attachments([], None, [])
    assert not tab.model_files_box.isVisible()
