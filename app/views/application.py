"""Starting the workstation: the Qt application, the registry, the services, the window.

The start-up window (:mod:`countersign.views.startup_window`) is shown and painted as
soon as the Qt application exists; only then are the services and screens
imported (SQLAlchemy, pydantic and the card model alone take longer than the
first paint may), the registry opened and the main window built, which then
takes the start-up window's place.  Services are built here once and handed
to the window; nothing reaches for a global.  A registry that cannot be
opened gives the officer a clear dialog and exit status 1, never a
traceback; a bug while the window runs goes to the crash dialog.  Nothing
heavy (ReportLab, pyHanko) is imported on the way to the main window either.
"""

from __future__ import annotations

import functools
import importlib
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from countersign import __version__
from countersign.errors import (
    CountersignError,
    DiskFull,
    RegistryError,
    RegistryLocked,
    RegistryTooNew,
    RegistryUnreachable,
)
from countersign.models.vocabulary import Theme
from countersign.services.storage.locations import registry_file, shown_location
from countersign.views.actions import ACTION_SPECS, MENUS
from countersign.views.appearance.theme import theme_switcher
from countersign.views.icons import icon
from countersign.views.settings import THEME, WINDOW_SPLITTER, upgrade_settings
from countersign.views.startup_window import (
    StartupWindow,
    answering_while_importing,
    wait_for_first_paint,
)

if TYPE_CHECKING:
    from countersign.services.desk.first_look import FirstLook
    from countersign.services.workstation import Services
    from countersign.views.main_window import MainWindow

ORGANISATION = "Countersign"
APPLICATION = "Countersign"


def application(qt_arguments: Sequence[str] = ()) -> QApplication:
    """The Qt application (created on first call), named for QSettings and the desktop.

    ``qt_arguments`` are Qt's standard options from the command line (``-style Fusion``).
    """
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication([*sys.argv[:1], *qt_arguments])
    )
    app.setApplicationDisplayName("Countersign")
    # The .desktop file's name (packaging/linux), so the desktop matches window and launcher.
    app.setDesktopFileName("org.countersign.Countersign")
    app.setWindowIcon(icon("app"))
    return app


def apply_saved_theme(app: QApplication, settings: QSettings) -> Theme:
    """Apply the officer's theme (Settings ▸ Theme; system by default) before any window shows."""
    return theme_switcher(app).apply(THEME.read(settings))


def run_workstation(
    db: str | None,
    demo: bool,
    open_files: Sequence[Path] = (),
    qt_arguments: Sequence[str] = (),
) -> int:
    """Open the workstation on registry ``db`` (or a throwaway demo); returns the exit status.

    ``open_files`` (``countersign FILE...``, a double-clicked bundle) go to the import
    preview; ``qt_arguments`` (Qt's standard options) to the Qt application.
    """
    app = application(qt_arguments)
    quicker_module_checks()
    settings = QSettings()
    upgrade_settings(settings)
    apply_saved_theme(app, settings)
    shell = StartupWindow(shown_location(db), settings, demo=demo, menus=MENUS)
    shell.show()
    wait_for_first_paint(shell)
    with ExitStack() as cleanup:
        cleanup.callback(shell.close)
        demo_folder = Path(tempfile.mkdtemp(prefix="countersign-demo-")) if demo else None
        cleanup.callback(_remove, demo_folder)
        # A registry file at the newest revision shows its first lists while the rest loads.
        look = None if demo or open_files else show_first_look(db, shell, settings)
        # With a first look, the start-up window answers meanwhile (Ctrl+0: the models list).
        with answering_while_importing() if look is not None else nullcontext():
            services = _open_services(db, demo_folder, shell)
            if services is not None and not shell.closed:
                _import_main_window()
        if services is None:
            return 1
        cleanup.callback(services.close)
        if shell.closed:
            # The officer closed the start-up window meanwhile (its events are handled while
            # the first look shows): the start ends here, as quitting the window would.
            return 0
        window = _main_window(services, settings, demo)
        if look is not None:
            window.home.show_first_look(look)
        cleanup.callback(_install_crash_handler(window))
        if not shell.hand_over(window):
            return 0  # closed while the main window was built: it is never shown
        if open_files:
            # As before the home screen: the registry, with the files in the import preview.
            window.show_registry()
            paths = list(open_files)
            QTimer.singleShot(0, lambda: window.open_import(paths))
        status = app.exec()
    # After the cleanup: the crash handler undone, the registry closed, the demo removed.
    return status


def quicker_module_checks() -> None:
    """Make PySide's check of each newly imported module cheaper; the same answer.

    Once PySide6 is imported, every module imported after it (SQLAlchemy, pydantic,
    the services and screens: some 600 before the registry's rows are painted) is
    checked for the text "PySide6" (for its ``from __feature__ import`` support)
    through ``inspect.getsource``, which costs the window about a tenth of its
    start.  Reading the module's file once answers the same; modules without a
    ``.py`` file, and PySide versions without that check, keep PySide's own.
    """
    feature = sys.modules.get("PySide6.support.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "quicker", False):
        return

    @functools.wraps(original)
    def uses_pyside(module: object) -> bool:
        origin = getattr(getattr(module, "__spec__", None), "origin", None)
        if not isinstance(origin, str) or not origin.endswith(".py"):
            return bool(original(module))
        try:
            return b"PySide6" in Path(origin).read_bytes()
        except OSError:
            return bool(original(module))

    uses_pyside.quicker = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]


