"""The signing dialog: choose the identity that signs, type its passphrase, sign the sign-off.

Before any passphrase is asked, the dialog checks the sign-off against every
review rule for the chosen identity (:meth:`Reviews.check`) and says in words
why it would be refused (a reviewer cannot approve, segregation of duties,
already signed this round); the passphrase field stays closed until the
identity may sign.  Signing unlocks the key (a deliberately slow key
derivation) and writes the sign-off on the worker thread; a wrong passphrase
is said plainly and nothing is stored.
"""

from __future__ import annotations

import dataclasses
import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.models.safe_text import display_text
from countersign.models.vocabulary import Decision
from countersign.services.identities.identities import IdentityInfo
from countersign.services.progress import Cancelled, Progress
from countersign.services.reviews.reviews import ReviewDraft, Reviews, SignOffRequest, SignOffResult
from countersign.views.review.signoffs import decision_text
from countersign.views.review.terms_fields import TermsFields
from countersign.views.widgets.keyed_work import KeyedWorkDialog
from countersign.views.widgets.signer_fields import SignerFields, problem_label, sentence


class SigningDialog(KeyedWorkDialog):
    """Signs one sign-off with an identity the officer chooses, after checking every rule."""

    signed = Signal(object)
    """The sign-off was stored: the :class:`SignOffResult`."""

    NOTHING_DONE = "signed or stored"

    def __init__(
        self,
        reviews: Reviews,
        draft: ReviewDraft,
        request: SignOffRequest,
        identities: list[IdentityInfo],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._reviews = reviews
        self._request = request
        self.result_value: SignOffResult | None = None
        self.setWindowTitle(f"Sign: {display_text(draft.model)} {display_text(draft.version)}")
        self.setAccessibleName("Sign the sign-off")
        self.setMinimumWidth(640)

        self.summary = self._summary_label(_summary_html(draft, request), "What will be signed")

        self.signer = SignerFields(identities, request.identity, self)
        self.identity_combo = self.signer.identity_combo
        self.identity_facts = self.signer.identity_facts
        self.passphrase = self.signer.passphrase
        self.problem = problem_label(self, "Why this cannot be signed")
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Signing")
        self.busy.setMaximumHeight(8)
        self.busy.hide()

        self.terms: TermsFields | None = None
        if request.decision == Decision.APPROVE:
            self.terms = TermsFields(draft, request.terms, self)
            self.terms.changed.connect(self._on_terms_changed)

        form = QFormLayout()
        self.signer.add_to(form)
        self.sign_button = self._action_buttons("&Sign", "Sign with this identity")

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addSpacing(6)
        if self.terms is not None:
            layout.addWidget(self.terms)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.busy)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.signer.identity_changed.connect(self._on_signer_identity_changed)
        self._check_identity()

    # -- public ---------------------------------------------------------------------

    @property
    def identity(self) -> str:
        """The e-mail address of the chosen identity."""
        return self.signer.identity

    @property
    def signing(self) -> bool:
        """Whether the key is being unlocked and the sign-off written."""
        return self._task is not None

    def accept(self) -> None:
        """Sign (the dialog closes when the sign-off is stored)."""
        if self.signing or not self.sign_button.isEnabled():
            return
        passphrase = self.passphrase.text()
        if not passphrase:
            self._show_problem(f"Type the passphrase of {self.identity} to sign.")
            self.passphrase.setFocus()
            return
        request = self._with_terms(self.identity)
        self.signer.take_passphrase()
        reviews = self._reviews

        def work(_progress: Progress, _cancelled: Cancelled) -> SignOffResult:
            return reviews.sign(request, passphrase)

        self._start_keyed_work(work)  # the dialog's own busy bar, no progress dialog

    # -- events ---------------------------------------------------------------------

    def _on_signer_identity_changed(self, _email: str) -> None:
        self._check_identity()

    def _on_terms_changed(self) -> None:
        self._check_identity(focus=False)  # the officer is typing the terms: keep the cursor

    def _work_succeeded(self, result: SignOffResult) -> None:
        self.result_value = result
        self.signed.emit(result)
        super().accept()

    # -- internals ------------------------------------------------------------------

    def _check_identity(self, *, focus: bool = True) -> None:
        identity = self.signer.chosen
        if identity is None:
            self._refuse("There is no identity to sign with.")
            return
        request = self._with_terms(identity.email)
        try:
            self._reviews.check(request)
        except CountersignError as refusal:
            self._refuse(sentence(str(refusal)))
            return
        self.problem.hide()
        self.passphrase.setEnabled(True)
        self.sign_button.setEnabled(True)
        if focus:
            self.passphrase.setFocus()

    def _with_terms(self, email: str) -> SignOffRequest:
        """The request signed by ``email``, with the conditions and expiry as typed."""
        terms = self.terms.terms() if self.terms is not None else self._request.terms
        return dataclasses.replace(self._request, identity=email, terms=terms)

    def _refuse(self, message: str) -> None:
        self._show_problem(message)
        self.signer.set_passphrase_open(False)
        self.sign_button.setEnabled(False)

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        super()._set_busy(busy)


def _e(text: str) -> str:
    return html.escape(text)


def _shortened(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _summary_html(draft: ReviewDraft, request: SignOffRequest) -> str:
    """What will be signed, at the top of the dialog (card text escaped)."""
    answered = len(request.answers)
    comment = request.comment.strip()
    quoted = f"“{_e(_shortened(comment))}”" if comment else "none"
    terms = ", with the conditions and expiry below" if request.decision == Decision.APPROVE else ""
    return (
        f"<p style='font-size: large'><b>{_e(decision_text(request.decision).capitalize())}"
        f"</b> {_e(draft.model)} {_e(draft.version)}</p>"
        f"<p>Checklist: {_e(draft.template.template.title)} ({_e(draft.template.reference)}),"
        f" {answered} of {len(draft.items)} items answered.<br>"
        f"Comment: {quoted}<br>"
        f"Card SHA-256: <tt>{draft.card_sha256}</tt></p>"
        f"<p>Your signature binds this decision to this exact card version{terms}. "
        "It cannot be withdrawn afterwards.</p>"
    )
