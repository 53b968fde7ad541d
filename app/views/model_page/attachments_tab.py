"""The Attachments tab: the model files a card version names, and the files that came with it.

The model files (weights, exports) do not travel in a bundle: they are listed
with their SHA-256 and whether the team's OpenSSF model signature of each
verified at import ("signed by the team: verified / not signed").  The
attachments that did travel are listed below them, images previewed.

Previews are made from the attachment's bytes in the registry, never from a
path or address written in the card.  Raster images are drawn; an SVG image is
drawn only when it refers to nothing outside itself (Qt's SVG renderer would
read a local file named in an ``<image href>``), else shown as text like HTML
and every other text, never interpreted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor, QFontDatabase
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

from countersign.models.safe_text import display_text
from countersign.models.vocabulary import ModelFileSignature
from countersign.services.importing.model_files import signature_sentence, team_signature
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
MODEL_FILE_HEADERS = ("Model file", "Size", "SHA-256", "Signed by the team")
VERIFIED_COLOUR = QColor(30, 130, 60)
FAILED_COLOUR = QColor(200, 40, 40)

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


class ModelFilesTableModel(ListTableModel[dict[str, Any]]):
    """The model files one card version names, with whether the team's signature verified."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(MODEL_FILE_HEADERS, parent)

    def set_model_files(self, artifacts: Sequence[dict[str, Any]]) -> None:
        """List ``artifacts`` (name, sha256, size, and the team signature when verified)."""
        self.set_rows(list(artifacts))

    def cell(self, item: dict[str, Any], column: int, role: int) -> Any:
        """Cell text; the whole signature sentence as the last column's tooltip."""
        status = team_signature(item)
        size = item.get("size")
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                display_text(str(item.get("name", ""))),
                byte_size(size) if isinstance(size, int) else "not stated",
                str(item.get("sha256", "")),
                status.label,
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                display_text(str(item.get("name", ""))),
                f"{size} bytes" if isinstance(size, int) else None,
                str(item.get("sha256", "")),
                signature_sentence(item),
            )[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            return {
                ModelFileSignature.VERIFIED: VERIFIED_COLOUR,
                ModelFileSignature.FAILED: FAILED_COLOUR,
            }.get(status)
        return None


class AttachmentsTab(QWidget):
    """Lists a card version's attachments and previews the chosen one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._load: Callable[[int], bytes] | None = None
        self.model = AttachmentsTableModel(self)
        self.model_files = ModelFilesTableModel(self)
        self.model_files_table = QTableView(self)
        self.model_files_title = QLabel(self)
        self.model_files_box = self._model_files_box()

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
        splitter.addWidget(self.model_files_box)
        splitter.addWidget(self.table)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(2, 1)
        splitter.setSizes([120, 130, 350])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(splitter)
        self.show_attachments([], None)

    def _model_files_box(self) -> QWidget:
        """The model files' heading and table, shown when the card names any."""
        set_up_row_table(self.model_files_table, self.model_files, "Model files")
        self.model_files_table.setAlternatingRowColors(False)
        header = self.model_files_table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 80), (2, 150), (3, 130)):
            header.resizeSection(column, width)
        self.model_files_title.setWordWrap(True)
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.model_files_title)
        layout.addWidget(self.model_files_table)
        return box

    def show_attachments(
        self,
        attachments: list[AttachmentInfo],
        load: Callable[[int], bytes] | None,
        model_files: Sequence[dict[str, Any]] = (),
    ) -> None:
        """List ``model_files`` and ``attachments``; ``load(id)`` gives an attachment's bytes."""
        self.model_files.set_model_files(model_files)
        self.model_files_box.setVisible(bool(model_files))
        verified = sum(team_signature(a) == ModelFileSignature.VERIFIED for a in model_files)
        self.model_files_title.setText(
            f"Model files the card names ({len(model_files)}; not carried in the bundle, "
            f"named by SHA-256). Signed by the team: {verified} verified, "
            f"{len(model_files) - verified} not signed."
        )
        self._load = load
        self.model.set_attachments(attachments)
        # No empty table with only its headings: the message below says there are none.
        self.table.setVisible(bool(attachments))
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