def show_first_look(db: str | None, shell: StartupWindow, settings: QSettings) -> FirstLook | None:
    """Read and paint the home screen's first lists with sqlite3 alone, if the registry allows.

    The start-up window then answers View ▸ Models list (Ctrl+0) with the models
    list's first page, read along.  None (and nothing shown) for a server, or a
    file the full open would refuse or migrate: see
    :mod:`countersign.services.desk.first_look`.
    """
    path = registry_file(db)
    if path is None or not path.is_file():
        return None
    from countersign.services.desk.first_look import read_first_look

    look = read_first_look(path)
    if look is None:
        return None
    from countersign.views.actions import add_greyed_tool_bar
    from countersign.views.home.screen import HomeScreen

    home = HomeScreen(None, shell)
    home.show_first_look(look)
    add_greyed_tool_bar(shell)
    shell.show_content(home, shown_location(db))
    models = look.models
    if models is not None:
        # Imported now, not while the key is answered (in the middle of another import).
        from countersign.views.registry.first_page import first_models_page

        splitter = WINDOW_SPLITTER.read(settings)

        def models_page() -> QWidget:
            page = first_models_page(models, shell)
            if not splitter.isEmpty():
                page.restoreState(splitter)
            return page

        shell.answer_key(_shortcut("show_models"), models_page, shown_location(db))
    wait_for_first_paint(shell)
    return look


def _shortcut(command: str) -> QKeySequence:
    return QKeySequence(next(spec.shortcut for spec in ACTION_SPECS if spec.name == command))


def _open_services(
    db: str | None, demo_folder: Path | None, shell: StartupWindow
) -> Services | None:
    """The registry (built first for the demo) and its services, built once.

    None once the officer has been told why the registry cannot be opened.
    The keyring is vetted on first use (signing, Settings ▸ Identities), not here.
    """
    # Imported once the start-up window has painted, as is everything below.
    from countersign.services.storage.registry_file import RegistryMissing
    from countersign.services.workstation import open_services

    def ask_password(server: str) -> str | None:
        return _ask_server_password(shell, server)

    while True:
        try:
            if demo_folder is not None:
                db = str(_build_demo(demo_folder, shell))
            try:
                return open_services(db, create=False, ask_password=ask_password)
            except RegistryMissing:
                # A new registry only when the officer says so: a mistyped --db must not
                # quietly become an empty registry.
                if not _may_create_registry(shell, shown_location(db)):
                    return None
                return open_services(db, create=True, ask_password=ask_password)
        except RegistryUnreachable as error:
            # A server that cannot be reached now may be in a moment (network, VPN).
            if not _may_retry(shell, error):
                return None
        except CountersignError as error:
            QMessageBox.critical(
                shell, "Countersign cannot open the registry", start_failure_text(error)
            )
            return None


def _ask_server_password(shell: StartupWindow, server: str) -> str | None:
    """Ask for a registry server's password (never stored by the window); None if cancelled."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    text, given = QInputDialog.getText(
        shell,
        "Registry server password",
        f"Password for {server}\n(kept for this session only; `countersign registry password`"
        " keeps it in the system keyring)",
        QLineEdit.EchoMode.Password,
    )
    return text if given and text else None


def _may_retry(shell: StartupWindow, error: RegistryUnreachable) -> bool:
    """Tell the officer the registry server cannot be reached; True when they choose Retry."""
    answer = QMessageBox.warning(
        shell,
        "Countersign cannot reach the registry server",
        start_failure_text(error),
        QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Retry,
    )
    return answer == QMessageBox.StandardButton.Retry


def _may_create_registry(shell: StartupWindow, location: str) -> bool:
    """Ask the officer whether to create a new, empty registry at ``location``."""
    from countersign.models.safe_text import display_text

    answer = QMessageBox.question(
        shell,
        "Create a new registry?",
        f"There is no registry at {display_text(location)}.\n\n"
        "Create a new, empty registry there? (If you meant another registry, choose No "
        "and start Countersign with --db PATH.)",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def _import_main_window() -> None:
    """Import the main window's module (with the screens), to build it once imported."""
    importlib.import_module("countersign.views.main_window")


def _main_window(services: Services, settings: QSettings, demo: bool) -> MainWindow:
    """The main window over the services."""
    from countersign.views.main_window import MainWindow

    return MainWindow(services, settings, demo=demo)


def _install_crash_handler(window: QWidget) -> Callable[[], None]:
    from countersign.views.crash_dialog import install_crash_handler

    return install_crash_handler(lambda: window)


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
    elif isinstance(error, RegistryUnreachable):
        advice = "Check the network (and the server's name, user and password), then retry."
    elif isinstance(error, RegistryError):
        advice = "Choose another registry file with  countersign --db PATH."
    else:
        advice = "The demo registry could not be built; nothing was changed."
    return f"{message}\n\n{advice}"


def _build_demo(folder: Path, shell: StartupWindow) -> Path:
    # Imported only for --demo: the sample bundles are not needed otherwise.
    from countersign.services.demo import build_demo_registry

    return build_demo_registry(folder, lambda _done, _total, what: shell.show_progress(f"{what}…"))


def _remove(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
