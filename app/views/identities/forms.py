"""The forms that make and change reviewer identities: create, import PKCS#12, passphrase, retire.

Each form checks what it can before any work (a passphrase long enough and
typed twice alike), then runs the identity service on the worker thread: key
derivation and PKCS#12 decryption take a moment, and the keyring may be a
D-Bus service.  A keyring that cannot hold keys is said in full, with how to
fix it, before the officer types a passphrase; nothing is ever kept in plain
text.  Passphrase fields never echo.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.models.vocabulary import Role
from countersign.services.identities.errors import (
    IdentityError,
    KeystoreUnavailable,
    WrongPassphrase,
)
from countersign.services.identities.identities import (
    MIN_PASSPHRASE_LENGTH,
    Identities,
    IdentityInfo,
    Pkcs12File,
    normalise_email,
)
from countersign.services.identities.keystore import Keystore
from countersign.services.progress import Cancelled, Progress
from countersign.views.crash_dialog import show_failure
from countersign.views.widgets.keyed_work import WorkDialog
from countersign.views.widgets.signer_fields import PROBLEM_STYLE, passphrase_edit, sentence

ROLE_NOTE = (
    "Granted, not chosen: the first identity of a new registry is its officer; any other "
    "has no role until an officer grants one (countersign identity grant)."
)
"""How an identity gets its role, as the identity forms say it."""

PKCS12_FILTER = "PKCS#12 files (*.p12 *.pfx);;All files (*)"


def role_note(parent: QWidget) -> QLabel:
    """The sentence that says how the new identity gets its role."""
    label = QLabel(ROLE_NOTE, parent)
    label.setWordWrap(True)
    label.setAccessibleName("Role")
    return label


def passphrase_problem(passphrase: str, confirmation: str) -> str:
    """Why a new passphrase cannot be used, or empty when it can."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return (
            f"The passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters: it is all "
            "that guards the signing key if the keyring is ever copied."
        )
    if passphrase != confirmation:
        return "The two passphrases differ; type the same one twice."
    return ""


class IdentityForm(WorkDialog):
    """A form whose work runs off the GUI thread, with its problems said in the dialog."""

    keyring_checked = Signal(bool)
    """The keyring was probed: whether it can hold keys."""

    def __init__(
        self,
        title: str,
        intro: str,
        ok_text: str,
        keystore: Keystore | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._keyring_ok = keystore is None
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(580)
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.setAccessibleName("Problem")
        self.problem.setStyleSheet(PROBLEM_STYLE)
        self.problem.hide()
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.setAccessibleName("Working")
        self.busy.hide()
        self.buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton(ok_text, self)
        self.ok_button.setDefault(True)
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addSpacing(4)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.busy)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        if keystore is not None:
            self.ok_button.setEnabled(False)
            self._start(keystore.describe, self._on_keyring_known, self._on_keyring_refused)

    @property
    def working(self) -> bool:
        """Whether the form's work (or the keyring probe) is running."""
        return self._task is not None

    def problem_text(self) -> str:
        """The problem shown, or empty."""
        return self.problem.text() if not self.problem.isHidden() else ""

    def accept(self) -> None:
        """Check the form, then run its work; the dialog closes when the work succeeds."""
        if self.working or not self.ok_button.isEnabled():
            return
        problem = self.validate()
        if problem:
            self.show_problem(problem)
            return
        self.problem.hide()
        self._start(self.work(), self._on_work_done, self._on_work_refused)

    def show_problem(self, message: str) -> None:
        """Say what stops the form."""
        self.problem.setText(message)
        self.problem.show()

    # -- for subclasses ---------------------------------------------------------------

    def validate(self) -> str:
        """What is wrong with the form as filled in, or empty."""
        return ""

    def work(self) -> Callable[[], Any]:
        """The service call to run off the GUI thread (it must not touch widgets)."""
        raise NotImplementedError

    def done_work(self, result: Any) -> None:
        """Keep the work's result; the dialog then closes."""

    def refused(self, error: CountersignError) -> str:
        """How a refusal of the work reads in the dialog."""
        return sentence(str(error))

    # -- internals ------------------------------------------------------------------

    def _start(
        self,
        call: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_refusal: Callable[[CountersignError], None],
    ) -> None:
        def work(_progress: Progress, _cancelled: Cancelled) -> Any:
            return call()

        def failed(error: BaseException, trace: str) -> None:
            self._end_task()
            if isinstance(error, CountersignError):
                on_refusal(error)
            else:
                show_failure(self, error, trace)

        def succeeded(result: Any) -> None:
            self._end_task()
            on_success(result)

        self._start_task(work, succeeded, failed)  # the form's own busy bar

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for button in self.buttons.buttons():
            button.setEnabled(not busy and (button is not self.ok_button or self._keyring_ok))

    def _on_keyring_known(self, _description: str) -> None:
        self._keyring_ok = True
        self.ok_button.setEnabled(True)
        self.keyring_checked.emit(True)

    def _on_keyring_refused(self, error: CountersignError) -> None:
        self._keyring_ok = False
        self.ok_button.setEnabled(False)
        self.show_problem(str(error))
        self.keyring_checked.emit(False)

    def _on_work_done(self, result: Any) -> None:
        self.done_work(result)
        super().accept()

    def _on_work_refused(self, error: CountersignError) -> None:
        if isinstance(error, KeystoreUnavailable):
            self.show_problem(str(error))  # its full explanation, as written
        else:
            self.show_problem(self.refused(error))


