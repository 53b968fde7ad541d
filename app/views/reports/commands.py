"""The report commands of the main window: export a signed report, verify one, publish a version.

Kept apart from the window so that it stays a façade: the window tells this
which card version is shown, and this opens the dialogs, the preview after an
export, and says (in the actions' tips) why a command is not available.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from countersign.models.vocabulary import CardStatus
from countersign.services.identities.identities import IdentityInfo
from countersign.services.reports.publishing import PublishResult
from countersign.services.reports.reports import ExportResult, Reports
from countersign.views.reports.export_dialog import ExportDialog
from countersign.views.reports.publish_dialog import PublishDialog
from countersign.views.reports.subject import ShownVersion, Signers
from countersign.views.reports.verify_dialog import VerifyDialog

EXPORT_TIP = "Export the signed PDF review report of the card version shown"
PUBLISH_TIP = (
    "Write the approved card version, its signed report and sign-offs into a folder for the team"
)


def publish_unavailable(shown: ShownVersion | None) -> str:
    """Why Publish approved version… cannot be used now, or empty when it can."""
    if shown is None:
        return "Choose an approved card version to publish."
    if shown.status != CardStatus.APPROVED:
        return (
            f"{shown.model} {shown.version} is {shown.status}, not approved; "
            "only approved card versions are published."
        )
    return ""


class ReportCommands(QObject):
    """Opens the export, preview, verify and publish windows over one :class:`Reports`."""

    registry_changed = Signal()
    """An export or a publication was recorded in the audit trail."""

    def __init__(self, reports: Reports, settings: QSettings, window: QWidget) -> None:
        super().__init__(window)
        self.reports = reports
        self._settings = settings
        self._window = window
        self._last_identity = ""
        self.export_dialog: ExportDialog | None = None
        self.publish_dialog: PublishDialog | None = None
        self.verify_dialog: VerifyDialog | None = None
        # Imported with the first export: QtPdf is not needed to start the window.
        self.preview: QWidget | None = None

    def update_actions(self, export: QAction, publish: QAction, shown: ShownVersion | None) -> None:
        """Enable export for any card version shown, publish for an approved one; say why not."""
        export.setEnabled(shown is not None)
        export.setStatusTip(EXPORT_TIP if shown is not None else "Choose a card version first.")
        why_not = publish_unavailable(shown)
        publish.setEnabled(not why_not)
        publish.setStatusTip(why_not or PUBLISH_TIP)
        publish.setToolTip(why_not or PUBLISH_TIP)

    def export(self, shown: ShownVersion) -> ExportDialog:
        """Open the export dialog for ``shown``; the preview follows a successful export."""
        dialog = ExportDialog(
            self.reports,
            shown,
            Signers(self._usable_identities(), self._last_identity),
            self._settings,
            self._window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exported.connect(self._on_export_dialog_exported)
        dialog.finished.connect(self._on_export_dialog_finished)
        self.export_dialog = dialog
        dialog.open()
        return dialog

    def verify(self) -> VerifyDialog:
        """Show Tools ▸ Verify report… (one at a time)."""
        if self.verify_dialog is None:
            dialog = VerifyDialog(self.reports, self._settings, self._window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.destroyed.connect(self._on_verify_dialog_destroyed)
            self.verify_dialog = dialog
        self.verify_dialog.show()
        self.verify_dialog.raise_()
        self.verify_dialog.activateWindow()
        return self.verify_dialog

    def publish(self, shown: ShownVersion) -> PublishDialog:
        """Open the publish dialog for ``shown`` (it says why, if it cannot be published)."""
        dialog = PublishDialog(
            self.reports,
            shown,
            Signers(self._usable_identities(), self._last_identity),
            self._settings,
            self._window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.published.connect(self._on_publish_dialog_published)
        dialog.finished.connect(self._on_publish_dialog_finished)
        self.publish_dialog = dialog
        dialog.open()
        return dialog

    def show_preview(self, result: ExportResult) -> QWidget:
        """Open the preview of an exported report (replacing the last one)."""
        from countersign.views.reports.preview import ReportPreview

        if self.preview is not None:
            self.preview.close()
        preview = ReportPreview(result.path, self.reports, self._window, export=result)
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.destroyed.connect(lambda: self._forget_preview(preview))
        window_size = self._window.size()
        preview.resize(min(1440, window_size.width()), min(900, window_size.height()))
        self.preview = preview
        preview.show()
        return preview

    # -- events ---------------------------------------------------------------------

    def _on_export_dialog_exported(self, result: ExportResult) -> None:
        if self.export_dialog is not None:
            self._last_identity = self.export_dialog.identity
        self.registry_changed.emit()
        self.show_preview(result)

    def _on_export_dialog_finished(self, _result: int) -> None:
        self.export_dialog = None

    def _on_publish_dialog_published(self, _result: PublishResult) -> None:
        if self.publish_dialog is not None:
            self._last_identity = self.publish_dialog.signer.identity
        self.registry_changed.emit()

    def _on_publish_dialog_finished(self, _result: int) -> None:
        self.publish_dialog = None

    def _on_verify_dialog_destroyed(self) -> None:
        self.verify_dialog = None

    # -- internals ------------------------------------------------------------------

    def _usable_identities(self) -> list[IdentityInfo]:
        return self.reports.identities.list_all(include_retired=False)

    def _forget_preview(self, preview: QWidget) -> None:
        if self.preview is preview:
            self.preview = None
