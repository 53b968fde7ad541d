"""The team's side: card drafts made from model info, checked and bundled before sending.

``create_model_card(model_info)`` turns what a training pipeline knows into a
draft card; the draft saves as a Hugging Face README or native JSON, says
what a reviewer will ask for (:meth:`CardDraft.missing`), and
:func:`bundle_drafts` writes drafts into a bundle, signed with the team's key
when given.  Drafts are files: they reach a registry only through an import.
"""

from __future__ import annotations

from countersign.models.vocabulary import DraftFormat
from countersign.services.drafts.bundling import bundle_drafts
from countersign.services.drafts.completeness import (
    Completeness,
    ItemStatus,
    judge,
    load_template,
)
from countersign.services.drafts.draft import (
    DRAFT_FORMATS,
    CardDraft,
    create_model_card,
    format_for,
    open_draft,
)
from countersign.services.drafts.errors import DraftError, DraftRefused, ModelInfoRefused
from countersign.services.drafts.model_info import card_from_model_info, read_model_info_file

__all__ = [
    "DRAFT_FORMATS",
    "CardDraft",
    "Completeness",
    "DraftError",
    "DraftFormat",
    "DraftRefused",
    "ItemStatus",
    "ModelInfoRefused",
    "bundle_drafts",
    "card_from_model_info",
    "create_model_card",
    "format_for",
    "judge",
    "load_template",
    "open_draft",
    "read_model_info_file",
]
