"""Reading values out of JSON cards: text of any value, its kind, titles from paths."""

from __future__ import annotations

import json
from typing import Any

from countersign.models.card import metric_value_text


def as_text(value: Any) -> str:
    """Any JSON value as text: strings as they are, numbers as written, the rest as JSON."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool | int | float):
        return metric_value_text(value)
    return json.dumps(value, ensure_ascii=False, indent=2)


def compact_json(value: Any) -> str:
    """A JSON value as compact text (for values kept verbatim, such as chart data)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_type(value: Any) -> str:
    """What kind of JSON value this is, in words for a warning."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "a true/false value"
    if value is None:
        return "null"
    return "a number"


def title_from_path(path: str) -> str:
    """A readable section title from a JSON path (its last part)."""
    last = path.rsplit(".", 1)[-1]
    return last.replace("_", " ").strip().capitalize() or path
