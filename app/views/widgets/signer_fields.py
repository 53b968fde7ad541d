"""What every form that signs shares: the identity chooser, its certificate, the passphrase field,
and the way a refusal is shown.

The signing dialog (a sign-off), the export dialog (a signed report) and the
publish dialog (an approved card version with its report) all ask the same
two things, and ask them the same way: which identity signs, and the
passphrase that unlocks its key.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from countersign.models.vocabulary import IdentitySource, Role
from countersign.services.identities.identities import Identities, IdentityInfo

PROBLEM_STYLE = (
    "QLabel { background: rgba(200, 67, 58, 0.12); border: 1px solid rgba(200, 67, 58, 0.6);"
    " border-radius: 4px; padding: 6px; }"
)
"""How a refusal or a wrong passphrase is shown: hard to miss on light and dark palettes."""


def identity_label(identity: IdentityInfo) -> str:
    """An identity as the chooser lists it: name, address and role."""
    return f"{identity.name} <{identity.email}> · {identity.role}"


def identity_facts(identity: IdentityInfo) -> str:
    """The certificate of an identity in two lines: fingerprint, validity and issuer."""
    issuer = (
        IdentitySource.SELF_SIGNED.label if identity.self_signed else "issued by " + identity.issuer
    )
    return (
        f"Certificate SHA-256 {identity.fingerprint[:32]}…\n"
        f"Valid until {identity.not_after[:10]} · {issuer}"
    )


def passphrase_edit(parent: QWidget, accessible_name: str) -> QLineEdit:
    """A passphrase field: never echoed, never offered to input-method prediction."""
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(accessible_name)
    edit.setInputMethodHints(
        Qt.InputMethodHint.ImhHiddenText
        | Qt.InputMethodHint.ImhSensitiveData
        | Qt.InputMethodHint.ImhNoPredictiveText
        | Qt.InputMethodHint.ImhNoAutoUppercase
    )
    return edit


def officer_fields(parent: QWidget, identities: Identities) -> tuple[QComboBox, QLineEdit]:
    """The active officers to choose from, and the chosen one's passphrase field.

    For an officer's signed acts (classification, revocation): only an officer signs them.
    """
    officer = QComboBox(parent)
    officer.setAccessibleName("Officer")
    for person in identities.list_all(include_retired=False):
        if person.role == Role.OFFICER:
            officer.addItem(f"{person.name} <{person.email}>", person.email)
    passphrase = QLineEdit(parent)
    passphrase.setEchoMode(QLineEdit.EchoMode.Password)
    passphrase.setAccessibleName("Passphrase")
    return officer, passphrase


def problem_label(parent: QWidget, accessible_name: str) -> QLabel:
    """A hidden label for a refusal in words: plain text, selectable, hard to miss."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName(accessible_name)
    label.setStyleSheet(PROBLEM_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def sentence(message: str) -> str:
    """A service message (lower case, no full stop) as a sentence to show on its own."""
    text = message.strip()
    if not text:
        return text
    first = text.split(maxsplit=1)[0]
    if first.isalpha() and first.islower():  # not an address, a file or an item id
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


class SignerFields(QObject):
    """The identity chooser, the chosen identity's certificate and the passphrase field.

    The widgets belong to the form that shows them; :meth:`add_to` puts them as
    rows of its form layout, so their labels line up with the form's own rows.
    """

    identity_changed = Signal(str)
    """Another identity was chosen: its e-mail address."""

    def __init__(
        self, identities: list[IdentityInfo], preferred: str, form_widget: QWidget
    ) -> None:
        super().__init__(form_widget)
        self._identities = {identity.email: identity for identity in identities}
        self.identity_combo = QComboBox(form_widget)
        self.identity_combo.setAccessibleName("Signing identity")
        for identity in identities:
            self.identity_combo.addItem(identity_label(identity), identity.email)
        self.identity_facts = QLabel(form_widget)
        self.identity_facts.setTextFormat(Qt.TextFormat.PlainText)
        self.identity_facts.setAccessibleName("Certificate of the signing identity")
        self.identity_facts.setWordWrap(True)
        self.identity_facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.passphrase = passphrase_edit(form_widget, "Passphrase")
        self.passphrase.setPlaceholderText("The passphrase that protects this identity's key")
        self.identity_combo.setCurrentIndex(max(self.identity_combo.findData(preferred), 0))
        self._show_facts()
        self.identity_combo.currentIndexChanged.connect(self._on_identity_combo_current_changed)

    @property
    def identity(self) -> str:
        """The e-mail address of the chosen identity (empty when there is none)."""
        return str(self.identity_combo.currentData() or "")

    @property
    def chosen(self) -> IdentityInfo | None:
        """The chosen identity, if there is one."""
        return self._identities.get(self.identity)

    def add_to(self, form: QFormLayout) -> None:
        """Add the identity, certificate and passphrase rows to ``form``."""
        form.addRow("&Identity:", self.identity_combo)
        form.addRow("", self.identity_facts)
        form.addRow("&Passphrase:", self.passphrase)

    def take_passphrase(self) -> str:
        """The passphrase typed, cleared from the field (it is not kept on screen)."""
        passphrase = self.passphrase.text()
        self.passphrase.clear()
        return passphrase

    def set_passphrase_open(self, open_: bool) -> None:
        """Open the passphrase field for typing, or close (and clear) it after a refusal."""
        if not open_:
            self.passphrase.clear()
        self.passphrase.setEnabled(open_)

    def set_busy(self, busy: bool) -> None:
        """Lock the chooser and the passphrase while the key is used."""
        self.identity_combo.setEnabled(not busy)
        self.passphrase.setEnabled(not busy)

    def _on_identity_combo_current_changed(self, _index: int) -> None:
        self._show_facts()
        self.identity_changed.emit(self.identity)

    def _show_facts(self) -> None:
        chosen = self.chosen
        self.identity_facts.setText(identity_facts(chosen) if chosen is not None else "")
