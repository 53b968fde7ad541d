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
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.services.deployment.records import ClassifyRequest
from countersign.services.deployment.service import Deployment
from countersign.services.identities.identities import Identities
from countersign.services.reviews.stages import TIERS, ClassificationInfo
from countersign.views.widgets.fitting import FittingDialog
from countersign.views.widgets.signer_fields import officer_fields, problem_label


@dataclass(frozen=True)
class ClassifyTarget:
    """The version to classify from, the card's own rating and the classification in force."""

    model: str
    version: str
    card_rating: str
    current: ClassificationInfo | None


class ClassifyDialog(FittingDialog):
    """Ask for the tier, the reason, the officer and the passphrase; sign and store the classification."""

    def __init__(
        self,
        deployment: Deployment,
        identities: Identities,
        target: ClassifyTarget,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        model, version = target.model, target.version
        card_rating, current = target.card_rating, target.current
        self.setWindowTitle(f"Classify {model}")
        self._deployment = deployment
        self._model, self._version = model, version
        intro = QLabel(
            f"Classify the risk of {model} from version {version} on. The classification is "
            "signed with your key, recorded in the audit trail, and applies to later versions "
            "until it is changed. Only an officer may classify.",
            self,
        )
        intro.setWordWrap(True)
        self.rating = QLabel(
            f"The card's own rating: {card_rating or 'none stated'}. "
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
        start = current.tier if current else (card_rating if card_rating in TIERS else "medium")
        self.tier.setCurrentIndex(self.tier.findData(start))
        self.reason = QPlainTextEdit(self)
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText(
            "Why this tier: what the model decides, for whom, at what cost"
        )
        self.reason.setMaximumHeight(90)
        self.officer, self.passphrase = officer_fields(self, identities)
        self.problem = problem_label(self, "Problem")
        if not self.officer.count():
            self._show_problem(
                "There is no active officer identity here: only an officer may classify."
            )
        form = QFormLayout()
        form.addRow("&Tier:", self.tier)
        form.addRow("&Reason:", self.reason)
        form.addRow("&Officer:", self.officer)
        form.addRow("&Passphrase:", self.passphrase)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Sign classification")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.rating)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())

    def _show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def _on_buttons_accepted(self) -> None:
        email = str(self.officer.currentData() or "")
        if not email:
            self._show_problem("Choose the officer who classifies.")
            return
        try:
            self._deployment.classify(
                ClassifyRequest(
                    self._model,
                    self._version,
                    str(self.tier.currentData()),
                    self.reason.toPlainText(),
                    email,
                ),
                self.passphrase.text(),
            )
        except CountersignError as error:
            self._show_problem(str(error))
            return
        finally:
            self.passphrase.clear()
        self.accept()
