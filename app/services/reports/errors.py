"""Refusals of report export, verification and publishing, each with a message for the officer.

Every class here is a :class:`~countersign.errors.CountersignError`: the
command line prints the message and exits 1, a view shows it as it stands.
Whenever one is raised, nothing was written.
"""

from __future__ import annotations

from countersign.errors import CountersignError


class ReportError(CountersignError):
    """A review report cannot be made, checked or published as asked."""


class ReportRefused(ReportError):
    """An export that cannot go ahead (no such card version, an output that cannot be written)."""


class ReportUnreadable(ReportError):
    """A PDF given to verify that is no readable Countersign report, naming the file."""

    def __init__(self, file: str, reason: str) -> None:
        self.file = file
        self.reason = reason
        super().__init__(f"{file}: {reason}")


class PublishRefused(ReportError):
    """A card version that may not be published, or a folder that may not be written."""
