"""What every card reader returns, and how a reader says no.

Readers are lenient on content and strict on structure: a problem inside a
card that is still readable becomes a :class:`FormatWarning` naming the field;
a file that is no card at all raises :class:`CardRefused`, an
:class:`~countersign.errors.InputRefused`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from countersign.errors import InputRefused
from countersign.models.card import ModelCard
from countersign.models.vocabulary import CardFormat

SourceFormat = CardFormat
"""The format a card was read from (the vocabulary's :class:`CardFormat`)."""


class CardRefused(InputRefused):
    """A file that is not a model card in any supported format."""


@dataclass(frozen=True)
class FormatWarning:
    """A problem inside a card that was imported anyway, and where it is."""

    field: str
    message: str
    where: str = ""
    """The field in words (see :mod:`countersign.formats.warning_place`); empty: not worded."""

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    @property
    def place(self) -> str:
        """Where the problem is, in words when they are known, else the field's path."""
        return self.where or self.field


@dataclass(frozen=True)
class CardAttachment:
    """A file carried inside a card (an embedded graphic), kept beside it."""

    name: str
    media_type: str
    content: bytes
    source: str = ""


@dataclass
class ReadCard:
    """A card read from a file: the canonical form and what the reader noticed."""

    card: ModelCard
    source_format: SourceFormat
    warnings: list[FormatWarning] = field(default_factory=list)
    attachments: list[CardAttachment] = field(default_factory=list)
    artifacts: list[dict[str, object]] = field(default_factory=list)
    """Model files the card itself names with a SHA-256 (a CycloneDX component's hashes)."""

    @property
    def stated_version(self) -> str:
        """The version the card states ("" when none)."""
        return self.card.model_details.version

    @property
    def stated_risk(self) -> str:
        """The risk rating the card states ("" when none)."""
        return self.card.risk_rating
