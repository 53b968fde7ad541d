"""The frame of an officer's signed act in the window (Classify…, Revoke approval…).

An introduction, what the act is about, a reason, the officer and their
passphrase, a problem line and Sign/Cancel: the dialogs differ only in what is
chosen and in the act they sign.  The passphrase is cleared after every try; a
refusal shows in the dialog and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.services.identities.identities import Identities
from countersign.views.widgets.fitting import FittingDialog
from countersign.views.widgets.signer_fields import officer_fields, problem_label


class OfficerActDialog(FittingDialog):
    """An officer's act: reason, officer, passphrase, and the rows a subclass adds first."""

    def __init__(self, identities: Identities, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.reason = QPlainTextEdit(self)
        self.reason.setAccessibleName("Reason")
        self.reason.setMaximumHeight(90)
        self.officer, self.passphrase = officer_fields(self, identities)
        self.problem = problem_label(self, "Problem")
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.rejected.connect(self.reject)

    def lay_out(self, sign_text: str, above_form: tuple[QWidget, ...] = ()) -> None:
        """Put the rows the subclass added, then reason, officer and passphrase, in place."""
        self.form.addRow("&Reason:", self.reason)
        self.form.addRow("&Officer:", self.officer)
        self.form.addRow("&Passphrase:", self.passphrase)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(sign_text)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        for widget in above_form:
            layout.addWidget(widget)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def show_problem(self, message: str) -> None:
        """Say in the dialog why the act cannot be signed."""
        self.problem.setText(message)
        self.problem.show()

    def officer_email(self) -> str:
        """The officer chosen, or empty."""
        return str(self.officer.currentData() or "")

    def sign(self, act: Callable[[str], object]) -> None:
        """Sign with ``act(passphrase)``; close on success, show the refusal otherwise."""
        try:
            act(self.passphrase.text())
        except CountersignError as error:
            self.show_problem(str(error))
            return
        finally:
            self.passphrase.clear()
        self.accept()
