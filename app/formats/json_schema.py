"""Whether a document is a JSON Schema (a description of cards), decided in one place.

Teams send the schema that describes their cards alongside them, or a page of
documentation that embeds one; neither is a card.  Every reader and the
detector ask this module, so that they cannot disagree.

A document *declaring* its schema is not one: a CycloneDX BOM or a card may
carry ``"$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json"``.  What
counts is a ``$schema`` naming a JSON Schema meta-schema (json-schema.org), or
the shape of a schema: an object of ``properties`` beside ``"type": "object"``
or a ``$schema`` of any kind.
"""

from __future__ import annotations

import re
from typing import Any

_META_SCHEMA = re.compile(r"https?://json-schema\.org/")
_EMBEDDED_META_SCHEMA = re.compile(r'"\$schema"\s*:\s*"https?://json-schema\.org/')


def is_json_schema(value: dict[str, Any]) -> bool:
    """Whether a parsed JSON or YAML object is a JSON Schema rather than a document."""
    declared = value.get("$schema")
    if isinstance(declared, str) and _META_SCHEMA.match(declared):
        return True
    if not isinstance(value.get("properties"), dict):
        return False
    return value.get("type") == "object" or "$schema" in value


def embedded_json_schema_line(text: str) -> int | None:
    """The line (from 1) where Markdown text embeds a JSON Schema, or ``None``."""
    found = _EMBEDDED_META_SCHEMA.search(text)
    if found is None:
        return None
    return text.count("\n", 0, found.start()) + 1
