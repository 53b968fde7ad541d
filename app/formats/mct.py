"""Model Card Toolkit JSON cards (being written)."""
from __future__ import annotations

from typing import Any

from app.formats.base import ReadCard


def looks_like_mct(value: dict[str, Any]) -> bool:
    """Whether a parsed document is a Model Card Toolkit card."""
    raise NotImplementedError


def read_mct(value: dict[str, Any], file: str) -> ReadCard:
    """Read a Model Card Toolkit card."""
    raise NotImplementedError
