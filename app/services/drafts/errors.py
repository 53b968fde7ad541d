"""Refusals of model info and drafts, each naming the key or file at fault."""

from __future__ import annotations

from countersign.errors import CountersignError


class DraftError(CountersignError):
    """A card draft cannot be made, opened, saved or bundled as asked."""


class ModelInfoRefused(DraftError):
    """A key or value of the model info that cannot go into a card.

    ``key`` names the place in the model info (``metrics.accuracy``,
    ``limitations[2]``) and ``reason`` what is wrong with it.  ``source``
    names the file the model info came from, when it came from one.
    """

    def __init__(self, key: str, reason: str, source: str = "") -> None:
        self.key = key
        self.reason = reason
        self.source = source
        where = source or "model info"
        super().__init__(f"{where}: {key}: {reason}" if key else f"{where}: {reason}")

    def in_file(self, source: str) -> ModelInfoRefused:
        """The same refusal, naming the file the model info was read from."""
        return ModelInfoRefused(self.key, self.reason, source)


class DraftRefused(DraftError):
    """A draft file that cannot be opened or written, naming the file and the field."""

    def __init__(self, file: str, field: str, reason: str) -> None:
        self.file = file
        self.field = field
        self.reason = reason
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {reason}")
