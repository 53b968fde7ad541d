"""The workstation's settings, declared once: each key with its type and default, and a version.

After MusicBrainz Picard's ``options.py`` and ``config_upgrade.py``: every
value Countersign keeps in QSettings is a :class:`Setting` below, read and
written through it, never through a bare key string.  A stored value of the
wrong type (a hand-edited file, another program's key) reads as the default.
The settings carry :data:`SETTINGS_VERSION`; :func:`upgrade_settings` runs,
once at start-up, each upgrade step from the stored version (0 when none was
stored) to this one, so that a later Countersign can rename or reshape a
setting without losing the officer's.

Saved window geometry is used only when it fits a screen that is there now
(:func:`restore_geometry`): a window saved on a monitor since unplugged, or
squeezed by a run at another scale, opens at its default size instead.

This module imports PySide6 and the standard library only: the start-up
window uses it before anything heavier is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QDataStream, QIODevice, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

T = TypeVar("T", str, int, bool, QByteArray)

SETTINGS_VERSION = 1
"""The version of the settings this Countersign writes."""

DEFAULT_WINDOW_SIZE = QSize(1440, 900)
"""The workstation's size when no usable geometry was saved."""

SMALLEST_USABLE = QSize(640, 480)
"""A saved window smaller than this is not restored: the screens would not fit in it."""


def _as_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _as_bytes(value: object) -> QByteArray | None:
    if isinstance(value, QByteArray):
        return value
    if isinstance(value, bytes):
        return QByteArray(value)
    return None


_COERCIONS: dict[type, Callable[[object], object]] = {
    str: _as_text,
    int: _as_int,
    bool: _as_bool,
    QByteArray: _as_bytes,
}


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One value kept in QSettings: its key, type (that of ``default``) and default."""

    key: str
    default: T
    description: str = field(default="", compare=False)

    def read(self, settings: QSettings) -> T:
        """The stored value, or the default when none is stored or it is not of this type."""
        value = self.coerce(settings.value(self.key))
        return self.default if value is None else value

    def write(self, settings: QSettings, value: T) -> None:
        """Store ``value`` under this setting's key."""
        settings.setValue(self.key, value)

    def coerce(self, stored: object) -> T | None:
        """``stored`` as this setting's type, or None when it cannot be read as one."""
        value = _COERCIONS[type(self.default)](stored)
        return value if isinstance(value, type(self.default)) else None


SETTINGS_VERSION_KEY: Setting[int] = Setting(
    "settings/version", 0, "The version of these settings; 0 when written before they had one."
)
WINDOW_GEOMETRY: Setting[QByteArray] = Setting(
    "window/geometry", QByteArray(), "Where the workstation window was, and its size."
)
WINDOW_STATE: Setting[QByteArray] = Setting(
    "window/state", QByteArray(), "The main window's tool bars and docks."
)
WINDOW_SPLITTER: Setting[QByteArray] = Setting(
    "window/splitter", QByteArray(), "How the window is shared between browser and model page."
)
IMPORT_FOLDER: Setting[str] = Setting(
    "import/last_folder", "", "The folder the officer last imported from."
)
REPORT_FOLDER: Setting[str] = Setting(
    "reports/last_folder", "", "The folder last used to export, verify or publish a report."
)

THEME: Setting[str] = Setting(
    "appearance/theme",
    "system",
    "The theme chosen in Settings ▸ Theme: system (follow the desktop), light or dark.",
)

DECLARED: tuple[Setting[str] | Setting[int] | Setting[bool] | Setting[QByteArray], ...] = (
    SETTINGS_VERSION_KEY,
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    WINDOW_SPLITTER,
    IMPORT_FOLDER,
    REPORT_FOLDER,
    THEME,
)
"""Every setting Countersign keeps."""


def _upgrade_to_1(settings: QSettings) -> None:
    """Settings written before they had a version: the keys are the same.

    A value that does not read as its declared type is removed, so that it
    cannot linger in the file (it already read as the default).
    """
    for setting in DECLARED:
        if settings.contains(setting.key) and setting.coerce(settings.value(setting.key)) is None:
            settings.remove(setting.key)


UPGRADES: dict[int, Callable[[QSettings], None]] = {1: _upgrade_to_1}
"""The step that brings settings of version ``n - 1`` to version ``n``."""


def upgrade_settings(settings: QSettings) -> int:
    """Bring ``settings`` to :data:`SETTINGS_VERSION`, one step at a time; returns the version.

    Settings written by a newer Countersign are left as they are (each value
    still reads as its type, or as the default).
    """
    stored = SETTINGS_VERSION_KEY.read(settings)
    if stored > SETTINGS_VERSION:
        return stored
    for version in range(max(stored, 0) + 1, SETTINGS_VERSION + 1):
        UPGRADES[version](settings)
        SETTINGS_VERSION_KEY.write(settings, version)
    settings.sync()
    return SETTINGS_VERSION


def saved_frame(geometry: QByteArray) -> QRect | None:
    """The window rectangle (its normal one when it was maximised) in ``geometry``, if readable.

    ``geometry`` is what :meth:`QWidget.saveGeometry` wrote: a magic number,
    a format version, then the frame and the normal geometry.
    """
    if geometry.isEmpty():
        return None
    stream = QDataStream(geometry, QIODevice.OpenModeFlag.ReadOnly)
    if stream.readUInt32() != 0x1D9D0CB or stream.readUInt16() < 1:
        return None
    stream.readUInt16()  # minor version
    frame, normal = QRect(), QRect()
    stream >> frame
    stream >> normal
    stream.readInt32()  # screen number
    maximized, full_screen = stream.readUInt8(), stream.readUInt8()
    if stream.status() != QDataStream.Status.Ok:
        return None
    rect = normal if maximized or full_screen else frame
    return rect if rect.isValid() else None


def fits_a_screen(rect: QRect) -> bool:
    """Whether ``rect`` is of a usable size and lies on a screen that is there now."""
    if rect.width() < SMALLEST_USABLE.width() or rect.height() < SMALLEST_USABLE.height():
        return False
    # A few pixels of frame or shadow past the edge still fit.
    return any(
        screen.availableGeometry().adjusted(-8, -8, 8, 8).contains(rect)
        for screen in QGuiApplication.screens()
    )


def restore_geometry(window: QWidget, settings: QSettings) -> bool:
    """Put ``window`` where it was saved if that fits a screen now; else give it the default size.

    Returns whether the saved geometry was used.
    """
    geometry = WINDOW_GEOMETRY.read(settings)
    frame = saved_frame(geometry)
    if frame is not None and fits_a_screen(frame) and window.restoreGeometry(geometry):
        return True
    window.resize(DEFAULT_WINDOW_SIZE)
    return False
