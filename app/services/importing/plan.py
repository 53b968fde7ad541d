"""What an import would do, and what it did: plain data shared by planning and landing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from countersign.formats.base import FormatWarning, ReadCard
from countersign.models.vocabulary import CardOutcome

if TYPE_CHECKING:
    from countersign.formats.bundle import OpenedBundle

Outcome = CardOutcome
"""What an import does with one card (the vocabulary's :class:`CardOutcome`)."""


@dataclass
class PlannedAttachment:
    """A file that will be stored with a card version."""

    path: str
    media_type: str
    content: bytes


@dataclass
class PlannedCard:
    """One card of an import and what will happen to it."""

    file: str
    model: str
    version: str
    outcome: Outcome
    reason: str = ""
    read: ReadCard | None = None
    original: bytes = b""
    original_sha256: str = ""
    """The SHA-256 of :attr:`original` (a bundle's manifest says it, checked when opened)."""
    sha256: str = ""
    canonical_json: str = ""
    search_text: str = ""
    warnings: list[FormatWarning] = field(default_factory=list)
    attachments: list[PlannedAttachment] = field(default_factory=list)
    artifacts: list[dict[str, object]] = field(default_factory=list)
    """The model files the bundle's manifest names for this card: name, sha256, size."""


@dataclass
class ImportPlan:
    """What importing one file would do, computed without writing anything."""

    source: Path
    kind: Literal["bundle", "card"]
    team: str
    cards: list[PlannedCard] = field(default_factory=list)
    refusal: str = ""
    bundle: OpenedBundle | None = None
    file_sha256: str = ""
    signed_model_files: list[dict[str, object]] = field(default_factory=list)
    """What each verified model signature vouches for: card, signature, files, certificate."""

    @property
    def refused(self) -> bool:
        """Whether nothing of this file may land."""
        return bool(self.refusal) or any(card.outcome == CardOutcome.REFUSED for card in self.cards)

    @property
    def changes_anything(self) -> bool:
        """Whether landing the plan would add anything to the registry."""
        return not self.refused and any(
            card.outcome != CardOutcome.UNCHANGED for card in self.cards
        )

    @property
    def signature_status(self) -> str:
        """The bundle's team signature: valid, absent, or n/a for a loose card."""
        return self.bundle.signature_status if self.bundle else "n/a"

    def reason(self) -> str:
        """Why the file is refused, in one line (empty when it is not)."""
        if self.refusal:
            return self.refusal
        refused = [card for card in self.cards if card.outcome == CardOutcome.REFUSED]
        if refused:
            first = refused[0]
            more = f" (and {len(refused) - 1} more cards)" if len(refused) > 1 else ""
            return (
                f"{first.file}: {first.reason}{more}; nothing from {self.source.name} was imported"
            )
        return ""


@dataclass
class ImportReport:
    """The outcome of :meth:`Importer.apply`."""

    plan: ImportPlan
    landed: bool

    @property
    def ok(self) -> bool:
        """True when nothing was refused (an import that changed nothing is fine)."""
        return not self.plan.refused