class CreateIdentityDialog(IdentityForm):
    """Makes a new identity: a key in the keyring and a self-signed two-year certificate."""

    import_instead = Signal()
    """The officer would rather import an identity issued by the organisation."""

    def __init__(
        self, identities: Identities, parent: QWidget | None = None, *, first_run: bool = False
    ) -> None:
        intro = (
            "Before you can sign, Countersign needs your reviewer identity. " if first_run else ""
        ) + (
            "Countersign makes an ECDSA key and a certificate (self-signed, valid two years) "
            "for your name and e-mail address. The registry keeps the certificate; the private "
            "key stays in this computer's keyring, encrypted with your passphrase, and nobody "
            "can sign as you without that passphrase."
        )
        title = "Set up your reviewer identity" if first_run else "Create an identity"
        super().__init__(title, intro, "&Create identity", identities.keystore, parent)
        self._identities = identities
        self.created: IdentityInfo | None = None
        self.name = QLineEdit(self)
        self.name.setAccessibleName("Name")
        self.name.setPlaceholderText("Ana Reviewer")
        self.email = QLineEdit(self)
        self.email.setAccessibleName("E-mail address")
        self.email.setPlaceholderText("name@example.org")
        self.role = role_note(self)
        self.passphrase = passphrase_edit(self, "New passphrase")
        self.passphrase.setPlaceholderText(f"At least {MIN_PASSPHRASE_LENGTH} characters")
        self.confirmation = passphrase_edit(self, "New passphrase again")
        self.form.addRow("&Name:", self.name)
        self.form.addRow("E-&mail:", self.email)
        self.form.addRow("R&ole:", self.role)
        self.form.addRow("&Passphrase:", self.passphrase)
        self.form.addRow("&Again:", self.confirmation)
        if first_run:
            self.import_button = QPushButton("&Import one from PKCS#12 instead…", self)
            self.import_button.setAccessibleName("Import an identity issued by your organisation")
            self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
            self.import_button.clicked.connect(self._on_import_button_clicked)

    def validate(self) -> str:
        """Name, address and passphrase as the service will want them."""
        if not self.name.text().strip():
            return "Give your name as it should appear on sign-offs."
        try:
            normalise_email(self.email.text())
        except IdentityError as error:
            return sentence(str(error))
        return passphrase_problem(self.passphrase.text(), self.confirmation.text())

    def work(self) -> Callable[[], Any]:
        """Create the identity."""
        identities, passphrase = self._identities, self.passphrase.text()
        name, email = self.name.text(), self.email.text()
        self.passphrase.clear()
        self.confirmation.clear()
        return lambda: identities.create(name, email, "", passphrase)

    def done_work(self, result: Any) -> None:
        """Keep the new identity."""
        self.created = result

    def _on_import_button_clicked(self) -> None:
        if not self.working:
            self.import_instead.emit()
            super().reject()


