"""Where a format warning is, in words: ``metric data “accuracy” (evaluation “holdout”) › value``.

A warning's field is a path into the file as sent
(``evaluation_details[0].metric_groups[3].metric_data[1].value``): exact, and
kept for the details column, but no officer reads it.  Walking the same path
through the file's own data names each list item by what it holds (its name,
title, type, metric or data set), and each key in words; where the data is not
at hand (a Hugging Face README's front matter), indexes become ordinals.
"""

from __future__ import annotations

import re
from typing import Any

NAMING_KEYS = ("name", "title", "metric", "type", "task", "dataset", "slice", "id")
"""Members that name a list item, the most telling first."""

MAX_LABEL = 60
"""Characters of a name taken from the file; the rest is cut with "…"."""

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]|\[([^\]=]+)=\"((?:[^\"\\]|\\.)*)\"\]")


def place_in_words(path: str, document: Any = None) -> str:
    """``path`` (a warning's field) as words, naming list items from ``document`` when given."""
    parts: list[str] = []
    node: Any = document
    for match in _SEGMENT.finditer(path):
        key, index, by_key, by_value = match.groups()
        if key is not None:
            parts.append(_words(key))
            node = node.get(key) if isinstance(node, dict) else None
        elif index is not None:
            position = int(index)
            item = node[position] if isinstance(node, list) and position < len(node) else None
            label = _label(item)
            _append_to_last(parts, f"“{label}”" if label else f"#{position + 1}")
            node = item
        elif by_key is not None:
            _append_to_last(parts, f"“{_cut(by_value)}”")
            node = None
    return " › ".join(parts) if parts else path


def _label(item: Any) -> str:
    if not isinstance(item, dict):
        return ""
    for key in NAMING_KEYS:
        value = item.get(key)
        if isinstance(value, dict):
            value = value.get("name") or value.get("type")
        if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value):
            return _cut(str(value))
    return ""


def _append_to_last(parts: list[str], text: str) -> None:
    if parts:
        parts[-1] = f"{parts[-1]} {text}"
    else:
        parts.append(text)


def _words(key: str) -> str:
    return " ".join(key.replace("_", " ").replace("-", " ").split())


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"
