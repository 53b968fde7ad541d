"""The Attachments tab: the files that came with a card version, images previewed.

Previews are made from the attachment's bytes in the registry, never from a
path or address written in the card.  Raster images are drawn; an SVG image is
drawn only when it refers to nothing outside itself (Qt's SVG renderer would
read a local file named in an ``<image href>``), else shown as text like HTML
and every other text, never interpreted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from countersign.services.registry import AttachmentInfo
from countersign.views.model_page.source_tab import decode_original
from countersign.views.presentation import byte_size
from countersign.views.widgets.attachment_image import (
    RASTER_TYPES,
    SVG_TYPE,
    NotDrawn,
    attachment_picture,
)
from countersign.views.widgets.list_table import ListTableModel, set_up_row_table

HEADERS = ("File", "Type", "Size", "SHA-256")

TEXT_TYPES = ("application/json", "application/yaml", "image/svg+xml", "application/xml")
"""Types shown as text besides ``text/*``."""

MAX_TEXT_PREVIEW = 2_000_000
"""Characters of a text attachment shown before the rest is left out."""


class AttachmentsTableModel(ListTableModel[AttachmentInfo]):
    """The attachments of one card version (held whole: a version has a few)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(HEADERS, parent)

    def set_attachments(self, attachments: list[AttachmentInfo]) -> None:
        """List ``attachments``."""
        self.set_rows(attachments)

    def attachment(self, row: int) -> AttachmentInfo:
        """The attachment on ``row``."""
        return self.item(row)

    def cell(self, item: AttachmentInfo, column: int, role: int) -> Any:
        """Cell text; the exact size and hash as tooltips."""
        if role == Qt.ItemDataRole.DisplayRole:
            return (item.path, item.media_type, byte_size(item.size), item.sha256)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 2:
                return f"{item.size} bytes"
            if column == 3:
                return item.sha256
            return item.path
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class AttachmentsTab(QWidget):
    """Lists a card version's attachments and previews the chosen one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._load: Callable[[int], bytes] | None = None
        self.model = AttachmentsTableModel(self)

        self.table = QTableView(self)
        set_up_row_table(self.table, self.model, "Attachments")
        # The name column stretches, not the last one; plain rows, as few as they are.
        self.table.setAlternatingRowColors(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 110), (2, 80), (3, 150)):
            header.resizeSection(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)

        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Attachment preview message")
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setAccessibleName("Image preview")
        image_scroll = QScrollArea(self)
        image_scroll.setWidget(self.image)
        image_scroll.setWidgetResizable(True)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Text preview")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.preview = QStackedWidget(self)
        self.preview.setAccessibleName("Attachment preview")
        for page in (self.message, image_scroll, self.text):
            self.preview.addWidget(page)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([150, 450])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(splitter)
        self.show_attachments([], None)

    def show_attachments(
        self, attachments: list[AttachmentInfo], load: Callable[[int], bytes] | None
    ) -> None:
        """List ``attachments``; ``load(id)`` gives an attachment's bytes for the preview."""
        self._load = load
        self.model.set_attachments(attachments)
        if attachments:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        else:
            self._show_message("This card version came with no attachments.")

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self._load is None:
            return
        item = self.model.attachment(current.row())
        self.preview_attachment(item, self._load(item.id))

    def preview_attachment(self, item: AttachmentInfo, content: bytes) -> None:
        """Preview ``content``, the bytes of ``item``: drawn if an image, else as text."""
        if item.media_type in RASTER_TYPES or item.media_type == SVG_TYPE:
            try:
                picture = attachment_picture(item, content, self.devicePixelRatioF())
            except NotDrawn as refusal:
                if item.media_type in RASTER_TYPES:
                    self._show_message(str(refusal))
                    return
            else:
                self.image.setPixmap(picture)
                size = picture.deviceIndependentSize()
                how = "drawn from its SVG, " if item.media_type == SVG_TYPE else ""
                self.image.setToolTip(
                    f"{item.path}: {how}{size.width():.0f} × {size.height():.0f} pixels"
                )
                self.preview.setCurrentIndex(1)
                return
        if item.media_type.startswith("text/") or item.media_type in TEXT_TYPES:
            text, _replaced = decode_original(content[: MAX_TEXT_PREVIEW * 4])
            if len(text) > MAX_TEXT_PREVIEW:
                text = text[:MAX_TEXT_PREVIEW] + "\n… (the rest is not shown)"
            self.text.setPlainText(text)
            self.preview.setCurrentIndex(2)
            return
        self._show_message(f"No preview for {item.media_type} ({byte_size(item.size)}).")

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.preview.setCurrentIndex(0)
