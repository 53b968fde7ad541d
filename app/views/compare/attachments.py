"""The attachments of two card versions side by side: an old chart against its new edition.

The pairs come from :func:`~countersign.services.diff.attachment_diff.pair_attachments`
(same path, else alike names).  Pictures are drawn from the registry's bytes at
one scale on both sides, fitted to the pane, so an old ROC or calibration
chart reads against the new one at a glance; anything else is named with
whether its bytes changed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from countersign.services.diff.attachment_diff import AttachmentPair, pair_attachments
from countersign.services.registry import AttachmentInfo, CardVersionDetail
from countersign.views.presentation import byte_size
from countersign.views.widgets.attachment_image import NotDrawn, attachment_picture

KIND_WORDS = {
    "same": "unchanged",
    "changed": "changed",
    "added": "only in the new version",
    "removed": "only in the old version",
}


class FittedPicture(QWidget):
    """A picture drawn as large as fits, its proportions kept; a message when there is none."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setMinimumSize(60, 40)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._picture: QPixmap | None = None
        self._message = ""

    @property
    def picture(self) -> QPixmap | None:
        """The picture shown, if any."""
        return self._picture

    @property
    def message(self) -> str:
        """What is said in place of a picture."""
        return self._message

    def show_picture(self, picture: QPixmap | None, message: str = "") -> None:
        """Draw ``picture``, or say ``message`` where there is none."""
        self._picture = picture
        self._message = message
        self.setToolTip(message)
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Room for a chart."""
        return QSize(360, 270)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        """The picture scaled to fit and centred, or the message."""
        painter = QPainter(self)
        area = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        if self._picture is None or self._picture.isNull():
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                area, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self._message
            )
            painter.end()
            return
        size = self._picture.deviceIndependentSize()
        scale = min(area.width() / size.width(), area.height() / size.height(), 2.0)
        width, height = size.width() * scale, size.height() * scale
        target = QRectF(
            area.x() + (area.width() - width) / 2,
            area.y() + (area.height() - height) / 2,
            width,
            height,
        )
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(target, self._picture, QRectF(self._picture.rect()))
        painter.end()


class AttachmentComparison(QWidget):
    """Picks a pair of attachments of the two versions and shows them side by side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._load: Callable[[int], bytes] | None = None
        self._pairs: list[AttachmentPair] = []
        self._versions = ("", "")
        self.pair_combo = QComboBox(self)
        self.pair_combo.setAccessibleName("Attachment compared")
        # Long file names must not widen the window: the combo shrinks, its list shows them whole.
        self.pair_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.pair_combo.setMinimumContentsLength(12)
        self.status = QLabel(self)
        self.status.setAccessibleName("How the attachment changed")
        self.status.setWordWrap(True)
        self.captions = (QLabel(self), QLabel(self))
        self.pictures = (
            FittedPicture("Old version's attachment", self),
            FittedPicture("New version's attachment", self),
        )
        for caption in self.captions:
            caption.setTextFormat(Qt.TextFormat.PlainText)
            caption.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top = QHBoxLayout()
        top.addWidget(self.pair_combo)
        top.addWidget(self.status, 1)
        grid = QGridLayout()
        for side in (0, 1):
            grid.addWidget(self.captions[side], 0, side)
            grid.addWidget(self.pictures[side], 1, side)
            grid.setColumnStretch(side, 1)
        grid.setRowStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addLayout(grid, 1)
        self.pair_combo.currentIndexChanged.connect(self._on_pair_combo_current_index_changed)
        self.show_versions(None, None, None)

    @property
    def pairs(self) -> list[AttachmentPair]:
        """The attachments of the two versions, paired."""
        return list(self._pairs)

    def show_versions(
        self,
        old: CardVersionDetail | None,
        new: CardVersionDetail | None,
        load: Callable[[int], bytes] | None,
    ) -> None:
        """Pair the attachments of ``old`` and ``new``; ``load(id)`` gives an attachment's bytes.

        Pictures come first, changed ones before the rest.
        """
        self._load = load
        self._versions = (
            old.summary.version if old is not None else "",
            new.summary.version if new is not None else "",
        )
        pairs = (
            pair_attachments(old.attachments, new.attachments)
            if old is not None and new is not None
            else []
        )
        self._pairs = sorted(pairs, key=lambda p: (not p.is_image, p.kind == "same"))
        self.pair_combo.blockSignals(True)
        self.pair_combo.clear()
        for pair in self._pairs:
            self.pair_combo.addItem(f"{pair.label()} · {KIND_WORDS[pair.kind]}")
        self.pair_combo.blockSignals(False)
        self.pair_combo.setEnabled(bool(self._pairs))
        if self._pairs:
            self.show_pair(0)
        else:
            self.status.setText("Neither version came with attachments.")
            for side in (0, 1):
                self.captions[side].clear()
                self.pictures[side].show_picture(None)

    def summary(self) -> str:
        """How the attachments changed, for the tab's title: ``1 changed``."""
        changed = sum(1 for pair in self._pairs if pair.kind != "same")
        if not self._pairs:
            return "none"
        return f"{changed} changed" if changed else "unchanged"

    def show_pair(self, index: int) -> None:
        """Show the pair at ``index``, old on the left and new on the right."""
        if not 0 <= index < len(self._pairs):
            return
        if self.pair_combo.currentIndex() != index:
            self.pair_combo.setCurrentIndex(index)
            return
        pair = self._pairs[index]
        self.status.setText(KIND_WORDS[pair.kind].capitalize())
        for side, item in enumerate((pair.old, pair.new)):
            self._show_side(side, item)

    def _show_side(self, side: int, item: AttachmentInfo | None) -> None:
        version = self._versions[side]
        if item is None:
            self.captions[side].setText(f"{version}: —")
            self.pictures[side].show_picture(None, f"Version {version} has no such attachment.")
            return
        self.captions[side].setText(f"{version}: {item.path} ({byte_size(item.size)})")
        if self._load is None:
            return
        try:
            picture = attachment_picture(item, self._load(item.id), self.devicePixelRatioF())
        except NotDrawn as refusal:
            self.pictures[side].show_picture(
                None, f"{refusal} See the Attachments tab for its content."
            )
            return
        self.pictures[side].show_picture(picture)

    def _on_pair_combo_current_index_changed(self, index: int) -> None:
        self.show_pair(index)
