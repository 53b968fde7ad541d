"""Settings ▸ Identities: the reviewer identities of the registry, and what can be done with them.

The list shows each identity's name, address, role, certificate fingerprint,
validity and whether it is retired.  Creating, importing, changing a
passphrase and retiring open the forms of :mod:`countersign.views.identities.forms`.
The keyring is probed when the dialog opens (off the GUI thread); when it
cannot hold keys, its full explanation is shown and the actions that need it
are switched off.  Nothing is ever kept in plain text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.models.vocabulary import IdentitySource, Role
from countersign.services.identities.identities import Identities, IdentityInfo
from countersign.services.progress import Cancelled, Progress
from countersign.views.background import BackgroundTask
from countersign.views.crash_dialog import show_failure
from countersign.views.identities.forms import (
    ChangePassphraseDialog,
    CreateIdentityDialog,
    GrantRoleDialog,
    IdentityForm,
    ImportPkcs12Dialog,
    RetireIdentityDialog,
)
from countersign.views.presentation import local_date
from countersign.views.widgets.fitting import FittingDialog
from countersign.views.widgets.list_table import ListTableModel, set_up_row_table
from countersign.views.widgets.signer_fields import PROBLEM_STYLE

HEADERS = ("Name", "E-mail", "Role", "Status", "Valid until", "Certificate SHA-256", "Source")
"""The columns of the identities table."""

CERTIFICATE_FILTER = "Certificate (*.pem)"
CHAIN_FILTER = "Certificate and its issuers (*.pem)"


class IdentitiesModel(ListTableModel[IdentityInfo]):
    """The registry's identities (a handful: held whole), active first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(HEADERS, parent)

    def set_identities(self, identities: list[IdentityInfo]) -> None:
        """Show ``identities``."""
        self.set_rows(identities)

    def identity(self, row: int) -> IdentityInfo:
        """The identity on ``row``."""
        return self.item(row)

    def row_of(self, fingerprint: str) -> int | None:
        """The row of the identity whose certificate is ``fingerprint``."""
        for row, identity in enumerate(self._rows):
            if identity.fingerprint == fingerprint:
                return row
        return None

    def cell(self, identity: IdentityInfo, column: int, role: int) -> Any:
        """Cell text; retired identities greyed; the full fingerprint and subject as tooltips."""
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell(identity, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 5:
                return identity.fingerprint
            if column == 6:
                return f"Subject {identity.subject}\nIssuer {identity.issuer}"
            if column == 3 and identity.retired_reason:
                return identity.retired_reason
            return None
        if role == Qt.ItemDataRole.FontRole:
            if column == 5:
                return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
            if not identity.active:
                font = QFont()
                font.setItalic(True)
                return font
        return None


def _cell(identity: IdentityInfo, column: int) -> str:
    if column == 0:
        return identity.name
    if column == 1:
        return identity.email
    if column == 2:
        return Role.word(identity.role)
    if column == 3:
        return "active" if identity.active else f"retired {local_date(identity.retired_at or '')}"
    if column == 4:
        return identity.not_after[:10]
    if column == 5:
        return identity.fingerprint[:16] + "…"
    return IdentitySource.word(identity.source)


def _details(identity: IdentityInfo) -> str:
    """The certificate facts an officer compares out of band: full fingerprint, subject, issuer."""
    lines = [
        f"Certificate SHA-256: {identity.fingerprint}",
        f"Subject: {identity.subject}",
        f"Issuer: {identity.issuer}" + (" (chain kept)" if identity.chain_pem else ""),
        f"Valid {identity.not_before[:10]} to {identity.not_after[:10]} · "
        f"created {local_date(identity.created_at)}",
    ]
    if not identity.active:
        reason = f": {identity.retired_reason}" if identity.retired_reason else ""
        lines.append(f"Retired {local_date(identity.retired_at or '')}{reason}; cannot sign.")
    return "\n".join(lines)


class IdentitiesDialog(FittingDialog):
    """Lists the reviewer identities and creates, imports, exports, changes or retires them."""

    changed = Signal()
    """An identity was created, imported, changed or retired."""

    def __init__(self, identities: Identities, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._identities = identities
        self._probe: BackgroundTask | None = None
        self._keyring_ok: bool | None = None
        self.form: IdentityForm | None = None
        self.setWindowTitle("Reviewer identities")
        self.setAccessibleName("Reviewer identities")
        self.resize(960, 440)

        intro = QLabel(
            "Each reviewer signs sign-offs with their own identity: a certificate kept in the "
            "registry, and a private key kept only in the keyring of the reviewer's computer, "
            "encrypted with their passphrase.",
            self,
        )
        intro.setWordWrap(True)
        self.keyring = QLabel("Checking the keyring…", self)
        self.keyring.setWordWrap(True)
        self.keyring.setTextFormat(Qt.TextFormat.PlainText)
        self.keyring.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.keyring.setAccessibleName("Keyring")

        self.model = IdentitiesModel(self)
        self.table = QTableView(self)
        set_up_row_table(self.table, self.model, "Identities", (150, 220, 80, 110, 90, 170))
        self.empty = QLabel(
            "No identities yet. Create one to sign sign-offs, or import the one your "
            "organisation issued you.",
            self,
        )
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)
        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName("Certificate of the chosen identity")

        actions = self._build_actions()
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.keyring)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.details)
        layout.addLayout(actions)
        self.reload()
        self._probe_keyring()

    def _build_actions(self) -> QHBoxLayout:
        """The row of buttons that act on identities, and Close."""
        self.create_button = QPushButton("&Create…", self)
        self.import_button = QPushButton("&Import PKCS#12…", self)
        self.export_button = QPushButton("&Export certificate…", self)
        self.passphrase_button = QPushButton("Change &passphrase…", self)
        self.retire_button = QPushButton("&Retire…", self)
        self.grant_button = QPushButton("&Grant role…", self)
        accessible = (
            (self.create_button, "Create an identity"),
            (self.import_button, "Import an identity from a PKCS#12 file"),
            (self.export_button, "Export the chosen identity's certificate"),
            (self.passphrase_button, "Change the chosen identity's passphrase"),
            (self.retire_button, "Retire the chosen identity"),
            (self.grant_button, "Grant the chosen identity a role, signed by an officer"),
        )
        actions = QHBoxLayout()
        for button, name in accessible:
            button.setAccessibleName(name)
            actions.addWidget(button)
        actions.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        actions.addWidget(close)

        self.create_button.clicked.connect(self._on_create_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.passphrase_button.clicked.connect(self._on_passphrase_button_clicked)
        self.retire_button.clicked.connect(self._on_retire_button_clicked)
        self.grant_button.clicked.connect(self._on_grant_button_clicked)
        return actions

    # -- public ---------------------------------------------------------------------

    @property
    def keyring_ok(self) -> bool | None:
        """Whether the keyring can hold keys (None while it is being checked)."""
        return self._keyring_ok

    def reload(self, select: str | None = None) -> None:
        """Read the identities again, selecting the one with fingerprint ``select``."""
        current = self._current()
        self.model.set_identities(self._identities.list_all())
        self.empty.setVisible(self.model.rowCount() == 0)
        wanted = select or (current.fingerprint if current is not None else None)
        row = self.model.row_of(wanted) if wanted else None
        if row is None and self.model.rowCount():
            row = 0
        if row is not None:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._enable()

    def open_create(self, *, first_run: bool = False) -> CreateIdentityDialog:
        """Open the form that creates an identity (returned, already open)."""
        form = CreateIdentityDialog(self._identities, self, first_run=first_run)
        form.accepted.connect(lambda: self._on_form_made(form.created))
        self._open(form)
        return form

    def open_import(self) -> ImportPkcs12Dialog:
        """Open the form that imports a PKCS#12 identity (returned, already open)."""
        form = ImportPkcs12Dialog(self._identities, self)
        form.accepted.connect(lambda: self._on_form_made(form.created))
        self._open(form)
        return form

    # -- events ---------------------------------------------------------------------

    def _on_create_button_clicked(self) -> None:
        self.open_create()

    def _on_import_button_clicked(self) -> None:
        self.open_import()

    def _on_passphrase_button_clicked(self) -> None:
        identity = self._current()
        if identity is not None and identity.active:
            form = ChangePassphraseDialog(self._identities, identity, self)
            form.accepted.connect(lambda: self._on_form_made(identity))
            self._open(form)

    def _on_retire_button_clicked(self) -> None:
        identity = self._current()
        if identity is not None and identity.active:
            form = RetireIdentityDialog(self._identities, identity, self)
            form.accepted.connect(lambda: self._on_form_made(identity))
            self._open(form)

    def _on_grant_button_clicked(self) -> None:
        identity = self._current()
        if identity is not None and identity.active:
            officers = [
                person
                for person in self._identities.list_all(include_retired=False)
                if person.role == Role.OFFICER
            ]
            form = GrantRoleDialog(self._identities, identity, officers, self)
            form.accepted.connect(lambda: self._on_form_made(identity))
            self._open(form)

    def _on_export_button_clicked(self) -> None:
        identity = self._current()
        if identity is None:
            return
        filters = CERTIFICATE_FILTER + (f";;{CHAIN_FILTER}" if identity.chain_pem else "")
        suggested = str(Path.home() / f"{identity.email}.pem")
        name, chosen = QFileDialog.getSaveFileName(
            self, f"Export the certificate of {identity.email}", suggested, filters
        )
        if not name:
            return
        pem = identity.certificate_pem + (identity.chain_pem if chosen == CHAIN_FILTER else "")
        try:
            Path(name).write_text(pem, encoding="ascii")
        except OSError as error:
            QMessageBox.warning(
                self, "Export certificate", f"Could not write {name}: {error.strerror}."
            )

    def _on_table_current_row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._enable()

    def _on_form_made(self, identity: IdentityInfo | None) -> None:
        self.reload(identity.fingerprint if identity is not None else None)
        self.changed.emit()

    def _forget_form(self, form: IdentityForm) -> None:
        if self.form is form:
            self.form = None

    def _on_probe_succeeded(self, description: str) -> None:
        self._probe = None
        self._keyring_ok = True
        self.keyring.setStyleSheet("")
        self.keyring.setText(f"Private keys are kept in this computer's keyring: {description}.")
        self._enable()

    def _on_probe_failed(self, error: BaseException, trace: str) -> None:
        self._probe = None
        if not isinstance(error, CountersignError):
            show_failure(self, error, trace)
            return
        self._keyring_ok = False
        self.keyring.setStyleSheet(PROBLEM_STYLE)
        self.keyring.setText(str(error))
        self._enable()

    # -- internals ------------------------------------------------------------------

    def _probe_keyring(self) -> None:
        keystore = self._identities.keystore

        def work(_progress: Progress, _cancelled: Cancelled) -> str:
            return keystore.describe()

        self._probe = BackgroundTask(
            work,
            on_success=self._on_probe_succeeded,
            on_failure=self._on_probe_failed,
            parent=self,
        )
        self._probe.start()

    def _open(self, form: IdentityForm) -> None:
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.finished.connect(lambda _result: self._forget_form(form))
        self.form = form
        form.open()

    def _current(self) -> IdentityInfo | None:
        index = self.table.selectionModel().currentIndex() if self.table.selectionModel() else None
        if index is None or not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.identity(index.row())

    def _enable(self) -> None:
        identity = self._current()
        self.details.setText(_details(identity) if identity is not None else "")
        keyring = self._keyring_ok is not False
        active = identity is not None and identity.active
        self.create_button.setEnabled(keyring)
        self.import_button.setEnabled(keyring)
        self.export_button.setEnabled(identity is not None)
        self.passphrase_button.setEnabled(keyring and active)
        self.retire_button.setEnabled(active)
        self.grant_button.setEnabled(keyring and active)
