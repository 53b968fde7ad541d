"""Revoke approval…: an officer withdraws the approval of the card version shown for one stage.

The revocation is signed with the officer's key and audited; the gate then
fails for that stage (and every later one), publishing refuses the version, and
a new report says REVOKED.  Evidence published before cannot know of it: the
officer exports the revocations (``countersign revocations export``) for the pipelines.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.services.deployment.records import RevokeRequest
from countersign.services.deployment.service import Deployment
from countersign.services.identities.identities import Identities
from countersign.views.widgets.fitting import FittingDialog
from countersign.views.widgets.signer_fields import officer_fields, problem_label


@dataclass(frozen=True)
class RevokeTarget:
    """The version whose approval may be withdrawn, and the stages it is approved for."""

    model: str
    version: str
    approved_stages: list[str]


class RevokeDialog(FittingDialog):
    """Ask for the stage, the reason, the officer and the passphrase; sign and store the revocation."""

    def __init__(
        self,
        deployment: Deployment,
        identities: Identities,
        target: RevokeTarget,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        model, version, approved_stages = target.model, target.version, target.approved_stages
        self.setWindowTitle(f"Revoke an approval of {model} {version}")
        self._deployment = deployment
        self._model, self._version = model, version
        intro = QLabel(
            f"Withdraw the approval of {model} {version} for a stage. The gate then refuses it "
            "for that stage and every later one, and it is no longer published. Evidence "
            "published before cannot know: export the revocations for the pipelines "
            "(countersign revocations export).",
            self,
        )
        intro.setWordWrap(True)
        self.stage = QComboBox(self)
        self.stage.setAccessibleName("Stage")
        for name in approved_stages:
            self.stage.addItem(name, name)
        self.reason = QPlainTextEdit(self)
        self.reason.setAccessibleName("Reason")
        self.reason.setMaximumHeight(90)
        self.officer, self.passphrase = officer_fields(self, identities)
        self.problem = problem_label(self, "Problem")
        if not approved_stages:
            self._show_problem(f"{model} {version} is approved for no stage: nothing to revoke.")
        form = QFormLayout()
        form.addRow("&Stage:", self.stage)
        form.addRow("&Reason:", self.reason)
        form.addRow("&Officer:", self.officer)
        form.addRow("&Passphrase:", self.passphrase)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Sign revocation")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def _show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def _on_buttons_accepted(self) -> None:
        stage, email = str(self.stage.currentData() or ""), str(self.officer.currentData() or "")
        if not stage or not email:
            self._show_problem("Choose the stage and the officer who revokes.")
            return
        try:
            self._deployment.revoke(
                RevokeRequest(self._model, self._version, stage, self.reason.toPlainText(), email),
                self.passphrase.text(),
            )
        except CountersignError as error:
            self._show_problem(str(error))
            return
        finally:
            self.passphrase.clear()
        self.accept()
