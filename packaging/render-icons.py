"""Render Countersign's application icon from its SVG for the desktop and the installers.

The single source is ``resources/icons/app.svg`` (the icon the window uses).  This
writes the freedesktop icon theme files that ``install-desktop.sh`` installs, which
are committed so that installing needs no Python::

    packaging/icons/hicolor/scalable/apps/org.countersign.Countersign.svg
    packaging/icons/hicolor/<N>x<N>/apps/org.countersign.Countersign.png  (N = 16 … 512)

and, when asked, the Windows and macOS icons the PyInstaller spec uses::

    .venv/bin/python packaging/render-icons.py            # the freedesktop set
    .venv/bin/python packaging/render-icons.py --ico build/countersign.ico --icns build/countersign.icns

Rendering uses Qt's SVG renderer offscreen, so no display is needed; the .ico and
.icns containers (PNG entries) are written here, needing no other tool.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

APP_ID = "org.countersign.Countersign"
ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "resources" / "icons" / "app.svg"
THEME = ROOT / "packaging" / "icons" / "hicolor"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)
"""ICNS entry types and their pixel sizes (ic10 to ic14 are the @2x Retina variants)."""


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """The icon drawn at ``size``×``size`` pixels on a transparent background."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    """``image`` encoded as PNG."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def write_ico(renderer: QSvgRenderer, path: Path) -> None:
    """A Windows .ico with one PNG entry per size (the format Windows Vista and later read)."""
    images = [(size, png_bytes(render(renderer, size))) for size in ICO_SIZES]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, blob in images:
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + entries + blobs)


def write_icns(renderer: QSvgRenderer, path: Path) -> None:
    """A macOS .icns with PNG entries from 16 to 1024 pixels (plain and Retina types)."""
    chunks = b""
    for kind, size in ICNS_TYPES:
        blob = png_bytes(render(renderer, size))
        chunks += kind + struct.pack(">I", len(blob) + 8) + blob
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"icns" + struct.pack(">I", len(chunks) + 8) + chunks)


def main() -> int:
    """Render the icon set (and the .ico/.icns when asked); exit status 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ico", type=Path, help="also write a Windows .ico here")
    parser.add_argument("--icns", type=Path, help="also write a macOS .icns here")
    parser.add_argument("--no-theme", action="store_true", help="skip the freedesktop set")
    args = parser.parse_args()

    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE} is not a valid SVG")
    if not args.no_theme:
        scalable = THEME / "scalable" / "apps" / f"{APP_ID}.svg"
        scalable.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOURCE, scalable)
        for size in PNG_SIZES:
            target = THEME / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            if not render(renderer, size).save(str(target), "PNG"):
                raise SystemExit(f"could not write {target}")
        print(f"wrote the icon theme under {THEME}")
    if args.ico:
        write_ico(renderer, args.ico)
        print(f"wrote {args.ico}")
    if args.icns:
        write_icns(renderer, args.icns)
        print(f"wrote {args.icns}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
