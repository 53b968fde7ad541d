"""The response of SageMaker's DescribeModelCard: a card inside an envelope.

``aws sagemaker describe-model-card`` gives an officer the envelope
(``ModelCardName``, ``ModelCardArn``, ``ModelCardVersion``, ``ModelCardStatus``,
creation and modification times) with the card itself in ``Content`` as a JSON
string.  The content is parsed with the same bounds as any card and read by
:mod:`countersign.formats.sagemaker`; the envelope's facts are kept as one extra
section, and its name and version stand in where the content names none.
"""

from __future__ import annotations

import json
from typing import Any

from countersign.formats.base import CardRefused, FormatWarning, ReadCard
from countersign.formats.json_values import as_text
from countersign.formats.limits import load_json
from countersign.formats.sagemaker import read_sagemaker_content
from countersign.models.card import ExtraSection, metric_value_text
from countersign.models.vocabulary import CardFormat

ENVELOPE_TITLE = "SageMaker model card (DescribeModelCard)"
"""Title of the extra section that keeps the envelope's facts."""

_FACTS = (
    ("ModelCardName", "Name"),
    ("ModelCardArn", "ARN"),
    ("ModelCardVersion", "Card version"),
    ("ModelCardStatus", "Status"),
    ("ModelCardProcessingStatus", "Processing status"),
    ("CreationTime", "Created"),
    ("CreatedBy", "Created by"),
    ("LastModifiedTime", "Last modified"),
    ("LastModifiedBy", "Last modified by"),
)


def looks_like_describe_response(value: dict[str, Any]) -> bool:
    """Whether a parsed document is a DescribeModelCard response (an envelope with Content)."""
    return "Content" in value and ("ModelCardName" in value or "ModelCardArn" in value)


def read_describe_response(value: dict[str, Any], file: str) -> ReadCard:
    """Read the card inside a DescribeModelCard response, keeping the envelope's facts.

    Raises :class:`CardRefused` when ``Content`` is not a card's JSON object.
    """
    content = _content(value.get("Content"), file)
    read = read_sagemaker_content(content)
    warnings = [FormatWarning(f"Content.{w.field}", w.message) for w in read.warnings]
    card = read.card
    name = value.get("ModelCardName")
    if not card.model_details.name.strip() and isinstance(name, str) and name.strip():
        card.model_details.name = name.strip()
        warnings = [w for w in warnings if w.field != "Content.model_overview.model_name"]
        warnings.append(
            FormatWarning(
                "Content.model_overview.model_name",
                "the card gives no model name; the envelope's ModelCardName is used",
            )
        )
    version = value.get("ModelCardVersion")
    if not card.model_details.version and version is not None:
        card.model_details.version = metric_value_text(version)
        warnings.append(
            FormatWarning(
                "Content.model_overview.model_version",
                "the card gives no model version; the envelope's ModelCardVersion "
                f"({card.model_details.version}) is used",
            )
        )
    facts = [
        f"- {label}: {as_text(value[key])}"
        for key, label in _FACTS
        if value.get(key) not in (None, "")
    ]
    others = {
        key: item
        for key, item in value.items()
        if key not in {"Content", "ResponseMetadata"} and key not in dict(_FACTS)
    }
    if others:
        facts.append(f"- Other fields: {json.dumps(others, ensure_ascii=False, sort_keys=True)}")
    card.extra_sections.insert(
        0, ExtraSection(title=ENVELOPE_TITLE, text="\n".join(facts), source="DescribeModelCard")
    )
    return ReadCard(card=card, source_format=CardFormat.SAGEMAKER, warnings=warnings)


def _content(raw: Any, file: str) -> dict[str, Any]:
    """The card object in ``Content``: a JSON string as the API gives it, or an object."""
    if isinstance(raw, str):
        try:
            raw = load_json(raw, file)
        except CardRefused as problem:
            where = f"Content ({problem.field})" if problem.field else "Content"
            raise CardRefused(file, where, problem.reason) from None
    if not isinstance(raw, dict):
        kind = "nothing" if raw is None else type(raw).__name__
        raise CardRefused(
            file,
            "Content",
            f"a DescribeModelCard response whose Content holds {kind}, not a model card's JSON",
        )
    return raw
