"""How registry values read on screen: times, statuses and their colours, sizes.

Shared by the browser, the model page and its tabs so that a status or a time
looks the same everywhere.
"""

from __future__ import annotations

import datetime
from functools import cache, lru_cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from countersign.models.vocabulary import CardFormat, CardStatus, SignatureStatus, StageStatus

STATUS_COLOURS: dict[str, str] = {
    CardStatus.SUBMITTED: "#3b82c4",
    CardStatus.IN_REVIEW: "#8a5cc7",
    CardStatus.APPROVED: "#2f8f5b",
    CardStatus.CHANGES_REQUESTED: "#c98a12",
    CardStatus.REJECTED: "#c8433a",
    CardStatus.SUPERSEDED: "#8a8f98",
    StageStatus.EXPIRED: "#a8501e",
}
"""A colour per card-version status, readable on light and dark palettes alike."""


def status_colour(status: str) -> QColor:
    """The colour that marks ``status`` (grey for one we do not know)."""
    return QColor(STATUS_COLOURS.get(status, "#8a8f98"))


@cache
def status_icon(status: str) -> QIcon:
    """A small round dot in the colour of ``status``, for table cells."""
    icon = QIcon()
    for size in (12, 24, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # A light ring keeps the dot visible on a selected row of the same hue.
        painter.setPen(QPen(QColor(255, 255, 255, 200), max(1.0, size / 12)))
        painter.setBrush(status_colour(status))
        margin = size / 6
        painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin))
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def local_date(stamp: str) -> str:
    """A registry time as the local date only (the day is what a list needs)."""
    return local_time(stamp)[:10]


def format_name(source_format: str) -> str:
    """The card format ``source_format`` in words."""
    return CardFormat.word(source_format) if source_format else "unknown format"


@lru_cache(maxsize=4096)
def local_time(stamp: str) -> str:
    """A registry time (ISO-8601 UTC) as local date and minutes; the raw text if unreadable.

    Remembered: a table repaints the same times over and over, and parsing them costs.
    """
    if not stamp:
        return ""
    try:
        moment = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def byte_size(size: int) -> str:
    """A byte count the way a file manager shows it."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def signature_text(status: str, signer: str | None) -> str:
    """A bundle's team signature in words."""
    if status == SignatureStatus.VALID:
        label = SignatureStatus.VALID.label
        return f"{label} ({signer})" if signer else label
    return SignatureStatus.word(status) if status else "—"
