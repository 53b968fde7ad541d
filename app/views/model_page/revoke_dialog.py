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
    QWidget,
)

from countersign.services.deployment.records import RevokeRequest
from countersign.services.deployment.service import Deployment
from countersign.services.identities.identities import Identities
from countersign.views.model_page.officer_act import OfficerActDialog


@dataclass(frozen=True)
class RevokeTarget:
    """The version whose approval may be withdrawn, and the stages it is approved for."""

    model: str
    version: str
    approved_stages: list[str]


class RevokeDialog(OfficerActDialog):
    """Ask for the stage, the reason, the officer and the passphrase; sign and store the revocation."""

    def __init__(
        self,
        deployment: Deployment,
        identities: Identities,
        target: RevokeTarget,
        parent: QWidget | None = None,
    ) -> None:
        model, version, approved_stages = target.model, target.version, target.approved_stages
        super().__init__(
            identities,
            f"Withdraw the approval of {model} {version} for a stage. The gate then refuses it "
            "for that stage and every later one, and it is no longer published. Evidence "
            "published before cannot know: export the revocations for the pipelines "
            "(countersign revocations export).",
            parent,
        )
        self.setWindowTitle(f"Revoke an approval of {model} {version}")
        self._deployment = deployment
        self._model, self._version = model, version
        self.stage = QComboBox(self)
        self.stage.setAccessibleName("Stage")
        for name in approved_stages:
            self.stage.addItem(name, name)
        if not approved_stages:
            self.show_problem(f"{model} {version} is approved for no stage: nothing to revoke.")
        self.form.addRow("&Stage:", self.stage)
        self.lay_out("&Sign revocation")
        self.buttons.accepted.connect(self._on_buttons_accepted)

    def _on_buttons_accepted(self) -> None:
        stage, email = str(self.stage.currentData() or ""), self.officer_email()
        if not stage or not email:
            self.show_problem("Choose the stage and the officer who revokes.")
            return
        request = RevokeRequest(self._model, self._version, stage, self.reason.toPlainText(), email)
        self.sign(lambda passphrase: self._deployment.revoke(request, passphrase))
