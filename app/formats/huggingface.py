"""Hugging Face README.md model cards (being written)."""
from __future__ import annotations

from app.formats.base import ReadCard


def read_huggingface(text: str, file: str) -> ReadCard:
    """Read a Hugging Face README.md card."""
    raise NotImplementedError
