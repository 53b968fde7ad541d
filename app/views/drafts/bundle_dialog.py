"""Export bundle…: one or several drafts, with their attachments, into a bundle for the officer.

The bundle is written by :func:`countersign.services.drafts.bundle_drafts`,
signed with the team's key when a key and certificate are given, and checked
as an import would check it before anything is written.  A refusal is shown
in the dialog, naming the draft or file at fault; nothing is written then.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError, InputRefused
from countersign.services.drafts import CardDraft, bundle_drafts, open_draft
from countersign.views.widgets.signer_fields import passphrase_edit, problem_label

BUNDLE_FILTER = "Card bundles (*.cardbundle);;All files (*)"
DRAFT_FILTER = "Card files (*.md *.json *.yaml *.yml);;All files (*)"


def _buddy(text: str, field: QWidget) -> QLabel:
    """A form label whose mnemonic moves to ``field`` (a row holding a layout has no buddy)."""
    label = QLabel(text)
    label.setBuddy(field)
    return label


def draft_label(draft: CardDraft) -> str:
    """A draft as the list shows it: model, version, and its file."""
    where = draft.path.name if draft.path else "not saved"
    return f"{draft.name or '(no name)'} {draft.version or '(no version)'} · {where}"


class BundleDialog(QDialog):
    """Choose drafts, the team and (optionally) the team's key; write the bundle."""

    exported = Signal(Path)
    """The bundle was written to this file."""

    def __init__(
        self, drafts: list[CardDraft], folder: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export bundle")
        self.resize(640, 460)
        self.drafts = list(drafts)
        self._folder = folder
        intro = QLabel(
            "The drafts go into one bundle with their attachments, for the governance office "
            "to import. Signed with the team's key when one is given.",
            self,
        )
        intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Drafts in the bundle")
        add = QPushButton("&Add draft files…", self)
        add.clicked.connect(self._on_add_button_clicked)
        remove = QPushButton("&Remove", self)
        remove.clicked.connect(self._on_remove_button_clicked)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        self.team = QLineEdit(self)
        self.team.setAccessibleName("Team")
        self.team.setPlaceholderText("The team that sends the cards")
        self.key = QLineEdit(self)
        self.key.setAccessibleName("Team signing key")
        self.key.setPlaceholderText("Optional: the team's private key (PEM)")
        self.cert = QLineEdit(self)
        self.cert.setAccessibleName("Team certificate")
        self.cert.setPlaceholderText("Its certificate (PEM)")
        self.passphrase = passphrase_edit(self, "Passphrase of the team key")
        self.passphrase.setPlaceholderText("If the key has one")
        self.output = QLineEdit(self)
        self.output.setAccessibleName("Bundle file")
        browse = QPushButton("&Browse…", self)
        browse.clicked.connect(self._on_browse_button_clicked)
        output_row = QHBoxLayout()
        output_row.addWidget(self.output, 1)
        output_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("&Team", self.team)
        form.addRow(
            _buddy("Signing &key", self.key),
            self._with_browse(self.key, "Team signing key (PEM)"),
        )
        form.addRow(
            _buddy("&Certificate", self.cert),
            self._with_browse(self.cert, "Team certificate (PEM)"),
        )
        form.addRow("&Passphrase", self.passphrase)
        form.addRow(_buddy("Bundle &file", self.output), output_row)
        self.problem = problem_label(self, "Why the bundle was not written")
        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton(
            "&Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        first = self.drafts[0] if self.drafts else None
        stem = first.file_name().rsplit(".", 1)[0] if first else "cards"
        self.output.setText(str(folder / f"{stem}.cardbundle"))
        self._fill()

    def add_drafts(self, paths: list[Path]) -> None:
        """Open each file as a draft and add it; a file that is no card is named in the dialog."""
        for path in paths:
            try:
                self.drafts.append(open_draft(path))
            except CountersignError as error:
                self._show_problem(str(error))
                return
        self._fill()

    def export(self) -> bool:
        """Write the bundle; on a refusal, say why in the dialog and write nothing."""
        team = self.team.text().strip()
        if not team:
            self._show_problem("Say which team sends the bundle.")
            return False
        key = self.key.text().strip()
        cert = self.cert.text().strip()
        passphrase = self.passphrase.text()
        output = Path(self.output.text().strip())
        try:
            bundle_drafts(
                self.drafts,
                output,
                team,
                sign_key=Path(key) if key else None,
                sign_cert=Path(cert) if cert else None,
                key_passphrase=passphrase.encode("utf-8") if passphrase else None,
            )
        except (CountersignError, InputRefused) as error:
            self._show_problem(str(error))
            return False
        except OSError as error:
            self._show_problem(f"{error.filename or output}: {error.strerror or error}")
            return False
        self.problem.hide()
        self.exported.emit(output)
        self.accept()
        return True

    def _with_browse(self, edit: QLineEdit, title: str) -> QHBoxLayout:
        button = QPushButton("…", self)
        button.setAccessibleName(f"Choose the {title}")
        button.setFixedWidth(32)
        button.clicked.connect(lambda: self._on_pem_browse_clicked(edit, title))
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        row.addWidget(button)
        return row

    def _on_pem_browse_clicked(self, edit: QLineEdit, title: str) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, title, str(self._folder), "PEM files (*.pem *.crt *.key);;All files (*)"
        )
        if name:
            edit.setText(name)

    def _fill(self) -> None:
        self.list.clear()
        for draft in self.drafts:
            self.list.addItem(draft_label(draft))
        self.export_button.setEnabled(bool(self.drafts))

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def _on_add_button_clicked(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(
            self, "Add card drafts", str(self._folder), DRAFT_FILTER
        )
        self.add_drafts([Path(name) for name in names])

    def _on_remove_button_clicked(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.drafts):
            del self.drafts[row]
            self._fill()

    def _on_browse_button_clicked(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self, "Export bundle", self.output.text(), BUNDLE_FILTER
        )
        if name:
            self.output.setText(name if name.endswith(".cardbundle") else f"{name}.cardbundle")