class ImportPkcs12Dialog(IdentityForm):
    """Takes an identity issued by the organisation as a PKCS#12 file (its chain kept)."""

    def __init__(self, identities: Identities, parent: QWidget | None = None) -> None:
        super().__init__(
            "Import an identity (PKCS#12)",
            "Import the key and certificate your organisation issued you, as a .p12 or .pfx "
            "file. The name and e-mail address come from the certificate. The key is "
            "re-encrypted with a Countersign passphrase of your choosing and kept only in this "
            "computer's keyring.",
            "&Import identity",
            identities.keystore,
            parent,
        )
        self._identities = identities
        self.created: IdentityInfo | None = None
        self.file = QLineEdit(self)
        self.file.setAccessibleName("PKCS#12 file")
        browse = QPushButton("&Browse…", self)
        browse.setAccessibleName("Choose the PKCS#12 file")
        browse.clicked.connect(self._on_browse_clicked)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(browse)
        self.file_password = passphrase_edit(self, "Password of the file")
        self.file_password.setPlaceholderText("Empty if the file has none")
        self.role = role_note(self)
        self.name = QLineEdit(self)
        self.name.setAccessibleName("Name (optional)")
        self.name.setPlaceholderText("From the certificate")
        self.email = QLineEdit(self)
        self.email.setAccessibleName("E-mail address (optional)")
        self.email.setPlaceholderText("From the certificate")
        self.passphrase = passphrase_edit(self, "New passphrase")
        self.passphrase.setPlaceholderText(f"At least {MIN_PASSPHRASE_LENGTH} characters")
        self.confirmation = passphrase_edit(self, "New passphrase again")
        self.form.addRow("&File:", file_row)
        self.form.addRow("File pass&word:", self.file_password)
        self.form.addRow("R&ole:", self.role)
        self.form.addRow("&Name:", self.name)
        self.form.addRow("E-&mail:", self.email)
        self.form.addRow("&Passphrase:", self.passphrase)
        self.form.addRow("&Again:", self.confirmation)

    def validate(self) -> str:
        """A readable file and a good new passphrase."""
        path = Path(self.file.text().strip())
        if not self.file.text().strip():
            return "Choose the PKCS#12 file (.p12 or .pfx) to import."
        if not path.is_file():
            return f"There is no file at {path}."
        if self.email.text().strip():
            try:
                normalise_email(self.email.text())
            except IdentityError as error:
                return sentence(str(error))
        return passphrase_problem(self.passphrase.text(), self.confirmation.text())

    def work(self) -> Callable[[], Any]:
        """Import the file."""
        identities = self._identities
        path = Path(self.file.text().strip())
        password = self.file_password.text() or None
        passphrase = self.passphrase.text()
        name, email = self.name.text().strip() or None, self.email.text().strip() or None
        for edit in (self.file_password, self.passphrase, self.confirmation):
            edit.clear()
        return lambda: identities.import_pkcs12(
            Pkcs12File(path, password, name=name, email=email), passphrase, ""
        )

    def done_work(self, result: Any) -> None:
        """Keep the imported identity."""
        self.created = result

    def _on_browse_clicked(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, "Choose a PKCS#12 file", self.file.text() or str(Path.home()), PKCS12_FILTER
        )
        if name:
            self.file.setText(name)


class ChangePassphraseDialog(IdentityForm):
    """Re-encrypts an identity's key with a new passphrase, after the current one opens it."""

    def __init__(
        self, identities: Identities, identity: IdentityInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            f"Change passphrase: {identity.email}",
            f"The key of {identity.name} <{identity.email}> is opened with the current "
            "passphrase and stored again, encrypted with the new one. Earlier signatures are "
            "not affected.",
            "&Change passphrase",
            identities.keystore,
            parent,
        )
        self._identities = identities
        self._identity = identity
        self.current = passphrase_edit(self, "Current passphrase")
        self.passphrase = passphrase_edit(self, "New passphrase")
        self.passphrase.setPlaceholderText(f"At least {MIN_PASSPHRASE_LENGTH} characters")
        self.confirmation = passphrase_edit(self, "New passphrase again")
        self.form.addRow("C&urrent passphrase:", self.current)
        self.form.addRow("&New passphrase:", self.passphrase)
        self.form.addRow("&Again:", self.confirmation)

    def validate(self) -> str:
        """The current passphrase given, the new one good."""
        if not self.current.text():
            return "Type the current passphrase."
        return passphrase_problem(self.passphrase.text(), self.confirmation.text())

    def work(self) -> Callable[[], Any]:
        """Change the passphrase."""
        identities, email = self._identities, self._identity.email
        old, new = self.current.text(), self.passphrase.text()
        for edit in (self.current, self.passphrase, self.confirmation):
            edit.clear()
        return lambda: identities.change_passphrase(email, old, new)

    def refused(self, error: CountersignError) -> str:
        """A wrong current passphrase said plainly."""
        if isinstance(error, WrongPassphrase):
            return "The current passphrase is wrong; nothing was changed."
        return super().refused(error)


