"""The main window: a small façade that places the home screen, the registry browser and the model page.

It opens on the home screen (what waits for the officer); opening a row, or
View ▸ Models list, shows the registry: the browser beside the model page.

It wires the commands of :mod:`countersign.views.actions` to the screens, keeps the
status bar (registry path and counts, counted off the GUI thread once the
window is painted), remembers geometry and the last folder in QSettings, and
accepts files dropped on it for import.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.services.progress import Cancelled, Progress
from countersign.services.reviews.reviews import SignOffResult
from countersign.services.storage.dialect import search_words
from countersign.services.workstation import Services
from countersign.views.about_box import show_about
from countersign.views.actions import WorkstationActions
from countersign.views.appearance.theme_menu import ThemeMenu
from countersign.views.background import BackgroundTask
from countersign.views.crash_dialog import show_failure
from countersign.views.home.screen import HomeScreen
from countersign.views.icons import icon
from countersign.views.model_page.page import ModelPage
from countersign.views.registry.browser import RegistryBrowser
from countersign.views.reports.commands import ReportCommands
from countersign.views.reports.subject import ShownVersion
from countersign.views.settings import (
    IMPORT_FOLDER,
    WINDOW_GEOMETRY,
    WINDOW_SPLITTER,
    WINDOW_STATE,
    restore_geometry,
)

DRAFT_FILTER = "Card files (*.md *.json *.yaml *.yml);;All files (*)"
IMPORT_FILTER = (
    "Card bundles and card files (*.cardbundle *.zip *.json *.md *.yaml *.yml);;All files (*)"
)


class MainWindow(QMainWindow):
    """The workstation window: the home screen, or the registry browser beside the model page."""

    def __init__(
        self,
        services: Services,
        settings: QSettings,
        *,
        demo: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.database = services.database
        self.registry = services.registry
        self.importer = services.importer
        self.reports = services.reports
        self.settings = settings
        self._counted_once = False
        self._count_task: BackgroundTask | None = None
        self._count_again = False
        self._audit_window: QWidget | None = None
        self._identities_dialog: QWidget | None = None
        self._policy_dialog: QWidget | None = None
        self.draft_editors: list[QMainWindow] = []
        self._guide: QWidget | None = None

        self.setWindowTitle("Countersign — demo registry" if demo else "Countersign")
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)

        self._build_bars()

        self.browser = RegistryBrowser(services.registry, self)
        self.model_page = ModelPage(services, self)
        self.report_commands = ReportCommands(self.reports, self.settings, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.browser)
        self.splitter.addWidget(self.model_page)
        # The model page (card, side-by-side compare, review) needs the room more
        # than the browser, whose six columns fit in about 620 px.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([620, 820])
        self.home = HomeScreen(services.desk, self)
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("main_pages")
        self.pages.addWidget(self.home)
        self.pages.addWidget(self.splitter)
        self.setCentralWidget(self.pages)

        self._build_status_bar(services.database.location, demo)

        self._connect()
        self._restore_settings()

    def _build_bars(self) -> None:
        """The menu bar and the main tool bar, filled from the window's commands."""
        self.commands = WorkstationActions(self)
        self.commands.fill_menu_bar(self.menuBar())
        settings_menu = self.menuBar().findChild(QMenu, "settings_menu")
        if settings_menu is not None:
            self.theme_menu = ThemeMenu(settings_menu, self.settings)
        file_menu = self.menuBar().findChild(QMenu, "file_menu")
        if file_menu is not None:
            # A disabled Publish approved version… says why in its tip.
            file_menu.setToolTipsVisible(True)
        self.commands.add_tool_bar(self)

    def _build_status_bar(self, where: str, demo: bool) -> None:
        """Where the registry is (a demo says it is thrown away) and what it holds."""
        self.location_label = QLabel(self)
        self.location_label.setAccessibleName("Registry location")
        self.location_label.setTextFormat(Qt.TextFormat.PlainText)
        self.counts_label = QLabel("Counting…", self)
        self.counts_label.setAccessibleName("Registry counts")
        self.statusBar().addWidget(self.location_label, 1)
        self.statusBar().addPermanentWidget(self.counts_label)
        self.location_label.setText(
            f"Demo registry (thrown away on quit): {where}" if demo else f"Registry: {where}"
        )
        self.location_label.setToolTip(where)

    # -- commands -------------------------------------------------------------------

    def open_import(self, paths: list[Path]) -> None:
        """Preview importing ``paths`` in the import dialog; refresh when something landed."""
        if not paths:
            return
        # Imported when first used, keeping start-up light.
        from countersign.views.importing.dialog import ImportDialog

        self._remember_folder(paths[0].parent)
        dialog = ImportDialog(self.importer, paths, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.landed.connect(self._on_import_dialog_landed)
        dialog.open()

    def choose_import_files(self) -> None:
        """Ask which files to import, starting in the last folder used.

        The importer's worker processes start meanwhile, so that they are up when
        the first large bundle is read (the import dialog stops them once it has
        read its files; choosing none stops them at once).
        """
        self.importer.start_workers()
        names, _filter = QFileDialog.getOpenFileNames(
            self, "Import card bundles or cards", self.last_folder(), IMPORT_FILTER
        )
        if not names:
            self.importer.close()
        self.open_import([Path(name) for name in names])

    def new_draft(self) -> QMainWindow:
        """File ▸ New card draft…: an empty draft in an editor window of its own."""
        return self._show_draft_editor(None)

    def choose_draft_file(self) -> None:
        """File ▸ Open draft…: ask which card file to open in the draft editor."""
        name, _filter = QFileDialog.getOpenFileName(
            self, "Open card draft", self.last_folder(), DRAFT_FILTER
        )
        if name:
            self.open_draft(Path(name))

    def open_draft(self, path: Path) -> QMainWindow | None:
        """Open the card file ``path`` in a draft editor; a file that is no card is said why."""
        from countersign.services.drafts import open_draft

        try:
            draft = open_draft(path)
        except CountersignError as error:
            QMessageBox.warning(self, "Draft not opened", str(error))
            return None
        self._remember_folder(path.parent)
        return self._show_draft_editor(draft)

    def _show_draft_editor(self, draft: object) -> QMainWindow:
        # Imported when first used, keeping start-up light.
        from countersign.services.drafts import CardDraft
        from countersign.views.drafts.editor import DraftEditor

        templates = [info.template for info in self.services.checklists.list_templates()]
        editor = DraftEditor(
            templates,
            draft if isinstance(draft, CardDraft) else None,
            folder=Path(self.last_folder()),
            parent=self,
        )
        editor.setWindowFlag(Qt.WindowType.Window, True)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.destroyed.connect(partial(self._on_draft_editor_destroyed, editor))
        self.draft_editors.append(editor)
        editor.show()
        return editor

    def open_audit_trail(self) -> None:
        """Show the audit trail window (one at a time)."""
        from countersign.views.audit.window import AuditWindow

        if self._audit_window is None:
            window = AuditWindow(self.services.audit, self, integrity=self.services.integrity)
            window.setWindowFlag(Qt.WindowType.Window, True)
            window.destroyed.connect(self._on_audit_window_destroyed)
            self._audit_window = window
        self._audit_window.show()
        self._audit_window.raise_()
        self._audit_window.activateWindow()

    def open_guide(self) -> None:
        """Show Help ▸ User guide; closing hides it, so it opens again where it was."""
        from countersign.views.help.guide import GuideWindow

        if self._guide is None:
            self._guide = GuideWindow(self)
        self._guide.show()
        self._guide.raise_()
        self._guide.activateWindow()

    def open_identities(self) -> None:
        """Show Settings ▸ Identities (one at a time)."""
        from countersign.views.identities.dialog import IdentitiesDialog

        if self._identities_dialog is None:
            dialog = IdentitiesDialog(self.services.identities, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.changed.connect(self._on_identities_dialog_changed)
            dialog.destroyed.connect(self._on_identities_dialog_destroyed)
            self._identities_dialog = dialog
        self._identities_dialog.show()
        self._identities_dialog.raise_()
        self._identities_dialog.activateWindow()

    def open_policy(self) -> None:
        """Show Settings ▸ Metric policy (one at a time)."""
        from countersign.views.policy.dialog import PolicyDialog

        if self._policy_dialog is None:
            dialog = PolicyDialog(self.services.policies, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.changed.connect(self.refresh)
            dialog.destroyed.connect(self._on_policy_dialog_destroyed)
            self._policy_dialog = dialog
        self._policy_dialog.show()
        self._policy_dialog.raise_()
        self._policy_dialog.activateWindow()

    def sign_off(self) -> None:
        """Review ▸ Sign…: go to the Review tab of the model shown and start signing."""
        if self.model_page.model_name is None:
            self.statusBar().showMessage("Choose a model to review first.", 5000)
            return
        self.show_registry()
        self.model_page.tabs.setCurrentWidget(self.model_page.review_tab)
        self.model_page.review_tab.start_sign_off()

    def shown_version(self) -> ShownVersion | None:
        """The card version the model page shows, if any."""
        page = self.model_page
        if page.model_name is None or page.version is None or page.version_status is None:
            return None
        return ShownVersion(page.model_name, page.version, page.version_status)

    def export_report(self) -> None:
        """File ▸ Export signed report…: of the card version shown."""
        shown = self.shown_version()
        if shown is None:
            self.statusBar().showMessage("Choose a card version to export its report.", 5000)
            return
        self.report_commands.export(shown)

    def publish_version(self) -> None:
        """File ▸ Publish approved version…: of the card version shown, if approved."""
        shown = self.shown_version()
        if shown is None:
            self.statusBar().showMessage("Choose an approved card version to publish.", 5000)
            return
        self.report_commands.publish(shown)

    def refresh(self) -> None:
        """Read the registry again: the home screen, the browser, the model shown and the counts."""
        self.home.load()
        self.browser.refresh()
        self.model_page.reload()
        self.refresh_counts()

    def show_home(self) -> None:
        """View ▸ Home: what waits for the officer, the keyboard in its first list."""
        self.pages.setCurrentWidget(self.home)
        self.home.focus_first_list()

    def show_registry(self) -> None:
        """Show the registry browser beside the model page (View ▸ Models list, an opened row)."""
        self.pages.setCurrentWidget(self.splitter)

    @property
    def showing_home(self) -> bool:
        """Whether the home screen is what the window shows."""
        return self.pages.currentWidget() is self.home

    def open_model(self, name: str, version: str = "") -> None:
        """Show model ``name`` (at ``version``; its newest when empty) on the registry page."""
        self.show_registry()
        self.browser.select_model(name, announce=False)
        self.model_page.show_model(name, version or None)
        self.model_page.tabs.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh_counts(self) -> None:
        """Count models and card versions (and list the teams) off the GUI thread."""
        if self._count_task is not None:
            # Counted again when the running count ends: it may predate an import.
            self._count_again = True
            return
        self._count_again = False
        registry = self.registry

        def work(_progress: Progress, _cancelled: Cancelled) -> tuple[int, int, list[str]]:
            return registry.count_models(), registry.count_card_versions(), registry.teams()

        task = BackgroundTask(
            work,
            on_success=self._on_count_task_succeeded,
            on_failure=self._on_count_task_failed,
            parent=self,
        )
        task.finished.connect(self._on_count_task_finished)
        self._count_task = task
        task.start()

    @property
    def counting(self) -> bool:
        """Whether the counts are being computed."""
        return self._count_task is not None

    def last_folder(self) -> str:
        """The folder the officer last imported from (home at first)."""
        return IMPORT_FOLDER.read(self.settings) or str(Path.home())

    # -- Qt events -----------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Once painted for the first time, start counting."""
        super().showEvent(event)
        if not self._counted_once:
            self._counted_once = True
            self._restore_splitter()
            # After the first paint: the lists and the counts never hold the window back.
            QTimer.singleShot(0, self.home.load)
            QTimer.singleShot(0, self.refresh_counts)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Remember geometry and layout; close the audit window too."""
        WINDOW_GEOMETRY.write(self.settings, self.saveGeometry())
        WINDOW_STATE.write(self.settings, self.saveState())
        WINDOW_SPLITTER.write(self.settings, self.splitter.saveState())
        self.settings.sync()
        if self._audit_window is not None:
            self._audit_window.close()
        super().closeEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        """Accept files dragged from a file manager."""
        if _dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        """Import the files dropped on the window (with the preview first)."""
        paths = _dropped_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        # After the drop returns, so the file manager is not held while the dialog opens.
        QTimer.singleShot(0, lambda: self.open_import(paths))

    # -- wiring ---------------------------------------------------------------------

    def _connect(self) -> None:
        actions = self.commands
        actions["import_files"].triggered.connect(self.choose_import_files)
        actions["new_draft"].triggered.connect(self.new_draft)
        actions["open_draft"].triggered.connect(self.choose_draft_file)
        actions["quit"].triggered.connect(self.close)
        actions["find"].triggered.connect(self._on_find_triggered)
        actions["copy_card"].triggered.connect(self.model_page.card_tab.copy_button.click)
        actions["refresh"].triggered.connect(self.refresh)
        actions["show_home"].triggered.connect(self.show_home)
        actions["show_models"].triggered.connect(self._on_show_models_triggered)
        for number, name in enumerate(
            (
                "show_card",
                "show_versions",
                "show_source",
                "show_attachments",
                "show_history",
                "show_compare",
            )
        ):
            actions[name].triggered.connect(
                lambda _checked=False, tab=number: self._show_model_tab(tab)
            )
        actions["show_review"].triggered.connect(self._on_show_review_triggered)
        actions["show_trends"].triggered.connect(self._on_show_trends_triggered)
        actions["sign_off"].triggered.connect(self.sign_off)
        actions["identities"].triggered.connect(self.open_identities)
        actions["metric_policy"].triggered.connect(self.open_policy)
        actions["audit_trail"].triggered.connect(self.open_audit_trail)
        actions["export_report"].triggered.connect(self.export_report)
        actions["publish_version"].triggered.connect(self.publish_version)
        actions["verify_report"].triggered.connect(self.report_commands.verify)
        self.report_commands.registry_changed.connect(self.refresh)
        self.model_page.version_shown.connect(self._on_model_page_version_shown)
        self._on_model_page_version_shown()
        actions["user_guide"].triggered.connect(self.open_guide)
        actions["about"].triggered.connect(lambda: show_about(self))
        actions["about_qt"].triggered.connect(QApplication.aboutQt)
        self.home.model_opened.connect(self.open_model)
        self.browser.model_selected.connect(self._on_browser_model_selected)
        self.browser.version_selected.connect(self._on_browser_version_selected)
        self.browser.model_opened.connect(self._on_browser_model_opened)
        self.model_page.review_tab.signed.connect(self._on_review_tab_signed)
        self.model_page.acted.connect(self.refresh)

    def _on_browser_model_selected(self, name: str) -> None:
        self.model_page.card_tab.set_search_words([])
        self.model_page.show_model(name)

    def _on_browser_version_selected(self, name: str, version: str) -> None:
        # Opened from a search: the Card tab highlights what was searched for.
        self.model_page.card_tab.set_search_words(search_words(self.browser.search_model.text))
        self.model_page.show_model(name, version)

    def _on_browser_model_opened(self, _name: str) -> None:
        self.model_page.tabs.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_show_models_triggered(self) -> None:
        self.show_registry()
        self.browser.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_model_tab(self, tab: int) -> None:
        self.show_registry()
        self.model_page.show_tab(tab)

    def _on_show_review_triggered(self) -> None:
        self.show_registry()
        self.model_page.tabs.setCurrentWidget(self.model_page.review_tab)

    def _on_show_trends_triggered(self) -> None:
        self.show_registry()
        self.model_page.tabs.setCurrentWidget(self.model_page.trends_tab)

    def _on_find_triggered(self) -> None:
        self.show_registry()
        self.browser.focus_search()

    def _on_model_page_version_shown(self) -> None:
        self.report_commands.update_actions(
            self.commands["export_report"], self.commands["publish_version"], self.shown_version()
        )

    def _on_review_tab_signed(self, result: SignOffResult) -> None:
        review = result.review
        self.statusBar().showMessage(
            f"Sign-off stored: {review.model} {review.version} is {result.card_status}.", 10_000
        )
        self.refresh()

    def _on_identities_dialog_changed(self) -> None:
        self.model_page.review_tab.refresh_identities()

    def _on_identities_dialog_destroyed(self) -> None:
        self._identities_dialog = None

    def _on_policy_dialog_destroyed(self) -> None:
        self._policy_dialog = None

    def _on_import_dialog_landed(self) -> None:
        self.refresh()

    def _on_draft_editor_destroyed(self, gone: QMainWindow, *_args: object) -> None:
        self.draft_editors = [editor for editor in self.draft_editors if editor is not gone]

    def _on_audit_window_destroyed(self) -> None:
        self._audit_window = None

    def _on_count_task_succeeded(self, result: tuple[int, int, list[str]]) -> None:
        models, versions, teams = result
        self.counts_label.setText(
            f"{models:,} model{'s' if models != 1 else ''} · "
            f"{versions:,} card version{'s' if versions != 1 else ''}"
        )
        self.browser.set_teams(teams)

    def _on_count_task_failed(self, error: BaseException, trace: str) -> None:
        if isinstance(error, CountersignError):
            self.counts_label.setText("Counts unavailable")
            self.counts_label.setToolTip(str(error))
        else:
            show_failure(self, error, trace)

    def _on_count_task_finished(self) -> None:
        if self._count_task is not None:
            self._count_task.deleteLater()
        self._count_task = None
        if self._count_again:
            self.refresh_counts()

    # -- settings -------------------------------------------------------------------

    def _restore_settings(self) -> None:
        restore_geometry(self, self.settings)
        state = WINDOW_STATE.read(self.settings)
        if not state.isEmpty():
            self.restoreState(state)

    def _restore_splitter(self) -> None:
        # Once the window has its real size: restored earlier, the sizes would be stretched.
        splitter = WINDOW_SPLITTER.read(self.settings)
        if not splitter.isEmpty():
            self.splitter.restoreState(splitter)

    def _remember_folder(self, folder: Path) -> None:
        IMPORT_FOLDER.write(self.settings, str(folder))


def _dropped_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
