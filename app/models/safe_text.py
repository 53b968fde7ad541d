"""Text from outside, made safe to show, and what a model or version name may be.

Names, versions, card text and file names come from teams and are hostile
until checked.  Shown raw, an escape sequence clears the officer's terminal
(``ESC[2J``), erases a "refused" line (``ESC[1A ESC[2K``) or sets the window
title (OSC), and a right-to-left override makes ``\\u202eexe.txt`` read as
"txt.exe".  :func:`terminal_text` and :func:`display_text` make such characters
visible as escapes (``\\u001b``, ``\\u202e``: JSON reads them back as the same
characters); :func:`isolated` keeps a card's own text literal but stops its
direction from leaking into what surrounds it.
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Characters that change the direction of the text around them."""

_CONTROL = "\x00-\x1f\x7f-\x9f"
_UNSAFE_LINE = re.compile(f"[{_CONTROL}{BIDI_CONTROLS}]")

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"

MAX_NAME_LENGTH = 256
"""A model or version name longer than this is refused (as in a bundle manifest)."""


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


_UNSAFE_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
"""Like :data:`_UNSAFE_LINE`, but line feeds and tabs may stay."""


def terminal_text(text: str, *, multiline: bool = False) -> str:
    """``text`` with control characters and direction overrides shown as ``\\uXXXX``.

    With ``multiline``, line feeds and tabs stay (a card's text); carriage
    returns never do, since they let a line overwrite itself.
    """
    pattern = _UNSAFE_TEXT if multiline else _UNSAFE_LINE
    return pattern.sub(_escape, text)


def display_text(text: str) -> str:
    """``text`` for one line of the window (a list cell, a title): every control made visible."""
    return _UNSAFE_LINE.sub(_escape, text)


def isolated(text: str) -> str:
    """``text`` as it is, with its direction isolated from the text around it.

    An override inside (even one never closed) ends with the isolate, so a
    card's text cannot turn the label or list around it right to left.
    """
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"


def name_problem(value: str) -> str | None:
    """Why ``value`` cannot be a model or version name, or None when it can."""
    if not value.strip():
        return "is empty"
    if value != value.strip():
        return "begins or ends with a space"
    if len(value) > MAX_NAME_LENGTH:
        return f"is longer than {MAX_NAME_LENGTH} characters"
    if "/" in value or "\\" in value:
        return "holds a path separator (/ or \\)"
    if ".." in value:
        return "holds '..'"
    if value.isascii() and value.isprintable():
        return None  # no control character (the loop below, for the common case at once)
    for character in value:
        if unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            name = unicodedata.name(character, "")
            return f"holds the control character U+{ord(character):04X}" + (
                f" ({name})" if name else ""
            )
    return None
