"""Read a card file of any supported format, recognised by its content.

The file name never decides the format on its own: a README saved as
``card.json`` is still read as Markdown.  What is no card at all (a JSON
Schema, a card template, a fragment of a card, an empty file) is refused with
a message that says what the file looks like instead.
"""

from __future__ import annotations

import re
from typing import Any

from countersign.formats import native, sagemaker
from countersign.formats.base import CardRefused, ReadCard
from countersign.formats.huggingface import readme as huggingface
from countersign.formats.limits import (
    MAX_CARD_BYTES,
    YamlProblem,
    decode_utf8,
    load_json,
    load_yaml,
)
from countersign.formats.mct import reader as mct
from countersign.models.vocabulary import CardFormat

_JSON_SCHEMA_MARK = re.compile(r'"\$schema"\s*:\s*"https?://json-schema\.org/')


def read_card(data: bytes, file: str) -> ReadCard:
    """Read the card in ``data`` (the bytes of ``file``) onto the canonical form.

    Raises :class:`CardRefused` when the file is no card in a supported format.
    """
    if len(data) > MAX_CARD_BYTES:
        raise CardRefused(
            file,
            "",
            f"the file is larger than {MAX_CARD_BYTES // 1024 // 1024} MiB, the limit for a card",
        )
    text = decode_utf8(data, file)
    if not text.strip():
        raise CardRefused(file, "", "the file is empty")
    if "\x00" in text:
        raise CardRefused(file, "", "the file holds NUL characters; it is binary, not a card")
    start = text.lstrip()[:1]
    if start in "{[":
        return _read_json_card(text, file)
    data_value = _yaml_data(text, file)
    if data_value is not None:
        return _read_mapping(data_value, file, source="YAML")
    return huggingface.read_huggingface(text, file)


def _read_json_card(text: str, file: str) -> ReadCard:
    value = load_json(text, file)
    if not isinstance(value, dict):
        raise CardRefused(
            file, "", f"the JSON holds a {type(value).__name__}, not a model card object"
        )
    return _read_mapping(value, file, source="JSON")


def _yaml_data(text: str, file: str) -> dict[str, Any] | list[Any] | None:
    """The document as YAML data, or ``None`` when the text is prose (Markdown).

    Markdown usually fails to parse as YAML, or parses as one long string;
    only a mapping or a list counts as YAML data.  Front matter (``---``
    first) is Markdown's business.
    """
    if text.lstrip("\ufeff\ufffc \t\r\n").startswith("---"):
        return None
    try:
        value = load_yaml(text, file)
    except YamlProblem:
        return None
    if isinstance(value, dict | list):
        return value
    return None


def _read_mapping(value: dict[str, Any] | list[Any], file: str, source: str) -> ReadCard:
    if not isinstance(value, dict):
        raise CardRefused(
            file, "", f"the {source} holds a list, not a model card; a card is one object"
        )
    if native.looks_native(value):
        return native.read_native(
            value, file, CardFormat.NATIVE_JSON if source == "JSON" else CardFormat.NATIVE_YAML
        )
    if "$schema" in value and isinstance(value.get("properties"), dict):
        raise CardRefused(
            file, "$schema", "this is a JSON Schema that describes cards, not a model card"
        )
    if sagemaker.looks_like_sagemaker(value):
        return sagemaker.read_sagemaker(value, file)
    if set(value) == {"metric_groups"}:
        raise CardRefused(
            file,
            "metric_groups",
            "this is a fragment of a SageMaker card (the metric_groups of one "
            "evaluation_details entry), not a whole model card",
        )
    if mct.looks_like_mct(value):
        return mct.read_mct(value, file)
    keys = ", ".join(sorted(value)[:8]) or "none"
    raise CardRefused(
        file,
        "",
        f"the {source} is not a model card in a known format (Countersign, Hugging Face, "
        f"Model Card Toolkit or SageMaker); its top-level keys are: {keys}",
    )


def is_json_schema_text(text: str) -> bool:
    """Whether Markdown text embeds a JSON Schema (documentation about cards)."""
    return _JSON_SCHEMA_MARK.search(text) is not None
