"""The workstation's icons: SVG files under ``resources/icons``, sharp at any scale."""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap

_FALLBACK_SIZES = (16, 24, 32, 48, 64, 128, 256)


def icon_bytes(name: str) -> bytes:
    """The SVG source of icon ``name``, read through importlib.resources."""
    return (
        importlib.resources.files("countersign.resources") / "icons" / f"{name}.svg"
    ).read_bytes()


@cache
def icon(name: str) -> QIcon:
    """Icon ``name`` as a QIcon drawn from its SVG at whatever size and pixel ratio is asked."""
    resource = importlib.resources.files("countersign.resources") / "icons" / f"{name}.svg"
    if isinstance(resource, Path) and resource.is_file():
        # Qt's SVG icon engine re-renders at every size and device pixel ratio.
        return QIcon(str(resource))
    # Installed as a zip: no file path to hand to Qt, so render the sizes ourselves.
    # QtSvg is imported only here: loading it costs start-up time the usual case never needs.
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(icon_bytes(name)))
    result = QIcon()
    for size in _FALLBACK_SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pixmap)
    return result
