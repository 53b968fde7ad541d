"""What the home screen and ``countersign queue`` list, as plain frozen records.

Each list is a :class:`DeskPage`: how many rows it has in all (one indexed
count) and the rows of one page.  Every row names the model and the card
version it is about, so that the window opens it and the command line prints
it; ``as_json`` is the documented ``queue --json`` form of each row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from countersign.models.vocabulary import DeskList
from countersign.services.counting import counted

FIRST_PAGE = 50
"""Rows of each list read with the desk (the rest page in as they are shown)."""

RECENT_IMPORTS = 1000
"""How many of the newest card versions "recent imports with warnings" looks at."""


@dataclass(frozen=True)
class ToReview:
    """A card version imported and not yet in any review round."""

    model: str
    version: str
    team: str
    risk_tier: str
    imported_at: str
    warnings: int

    def as_json(self) -> dict[str, Any]:
        """The row as ``queue --json`` prints it."""
        return {
            "model": self.model,
            "version": self.version,
            "team": self.team,
            "risk_tier": self.risk_tier,
            "imported_at": self.imported_at,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class AwaitingSignature:
    """An open review round that none of the officer's identities on this workstation has signed."""

    model: str
    version: str
    stage: str
    template: str
    approvals: int
    quorum: int
    opened_at: str
    signed_by: tuple[str, ...]
    """Who has signed the round so far (names), in signing order."""

    def as_json(self) -> dict[str, Any]:
        """The row as ``queue --json`` prints it."""
        return {
            "model": self.model,
            "version": self.version,
            "stage": self.stage,
            "template": self.template,
            "approvals": self.approvals,
            "quorum": self.quorum,
            "opened_at": self.opened_at,
            "signed_by": list(self.signed_by),
        }


@dataclass(frozen=True)
class ChangesRequested:
    """A model's newest card version sent back with changes requested: the team has not answered."""

    model: str
    version: str
    team: str
    stage: str
    requested_by: str
    requested_at: str
    comment: str

    def as_json(self) -> dict[str, Any]:
        """The row as ``queue --json`` prints it."""
        return {
            "model": self.model,
            "version": self.version,
            "team": self.team,
            "stage": self.stage,
            "requested_by": self.requested_by,
            "requested_at": self.requested_at,
            "comment": self.comment,
        }


@dataclass(frozen=True)
class ApprovedWhere:
    """One model's approved card version for each stage (revoked approvals left out)."""

    model: str
    team: str
    stages: tuple[tuple[str, str], ...]
    """``(stage, version)`` for every stage of the registry, in order; version empty: none."""

    @property
    def version(self) -> str:
        """The version approved for the furthest stage (what opening the row shows)."""
        return next((version for _stage, version in reversed(self.stages) if version), "")

    def approved_for(self, stage: str) -> str:
        """The version approved for ``stage``, or empty."""
        return next((version for name, version in self.stages if name == stage), "")

    def as_json(self) -> dict[str, Any]:
        """The row as ``queue --json`` prints it."""
        return {
            "model": self.model,
            "team": self.team,
            "stages": {stage: version or None for stage, version in self.stages},
        }


def expiry_words(days_left: int) -> str:
    """When an approval ends, from today: ``last day today``, ``in 3 days``, ``expired 2 days ago``."""
    if days_left == 0:
        return "last day today"
    if days_left > 0:
        return f"in {counted(days_left, 'day')}"
    return f"expired {counted(-days_left, 'day')} ago"


@dataclass(frozen=True)
class Expiring:
    """One stage's approval of a card version that ends soon (or has ended)."""

    model: str
    version: str
    stage: str
    expires_on: str
    """The last day (``YYYY-MM-DD``, UTC) the approval holds."""
    days_left: int
    """Days from today to :attr:`expires_on`; negative once it has expired."""
    conditions: tuple[str, ...]

    @property
    def expired(self) -> bool:
        """Whether the approval no longer holds today."""
        return self.days_left < 0

    @property
    def when(self) -> str:
        """When it ends, from today, in words (see :func:`expiry_words`)."""
        return expiry_words(self.days_left)

    def as_json(self) -> dict[str, Any]:
        """The row as ``queue --json`` prints it."""
        return {
            "model": self.model,
            "version": self.version,
            "stage": self.stage,
            "expires_on": self.expires_on,
            "days_left": self.days_left,
            "expired": self.expired,
            "conditions": list(self.conditions),
        }


@dataclass(frozen=True)
class ImportWarnings:
    """A recently imported card version whose reader noted problems inside it."""

    model: str
    version: str
    team: str
    imported_at: str
    warnings: int
    first: str
    """The first warning in words: where it is, then what."""

    def as_json(self) -> dict[str, Any]:
        """The row as ``queue --json`` prints it."""
        return {
            "model": self.model,
            "version": self.version,
            "team": self.team,
            "imported_at": self.imported_at,
            "warnings": self.warnings,
            "first_warning": self.first,
        }


def first_warning(warnings: list[dict[str, str]]) -> str:
    """The first of a card version's warnings in words: where (in words when the reader
    named it), then what; empty when there are none."""
    if not warnings:
        return ""
    first = warnings[0]
    where = first.get("where") or first.get("field", "")
    message = first.get("message", "")
    return f"{where}: {message}" if where else message


Row = TypeVar(
    "Row", ToReview, AwaitingSignature, ChangesRequested, ApprovedWhere, Expiring, ImportWarnings
)


@dataclass(frozen=True)
class DeskPage(Generic[Row]):
    """One list of the home screen: how many rows in all, and the rows from ``offset``."""

    kind: DeskList
    total: int
    rows: tuple[Row, ...]
    offset: int = 0

    def as_json(self) -> dict[str, Any]:
        """The list as ``queue --json`` prints it."""
        return {
            "total": self.total,
            "shown": len(self.rows),
            "rows": [row.as_json() for row in self.rows],
        }


@dataclass(frozen=True)
class Officer:
    """Who "my" means on this workstation: the identities whose keys this keyring holds."""

    emails: tuple[str, ...]
    names: tuple[str, ...]
    keyring_problem: str = ""
    """Why the keyring could not be read (then no identity counts as mine)."""

    @property
    def known(self) -> bool:
        """Whether any identity of the registry has its key here."""
        return bool(self.emails)


@dataclass(frozen=True)
class Desk:
    """Every list of the home screen, each with its first page of rows."""

    officer: Officer
    stages: tuple[str, ...]
    to_review: DeskPage[ToReview]
    awaiting_signature: DeskPage[AwaitingSignature]
    changes_requested: DeskPage[ChangesRequested]
    approved: DeskPage[ApprovedWhere]
    expiring: DeskPage[Expiring]
    import_warnings: DeskPage[ImportWarnings]
    recent_window: int = field(default=0)
    """How many of the newest card versions "recent imports" looks at."""
    expiring_within: int = field(default=0)
    """How many days ahead "approvals expiring soon" looks."""

    def as_json(self) -> dict[str, Any]:
        """The whole desk as ``queue --json`` prints it."""
        return {
            "officer": {
                "identities": list(self.officer.emails),
                "keyring_problem": self.officer.keyring_problem or None,
            },
            "stages": list(self.stages),
            "to_review": self.to_review.as_json(),
            "awaiting_signature": self.awaiting_signature.as_json(),
            "changes_requested": self.changes_requested.as_json(),
            "approved": self.approved.as_json(),
            "expiring": {**self.expiring.as_json(), "within_days": self.expiring_within},
            "import_warnings": {
                **self.import_warnings.as_json(),
                "recent_card_versions": self.recent_window,
            },
        }
