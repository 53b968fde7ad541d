"""A number of things in words, with the noun agreeing: ``1 warning``, ``2 warnings``.

The command line, the report and the audit wording all count things; "1 warnings"
and "card version(s)" read as a machine talking.
"""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun`` agreeing: ``1 warning``, ``2 warnings``, ``0 card versions``."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
