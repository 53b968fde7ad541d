"""What every reader of a JSON card format does with values of the wrong kind and unmapped keys.

A JSON card is read leniently: a field holding the wrong kind of value is
kept (as text, or as an extra section) with a warning naming its path, and a
key the reader maps onto nothing is kept as an extra section whose ``source``
is its path.  :class:`JsonCardReader` holds the card and the warnings of one
pass and does that bookkeeping; the Model Card Toolkit and SageMaker readers
add the mapping of their own fields.
"""

from __future__ import annotations

from typing import Any

from countersign.formats.base import FormatWarning
from countersign.formats.json_values import as_text, json_type, title_from_path
from countersign.formats.placeholders import placeholder_message, placeholder_value
from countersign.models.card import ExtraSection, ModelCard, metric_value_text

EMPTY_VALUES: tuple[Any, ...] = (None, "", [], {})
"""Values that say nothing: an unmapped key holding one is not kept."""


class JsonCardReader:
    """One pass over a JSON card, collecting the canonical card and the warnings about it."""

    def __init__(self) -> None:
        self.card = ModelCard()
        self.warnings: list[FormatWarning] = []

    def warn(self, field: str, message: str) -> None:
        """Record a problem with the value at path ``field``."""
        self.warnings.append(FormatWarning(field, message))

    def extra(self, title: str, text: str, source: str) -> None:
        """Keep ``text`` as an extra section of the card (nothing when it is blank)."""
        if text.strip():
            self.card.extra_sections.append(ExtraSection(title=title, text=text, source=source))

    def text(self, value: Any, path: str) -> str:
        """A text field; anything else is kept as text with a warning.

        A template's placeholder ("TBD", ``{{ owner }}``, "[More Information
        Needed]") is no text: it reads as empty, with a placeholder warning.
        """
        if isinstance(value, str) and value.strip():
            found = placeholder_value(value)
            if found is not None:
                self.warn(path, placeholder_message(path, found))
                return ""
        if value is None or isinstance(value, str):
            return value or ""
        self.warn(path, f"expected text but found {json_type(value)}; the value is kept as text")
        return as_text(value)

    def value_text(self, raw: Any, path: str) -> str:
        """A metric or parameter value as written: numbers and words as they are, JSON as text."""
        if isinstance(raw, dict | list):
            return self.text(raw, path)
        return metric_value_text(raw)

    def items(self, value: Any, path: str) -> list[tuple[str, Any]]:
        """The (path, item) pairs of a list field; a lone value is read as a one-item list."""
        if value is None:
            return []
        if isinstance(value, list):
            return [(f"{path}[{index}]", item) for index, item in enumerate(value)]
        self.warn(path, f"expected a list but found {json_type(value)}; it is read as one item")
        return [(path, value)]

    def section(self, value: Any, path: str) -> dict[str, Any]:
        """An object field; anything else is kept as an extra section with a warning."""
        if isinstance(value, dict):
            return value
        if value is not None:
            self.not_an_object(value, path)
        return {}

    def not_an_object(self, value: Any, path: str) -> None:
        """Warn that ``value`` is no object, as ``path`` should hold, and keep it as a section."""
        self.warn(
            path,
            f"expected an object but found {json_type(value)}; "
            "the value is kept as an extra section",
        )
        self.extra(title_from_path(path), as_text(value), path)

    def leftovers(self, value: dict[str, Any], known: set[str], path: str) -> None:
        """Keep every key of ``value`` that the reader did not map as an extra section."""
        for key, item in value.items():
            if key not in known:
                self.leftover(item, f"{path}.{key}" if path else key)

    def leftover(self, value: Any, path: str) -> None:
        """Keep one unmapped value as an extra section titled after its path (unless empty)."""
        if value not in EMPTY_VALUES:
            self.extra(title_from_path(path), as_text(value), path)
