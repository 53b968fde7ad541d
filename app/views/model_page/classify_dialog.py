"""Classify…: the officer's signed risk classification of the model shown.

The officer chooses the tier, says why, and signs with their key; the
classification applies to the card version shown and every later one until
changed.  The card's own rating is shown beside the choice, so that a
disagreement is made knowingly.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QWidget,
)

from countersign.services.deployment.records import ClassifyRequest
from countersign.services.deployment.service import Deployment
from countersign.services.identities.identities import Identities
from countersign.services.reviews.stages import TIERS, ClassificationInfo
from countersign.views.model_page.officer_act import OfficerActDialog


@dataclass(frozen=True)
class ClassifyTarget:
    """The version to classify from, the card's own rating and the classification in force."""

    model: str
    version: str
    card_rating: str
    current: ClassificationInfo | None


class ClassifyDialog(OfficerActDialog):
    """Ask for the tier, the reason, the officer and the passphrase; sign and store the classification."""

    def __init__(
        self,
        deployment: Deployment,
        identities: Identities,
        target: ClassifyTarget,
        parent: QWidget | None = None,
    ) -> None:
        model, version, current = target.model, target.version, target.current
        super().__init__(
            identities,
            f"Classify the risk of {model} from version {version} on. The classification is "
            "signed with your key, recorded in the audit trail, and applies to later versions "
            "until it is changed. Only an officer may classify.",
            parent,
        )
        self.setWindowTitle(f"Classify {model}")
        self._deployment = deployment
        self._model, self._version = model, version
        self.rating = QLabel(
            f"The card's own rating: {target.card_rating or 'none stated'}. "
            + (
                f"Now: {current.tier}, by {current.officer} ({current.reason})."
                if current
                else "Not classified by an officer yet."
            ),
            self,
        )
        self.rating.setWordWrap(True)
        self.rating.setAccessibleName("Card's own rating and current classification")
        self.tier = QComboBox(self)
        self.tier.setAccessibleName("Risk tier")
        for tier in TIERS:
            self.tier.addItem(tier, tier)
        rated = target.card_rating if target.card_rating in TIERS else "medium"
        self.tier.setCurrentIndex(self.tier.findData(current.tier if current else rated))
        self.reason.setPlaceholderText(
            "Why this tier: what the model decides, for whom, at what cost"
        )
        if not self.officer.count():
            self.show_problem(
                "There is no active officer identity here: only an officer may classify."
            )
        self.form.addRow("&Tier:", self.tier)
        self.lay_out("&Sign classification", (self.rating,))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.resize(520, self.sizeHint().height())

    def _on_buttons_accepted(self) -> None:
        email = self.officer_email()
        if not email:
            self.show_problem("Choose the officer who classifies.")
            return
        request = ClassifyRequest(
            self._model,
            self._version,
            str(self.tier.currentData()),
            self.reason.toPlainText(),
            email,
        )
        self.sign(lambda passphrase: self._deployment.classify(request, passphrase))
