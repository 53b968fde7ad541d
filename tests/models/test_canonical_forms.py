"""A card's canonical JSON (written by orjson) is the json module's, byte for byte."""

from __future__ import annotations

import json
import math
from typing import Any

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


def _reference_text(value: object, key: object = None, below_no_text: bool = False) -> list[str]:
    """The search text as a plain walk of the dump finds it: sorted keys, no format/numeric."""
    skip = below_no_text or key in ("format", "format_version", "numeric")
    if isinstance(value, dict):
        return [t for k in sorted(value) for t in _reference_text(value[k], k, skip)]
    if isinstance(value, list):
        return [t for item in value for t in _reference_text(item, None, skip)]
    return [value] if isinstance(value, str) and value and not skip else []


def test_search_text_of_a_part_that_holds_what_it_should_not() -> None:
    # Fields are assigned unvalidated: a reader's slip must still be walked as any value.
    card = _card("summary", [0.5, 2.0], detail="no text")
    raw_result: Any = {"name": "raw", "numeric": 2.5, "extra": ["x", 1.5e16], "format": "f"}
    card.quantitative_analyses.results = [*card.quantitative_analyses.results, raw_result]
    wrong_list: Any = ["t", 3.5, ["u", ""]]
    card.tags = wrong_list
    wrong_part: Any = {"text": "odd", "relevant": ["r"], "numeric": "not text"}
    card.factors = wrong_part
    with pytest.warns(UserWarning):
        canonical, text = card.canonical_forms()
    with pytest.warns(UserWarning):
        dumped = card.model_dump(mode="json")
    assert text.split("\n") == _reference_text(dumped)
    assert text.split("\n")[:2] == ["r", "odd"] and "raw" in text and "not text" not in text
    assert '"extra":["x",1.5e+16]' in canonical and '"tags":["t",3.5,["u",""]]' in canonical
    with pytest.warns(UserWarning):
        assert canonical == canonical_json(card.model_dump(mode="json"))


def test_search_text_of_a_part_with_as_many_keys_as_its_fields_but_others() -> None:
    card = _card("summary", [0.5])
    odd: Any = {"title": "kept", "text": "also", "elsewhere": 2.5}  # Factors has 3 fields
    card.factors = odd
    odd_result: Any = {f"k{i}": f"v{i}" for i in range(11)}  # a MetricResult has 11
    card.quantitative_analyses.results = [odd_result]
    with pytest.warns(UserWarning):
        canonical, text = card.canonical_forms()
    with pytest.warns(UserWarning):
        dumped = card.model_dump(mode="json")
    assert text.split("\n") == _reference_text(dumped)
    assert "v10" in text and "kept" in text and '"elsewhere":2.5' in canonical
    with pytest.warns(UserWarning):
        assert canonical == canonical_json(card.model_dump(mode="json"))
