"""Refusals of checklists and sign-offs, each with a message for the officer.

Every class here is a :class:`~countersign.errors.CountersignError`, so the
command line prints the message and exits 1, and a view shows it in a dialog
as it stands.  Whenever one is raised, nothing was stored.  The refusals of
reviewer identities and their keys are in
:mod:`countersign.services.identities.errors`.
"""

from __future__ import annotations

from countersign.errors import CountersignError, InputRefused


class ChecklistError(CountersignError):
    """A checklist template cannot be found, imported or used as asked."""


class TemplateNotFound(ChecklistError):
    """No template with that id (and version) is shipped or in the registry."""


class TemplateRefused(InputRefused, ChecklistError):
    """A template file that is not a valid checklist, naming the file and the field."""


class TemplateFrozen(ChecklistError):
    """A template version already used by a review cannot change; it needs a new version."""


class SignOffRefused(CountersignError):
    """A sign-off that breaks a review rule; nothing was stored."""


class ResponsesInvalid(SignOffRefused):
    """The checklist answers are incomplete or wrong (missing required answer, unknown item...)."""

    def __init__(self, message: str, file: str = "", field: str = "") -> None:
        self.file = file
        self.field = field
        self.reason = message
        where = ": ".join(part for part in (file, field) if part)
        super().__init__(f"{where}: {message}" if where else message)


class TemplateNotApplicable(SignOffRefused):
    """The template is not for the card's risk tier, or differs from the open review's."""


class RoleNotPermitted(SignOffRefused):
    """The signer's role does not allow the decision (a reviewer cannot approve)."""


class ReviewClosed(SignOffRefused):
    """The card version takes no more sign-offs (decided, or superseded by a newer version)."""


class SegregationOfDuties(SignOffRefused):
    """The signer may not approve this card: they own it, or they signed its bundle."""


class AlreadySigned(SignOffRefused):
    """The signer has already signed this review round."""


class StageRefused(SignOffRefused):
    """A stage that is unknown, not yet reachable (an earlier stage is not approved), or closed."""


class TermsRefused(SignOffRefused):
    """An approval's conditions or expiry date are not acceptable (too long, a bad date...)."""


class EscalationNeeded(SignOffRefused):
    """Approving needs the escalation a failed threshold item names, and it has not signed."""
