"""Countersign's own card format: the canonical card as JSON or YAML."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from countersign.formats.base import CardRefused, ReadCard, SourceFormat
from countersign.models.card import CARD_FORMAT, ModelCard


def looks_native(value: dict[str, Any]) -> bool:
    """Whether a parsed document says it is a Countersign card."""
    return value.get("format") == CARD_FORMAT


def read_native(value: dict[str, Any], file: str, source_format: SourceFormat) -> ReadCard:
    """Validate a native card document.  Native cards are strict: any error refuses."""
    try:
        card = ModelCard.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "card"
        count = error.error_count()
        more = f" (and {count - 1} more problems)" if count > 1 else ""
        raise CardRefused(file, field, f"{first['msg']}{more}") from None
    return ReadCard(card=card, source_format=source_format)


def write_native_json(card: ModelCard) -> str:
    """The card as readable native JSON (indented; the registry stores the canonical form)."""
    return card.model_dump_json(indent=2) + "\n"
