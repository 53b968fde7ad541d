"""Starting the workstation: the Qt application, the registry, the services, the window.

Services are built here once and handed to the window; nothing reaches for a
global.  A registry that cannot be opened gives the officer a clear dialog
and exit status 1, never a traceback; a bug while the window runs goes to the
crash dialog.  Nothing heavy (ReportLab, pyHanko) is imported on the way to
the first paint.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app import __version__
from app.formats.base import InputRefused
from app.services.checklists import Checklists
from app.services.database import Database
from app.services.errors import (
    CountersignError,
    DiskFull,
    RegistryError,
    RegistryLocked,
    RegistryTooNew,
)
from app.services.identities import Identities
from app.services.importer import Importer
from app.services.keystore import Keystore
from app.services.registry import Registry
from app.services.reviews import Reviews
from app.views.crash_dialog import install_crash_handler
from app.views.icons import icon
from app.views.main_window import MainWindow
from app.views.review_flow import ReviewServices

ORGANISATION = "Countersign"
APPLICATION = "Countersign"


def application() -> QApplication:
    """The Qt application (created on first call), named for QSettings and the desktop."""
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationDisplayName("Countersign")
    # The .desktop file's name (packaging/linux), so the desktop matches window and launcher.
    app.setDesktopFileName("org.countersign.Countersign")
    app.setWindowIcon(icon("app"))
    # No palette or style is forced: Qt follows the system's light or dark scheme.
    return app


def run_workstation(db: str | None, demo: bool, open_files: Sequence[Path] = ()) -> int:
    """Open the workstation on registry ``db`` (or a throwaway demo); returns the exit status.

    ``open_files`` (``countersign FILE...``, a double-clicked bundle) go to the import preview.
    """
    app = application()
    demo_folder: Path | None = None
    try:
        if demo:
            demo_folder = Path(tempfile.mkdtemp(prefix="countersign-demo-"))
            db = str(_build_demo(demo_folder))
        database = Database.open(db)
    except (CountersignError, InputRefused) as error:
        _show_start_failure(error)
        _remove(demo_folder)
        return 1

    registry = Registry(database)
    importer = Importer(database)
    # The keyring is vetted on first use (signing, Settings ▸ Identities), not at start-up.
    identities = Identities(database, Keystore())
    review_services = ReviewServices(
        identities, Checklists(database), Reviews(database, identities)
    )
    window = MainWindow(
        database, registry, importer, QSettings(), demo=demo, review_services=review_services
    )
    restore_excepthook = install_crash_handler(lambda: window)
    window.show()
    if open_files:
        paths = list(open_files)
        QTimer.singleShot(0, lambda: window.open_import(paths))
    try:
        return app.exec()
    finally:
        restore_excepthook()
        database.dispose()
        _remove(demo_folder)


def start_failure_text(error: BaseException) -> str:
    """What to tell the officer when the registry cannot be opened, and what to do about it."""
    message = str(error).strip()
    message = message[:1].upper() + message[1:]
    if isinstance(error, RegistryLocked):
        advice = "Close the other program that uses it, then start Countersign again."
    elif isinstance(error, RegistryTooNew):
        advice = "Install the newer version of Countersign to open it."
    elif isinstance(error, DiskFull):
        advice = "Free some space on that disk, then start Countersign again."
    elif isinstance(error, RegistryError):
        advice = "Choose another registry file with  countersign --db PATH."
    else:
        advice = "The demo registry could not be built; nothing was changed."
    return f"{message}\n\n{advice}"


def _show_start_failure(error: BaseException) -> None:
    QMessageBox.critical(None, "Countersign cannot open the registry", start_failure_text(error))


def _build_demo(folder: Path) -> Path:
    # Imported only for --demo: the sample bundles are not needed otherwise.
    from app.services.demo import build_demo_registry

    return build_demo_registry(folder)


def _remove(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
