"""An image attachment drawn from its bytes: raster images, and SVG only when self-contained.

Pictures are made from the attachment's bytes in the registry, never from a
path or address written in the card.  Qt's SVG renderer would read a local
file named in an ``<image href>``, so an SVG that refers to anything outside
itself is not drawn (the caller shows it as text).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

from countersign.services.registry import AttachmentInfo

RASTER_TYPES = ("image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp")
"""Image types drawn as they are."""

SVG_TYPE = "image/svg+xml"
"""Drawn when self-contained; otherwise shown as text."""

MAX_SVG_SIDE = 2000
"""Pixels of the longer side of a drawn SVG at most (its stated size may be anything)."""

_SVG_OUTSIDE_REFERENCE = re.compile(
    rb"""href\s*=\s*["']\s*(?!#|data:)|url\(\s*["']?\s*(?!#)|@import|<!ENTITY""", re.IGNORECASE
)
"""A reference an SVG renderer could follow out of the file: any href or url() but an
in-document (#id) or embedded (data:) one, CSS imports, and XML entities."""


class NotDrawn(Exception):
    """The attachment is not a picture that can be drawn safely; the message says why."""


def attachment_picture(item: AttachmentInfo, content: bytes, ratio: float = 1.0) -> QPixmap:
    """``content`` (the bytes of ``item``) drawn, for a screen of pixel ratio ``ratio``.

    Raises :class:`NotDrawn` for a type that is no picture, an unreadable image,
    or an SVG that refers outside itself.
    """
    if item.media_type in RASTER_TYPES:
        image = QImage.fromData(QByteArray(content))
        if image.isNull():
            raise NotDrawn(f"{item.path} says it is {item.media_type} but is not a readable image.")
        return QPixmap.fromImage(image)
    if item.media_type != SVG_TYPE:
        raise NotDrawn(f"{item.path} is {item.media_type}, not a picture.")
    if _SVG_OUTSIDE_REFERENCE.search(content):
        raise NotDrawn(f"{item.path} refers to files or addresses outside itself: not drawn.")
    # Imported when an SVG is first drawn, not at start-up.
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(content))
    size = renderer.defaultSize()
    if not renderer.isValid() or size.isEmpty():
        raise NotDrawn(f"{item.path} is not a readable SVG image.")
    scale = min(1.0, MAX_SVG_SIDE / max(size.width(), size.height()))
    image = QImage(size * (scale * ratio), QImage.Format.Format_ARGB32_Premultiplied)
    # A chart drawn for paper has no background: white keeps it readable in a dark palette.
    image.fill(QColor("white"))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    image.setDevicePixelRatio(ratio)
    return QPixmap.fromImage(image)
