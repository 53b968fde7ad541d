"""Sign… from the Review tab: the rule check before any passphrase, identity setup, the dialog.

The flow picks the identity a sign-off starts with (the one that signed last,
else one allowed to approve an approval), checks the sign-off against every
review rule with it, and only then opens the signing dialog.  A refusal that
depends on who signs (a reviewer approving, segregation of duties, a second
signature) goes to the dialog, where another identity can be chosen; with only
one identity, or a refusal about the answers themselves, it comes back to the
tab in words.  With no identity at all, the first-run setup is offered and the
sign-off resumes once one exists.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from countersign.errors import CountersignError
from countersign.models.vocabulary import APPROVING_ROLES, Decision
from countersign.services.identities.errors import IdentityError
from countersign.services.identities.identities import IdentityInfo
from countersign.services.reviews.errors import (
    AlreadySigned,
    EscalationNeeded,
    ResponsesInvalid,
    RoleNotPermitted,
    SegregationOfDuties,
)
from countersign.services.reviews.reviews import ReviewDraft, SignOffRequest, SignOffResult
from countersign.services.workstation import Services
from countersign.views.identities.forms import (
    CreateIdentityDialog,
    IdentityForm,
    ImportPkcs12Dialog,
)
from countersign.views.review.signing_dialog import SigningDialog
from countersign.views.widgets.signer_fields import sentence

_IDENTITY_SPECIFIC = (
    RoleNotPermitted,
    SegregationOfDuties,
    AlreadySigned,
    EscalationNeeded,
    IdentityError,
)
"""Refusals that depend on who signs: the signing dialog offers another identity."""


@dataclass(frozen=True)
class Refusal:
    """Why Sign… stopped, in words, and the checklist item it is about (if any)."""

    message: str
    item_id: str = ""


class SignOffFlow(QObject):
    """Takes a sign-off from Sign… to a stored signature, or to a refusal in words."""

    signed = Signal(object)
    """A sign-off was stored: the :class:`SignOffResult`."""
    identity_made = Signal(bool)
    """An identity was set up; True when the sign-off that needed it should resume."""

    def __init__(self, services: Services, owner: QWidget) -> None:
        super().__init__(owner)
        self._services = services
        self._owner = owner
        self._last_identity = ""
        self.signing_dialog: SigningDialog | None = None
        self.identity_form: IdentityForm | None = None

    def usable_identities(self) -> list[IdentityInfo]:
        """The identities that may sign: not retired."""
        return self._services.identities.list_all(include_retired=False)

    def sign(self, draft: ReviewDraft, request: SignOffRequest) -> Refusal | None:
        """Check ``request`` and open the signing dialog, or say why not (None: under way)."""
        usable = self.usable_identities()
        if not usable:
            self.set_up_identity(then_sign=True)
            return None
        request = dataclasses.replace(request, identity=self._preferred(usable, request.decision))
        try:
            self._services.reviews.check(request)
        except _IDENTITY_SPECIFIC as refusal:
            if len(usable) == 1:
                return Refusal(sentence(str(refusal)))
        except ResponsesInvalid as refusal:
            item_id = refusal.field.split(".")[0]
            row = next((n for n, v in enumerate(draft.items) if v.item.id == item_id), None)
            where = f"Item {row + 1} ({item_id}): " if row is not None else ""
            return Refusal(where + sentence(refusal.reason), item_id)
        except CountersignError as refusal:
            return Refusal(sentence(str(refusal)))
        dialog = SigningDialog(self._services.reviews, draft, request, usable, self._owner)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.signed.connect(self._on_signing_dialog_signed)
        dialog.finished.connect(self._on_signing_dialog_finished)
        self.signing_dialog = dialog
        dialog.open()
        return None

    def set_up_identity(self, *, then_sign: bool = False) -> None:
        """Offer the first-run identity setup (create, or import instead)."""
        form = CreateIdentityDialog(self._services.identities, self._owner, first_run=True)
        form.import_instead.connect(lambda: self._open_import(then_sign))
        form.accepted.connect(lambda: self.identity_made.emit(then_sign))
        self._open_form(form)

    def _on_signing_dialog_signed(self, result: SignOffResult) -> None:
        if self.signing_dialog is not None:
            self._last_identity = self.signing_dialog.identity
        self.signed.emit(result)

    def _on_signing_dialog_finished(self, _result: int) -> None:
        self.signing_dialog = None

    def _preferred(self, usable: list[IdentityInfo], decision: str) -> str:
        emails = [identity.email for identity in usable]
        if self._last_identity in emails:
            return self._last_identity
        if decision == Decision.APPROVE:
            approvers = [i.email for i in usable if i.role in APPROVING_ROLES]
            if approvers:
                return approvers[0]
        return emails[0]

    def _open_import(self, then_sign: bool) -> None:
        form = ImportPkcs12Dialog(self._services.identities, self._owner)
        form.accepted.connect(lambda: self.identity_made.emit(then_sign))
        self._open_form(form)

    def _open_form(self, form: IdentityForm) -> None:
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.finished.connect(lambda _result: self._forget_form(form))
        self.identity_form = form
        form.open()

    def _forget_form(self, form: IdentityForm) -> None:
        if self.identity_form is form:
            self.identity_form = None
