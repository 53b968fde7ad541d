"""Where reports go: the folder last used for a report, and showing a file's folder to the officer.

Export, verify and publish start their file choosers in the folder the officer
last used for any of them, remembered in QSettings apart from the import folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QDesktopServices

from countersign.views.settings import REPORT_FOLDER


def last_report_folder(settings: QSettings) -> Path:
    """The folder last used for a report, if it still exists; the home folder otherwise."""
    value = REPORT_FOLDER.read(settings)
    folder = Path(value) if value else Path.home()
    return folder if folder.is_dir() else Path.home()


def remember_report_folder(settings: QSettings, folder: Path) -> None:
    """Start the next report file chooser in ``folder``."""
    REPORT_FOLDER.write(settings, str(folder))


def safe_file_stem(*parts: str) -> str:
    """A file name stem made of ``parts`` (a model name may hold ``/`` or spaces)."""
    joined = "-".join(part for part in parts if part)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", joined).strip("-.")
    return stem[:120] or "report"


def show_in_folder(path: Path) -> bool:
    """Open the file manager on the folder of ``path`` (or on ``path`` itself, a folder)."""
    folder = path if path.is_dir() else path.parent
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