class RetireIdentityDialog(IdentityForm):
    """Retires an identity: it signs no more, and its earlier signatures still verify."""

    def __init__(
        self, identities: Identities, identity: IdentityInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            f"Retire {identity.email}",
            f"Retire the identity of {identity.name} <{identity.email}>? It can no longer sign. "
            "Its earlier signatures still verify against the certificate the registry keeps, "
            "and its private key is removed from this computer's keyring. This cannot be undone; "
            "a new identity can be created for the same address afterwards. The retirement is "
            "signed with the identity's own key, so that its time cannot be moved later (an "
            "officer retires one whose key is elsewhere: countersign identity retire EMAIL "
            "--identity OFFICER_EMAIL).",
            "&Retire identity",
            identities.keystore,
            parent,
        )
        self._identities = identities
        self._identity = identity
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName("Reason for retiring")
        self.reason.setPlaceholderText("Left the team; key possibly exposed; certificate renewed…")
        self.passphrase = passphrase_edit(self, "Passphrase of the identity")
        self.form.addRow("Rea&son:", self.reason)
        self.form.addRow("&Passphrase:", self.passphrase)

    def validate(self) -> str:
        """The passphrase that signs the retirement."""
        if not self.passphrase.text():
            return f"Type the passphrase of {self._identity.email}: it signs the retirement."
        return ""

    def work(self) -> Callable[[], Any]:
        """Sign the retirement with the identity's key, and retire it."""
        identities, email, reason = self._identities, self._identity.email, self.reason.text()
        passphrase = self.passphrase.text()
        self.passphrase.clear()

        def retire() -> Any:
            signer = identities.unlock(email, passphrase)
            return identities.retire(email, reason, signer=signer)

        return retire


class GrantRoleDialog(IdentityForm):
    """Grants an identity a role, signed with an officer's key (its passphrase asked)."""

    def __init__(
        self,
        identities: Identities,
        identity: IdentityInfo,
        officers: list[IdentityInfo],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            f"Grant a role: {identity.email}",
            f"Grant {identity.name} <{identity.email}> a role. Roles are granted by an officer's "
            "signature, recorded in the audit trail: a sign-off counts only if its signer held "
            "the role when signing.",
            "&Grant role",
            identities.keystore,
            parent,
        )
        self._identities = identities
        self._identity = identity
        self.role = QComboBox(self)
        self.role.setAccessibleName("Role to grant")
        for role in (Role.APPROVER, Role.REVIEWER, Role.OFFICER):
            self.role.addItem(f"{role.label}: {role.duties}", role.value)
        self.officer = QComboBox(self)
        self.officer.setAccessibleName("Officer who signs the grant")
        for person in officers:
            self.officer.addItem(f"{person.name} <{person.email}>", person.email)
        self.passphrase = passphrase_edit(self, "Passphrase of the officer")
        self.form.addRow("R&ole:", self.role)
        self.form.addRow("Signed &by:", self.officer)
        self.form.addRow("&Passphrase:", self.passphrase)

    def validate(self) -> str:
        """An officer chosen, and their passphrase."""
        if self.officer.count() == 0:
            return "This registry has no active officer to sign the grant."
        if not self.passphrase.text():
            return "Type the officer's passphrase: it signs the grant."
        return ""

    def work(self) -> Callable[[], Any]:
        """Unlock the officer's key and sign the grant."""
        identities, email = self._identities, self._identity.email
        role, officer = str(self.role.currentData()), str(self.officer.currentData())
        passphrase = self.passphrase.text()
        self.passphrase.clear()

        def grant() -> Any:
            return identities.grant(email, role, identities.unlock(officer, passphrase))

        return grant
