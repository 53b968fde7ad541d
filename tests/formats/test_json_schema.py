"""One answer to "is this a JSON Schema?" for the detector and every reader."""

from __future__ import annotations

import pytest

from countersign.formats.json_schema import embedded_json_schema_line, is_json_schema


@pytest.mark.parametrize(
    "value",
    [
        {"$schema": "http://json-schema.org/draft-07/schema#", "title": "Card"},
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {}},
        {"type": "object", "properties": {"model_details": {}}},
        {"$schema": "x", "properties": {}},
    ],
)
def test_a_json_schema_is_recognised(value: dict[str, object]) -> None:
    assert is_json_schema(value)


@pytest.mark.parametrize(
    "value",
    [
        {"model_details": {"name": "m"}},
        # Documents that declare the schema they follow are documents.
        {"$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json", "bomFormat": "CycloneDX"},
        {"$schema": "./card.schema.json", "model_overview": {}},
        # A card may have a section called "properties".
        {"properties": {"colour": "red"}, "model_details": {}},
        {"type": "object"},
    ],
)
def test_a_document_is_not_a_json_schema(value: dict[str, object]) -> None:
    assert not is_json_schema(value)


def test_the_line_where_markdown_embeds_a_json_schema() -> None:
    text = (
        '# Card schema\n\n```json\n{\n  "$schema": "http://json-schema.org/draft-07/schema#"\n}\n'
    )
    assert embedded_json_schema_line(text) == 5
    assert embedded_json_schema_line('# Card\n\n"$schema": "./card.json"\n') is None
