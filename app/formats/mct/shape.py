"""Which Model Card Toolkit schema shape (0.0.1 or 0.0.2) a card's fields show."""

from __future__ import annotations

from typing import Any


def shape_markers(value: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The fields that show the 0.0.1 shape and those that show the 0.0.2 shape."""
    old: list[str] = []
    new: list[str] = []
    details = value.get("model_details")
    if isinstance(details, dict):
        _mark_details(details, old, new)
    parameters = value.get("model_parameters")
    if isinstance(parameters, dict):
        data = parameters.get("data")
        if isinstance(data, dict):
            old.append("model_parameters.data.train/eval")
        elif isinstance(data, list):
            new.append("model_parameters.data list")
    considerations = value.get("considerations")
    if isinstance(considerations, dict):
        for key in ("users", "use_cases", "limitations", "tradeoffs"):
            mark_items(considerations.get(key), f"considerations.{key}", old, new)
    return old, new


def _mark_details(details: dict[str, Any], old: list[str], new: list[str]) -> None:
    """Licence, citation and references: one text (0.0.1) or a list of objects (0.0.2)."""
    if isinstance(details.get("license"), str):
        old.append("model_details.license")
    if "licenses" in details:
        new.append("model_details.licenses")
    if isinstance(details.get("citation"), str):
        old.append("model_details.citation")
    if "citations" in details:
        new.append("model_details.citations")
    mark_items(details.get("references"), "model_details.references", old, new)


def mark_items(items: Any, path: str, old: list[str], new: list[str]) -> None:
    """Note whether a list's items are bare text (0.0.1) or objects (0.0.2)."""
    if isinstance(items, list) and items:
        if any(isinstance(item, str) for item in items):
            old.append(f"{path} as text")
        if any(isinstance(item, dict) for item in items):
            new.append(f"{path} as objects")


def listing(fields: list[str]) -> str:
    """Field names for a warning, the first four and a count of the rest."""
    if len(fields) <= 4:
        return ", ".join(fields)
    return f"{', '.join(fields[:4])} and {len(fields) - 4} more"
