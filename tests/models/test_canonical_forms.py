"""A card's canonical JSON (written by orjson) is the json module's, byte for byte."""

from __future__ import annotations

import json
import math

import pytest

from countersign.models.card import MetricResult, ModelCard, canonical_json


def _card(summary: str, numbers: list[float], detail: str = "") -> ModelCard:
    card = ModelCard()
    card.model_details.name = "scorer"
    card.model_details.summary = summary
    card.quantitative_analyses.results = [
        MetricResult(name=f"m{i}", value=repr(n), numeric=n, details={"format": detail, "z": "é"})
        for i, n in enumerate(numbers)
    ]
    return card


NUMBERS = [0.1, 1e16, 1e-7, 2.5e-9, -0.0, 5e-324, 1.7976931348623157e308, 1e15, 12.0]


@pytest.mark.parametrize(
    "summary",
    [
        "plain",
        'control \x00\x01\x1f\x7f and \u2028\u2029 and quote " and \\ and tab\t',
        "non-ASCII é 😀 \uffff",
        "lone surrogate \ud800 (orjson refuses it; json writes it)",
    ],
)
def test_canonical_forms_write_what_json_writes(summary: str) -> None:
    card = _card(summary, NUMBERS, detail="a format detail is no search text")
    canonical, text = card.canonical_forms()
    assert canonical == canonical_json(card.model_dump(mode="json"))
    assert canonical == card.canonical_json()
    assert '"numeric":1e-07' in canonical and '"numeric":1e+16' in canonical
    # The search text: every non-empty text in key order, none of format, numeric or a detail
    # keyed "format".
    assert text.split("\n")[:5] == ["scorer", summary, "é", "m0", "0.1"]
    assert "a format detail" not in text and "countersign-card" not in text
    assert "1e-07" in text  # the value as written is text; numeric is not


def test_a_number_json_cannot_write_is_refused_as_json_refuses_it() -> None:
    card = _card("x", [math.inf])
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        card.canonical_forms()
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        json.dumps(card.model_dump(mode="json"), allow_nan=False)
