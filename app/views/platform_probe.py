"""The Qt half of ``countersign --self-check``, run in its own process.

:mod:`countersign.services.self_check` starts ``countersign --self-check-qt``; this
creates the Qt application on the current ``QT_QPA_PLATFORM``, draws the
application icon through Qt's SVG plugins, loads any shipped fonts, and prints
what it found as one JSON line.  If the platform cannot start, Qt ends this
process and the parent reports that in words.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from PySide6.QtCore import QByteArray, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication, QImageReader
from PySide6.QtWidgets import QApplication

from countersign.services.self_check import shipped_fonts
from countersign.views.icons import icon


def probe_platform() -> dict[str, Any]:
    """Start Qt (or use the running application) and describe the platform, icons and fonts."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QGuiApplication) else QApplication(sys.argv[:1])
    screen = app.primaryScreen()
    size = screen.size() if screen is not None else None
    pixmap = icon("app").pixmap(64, 64)
    # A drawn icon has opaque pixels; a missing SVG plugin leaves a null or empty pixmap.
    image = pixmap.toImage()
    svg_icon = not pixmap.isNull() and image.pixelColor(32, 32).alpha() > 0
    loaded: list[str] = []
    failed: list[str] = []
    for font in shipped_fonts():
        font_id = QFontDatabase.addApplicationFontFromData(QByteArray(font.read_bytes()))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if families:
            loaded.append(f"{font.name} ({', '.join(families)})")
        else:
            failed.append(font.name)
    formats = {bytes(name.data()).decode() for name in QImageReader.supportedImageFormats()}
    return {
        "qt_version": qVersion(),
        "platform": QGuiApplication.platformName(),
        "screen": f"{size.width()}×{size.height()}" if size is not None else "none",
        "svg_icon": svg_icon,
        "svg_format": "svg" in formats,
        "default_font": QGuiApplication.font().family(),
        "font_families": len(QFontDatabase.families()),
        "fonts_loaded": loaded,
        "fonts_failed": failed,
    }


def main() -> int:
    """Print the probe as one JSON line for the parent process; exit status 0."""
    print(json.dumps(probe_platform(), ensure_ascii=False), flush=True)
    return 0
