"""SageMaker model card JSON (being written)."""
from __future__ import annotations

from typing import Any

from app.formats.base import ReadCard


def looks_like_sagemaker(value: dict[str, Any]) -> bool:
    """Whether a parsed document is a SageMaker model card."""
    raise NotImplementedError


def read_sagemaker(value: dict[str, Any], file: str) -> ReadCard:
    """Read a SageMaker model card."""
    raise NotImplementedError
