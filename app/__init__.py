"""Countersign: a desktop review workstation for model governance.

The team's side of the flow is importable from here, for training pipelines::

    from countersign import create_model_card

It is imported on first use (module ``__getattr__``), so that ``import
countersign`` stays light and starting the window does not pay for pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from countersign.services.drafts import (
        CardDraft,
        ModelInfoRefused,
        bundle_drafts,
        create_model_card,
        open_draft,
    )

_LAZY = ("CardDraft", "ModelInfoRefused", "bundle_drafts", "create_model_card", "open_draft")
"""Names served from :mod:`countersign.services.drafts` when first asked for."""

__all__ = [
    "CardDraft",
    "ModelInfoRefused",
    "__version__",
    "bundle_drafts",
    "create_model_card",
    "open_draft",
]


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from countersign.services import drafts

        return getattr(drafts, name)
    raise AttributeError(f"module 'countersign' has no attribute {name!r}")
