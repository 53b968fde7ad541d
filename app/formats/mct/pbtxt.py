"""Model Card Toolkit cards in protobuf text format (``.pbtxt``), read into MCT's JSON shape.

MCT keeps a card as a ``ModelCard`` protocol buffer and can write it as
protobuf text (``# proto-message: ModelCard`` first, then ``model_details {
name: "..." }`` and so on).  Its field names are those of MCT's JSON, so a
small reader turns the text into the same dictionaries the JSON reader takes;
which fields repeat comes from MCT's public ``model_card.proto``.  No protobuf
library and no descriptor are needed, and nothing in the file is executed.

The reader is one pass over the text with a bounded depth: a string, a number,
an identifier (an enum or a boolean), or a message in ``{ }`` or ``< >``.
What it cannot read refuses the file with the line, as for broken JSON.
"""

from __future__ import annotations

import math
import re
from typing import Any

from countersign.formats.base import CardRefused
from countersign.formats.limits import MAX_NESTING

REPEATED_FIELDS = frozenset(
    {
        "owners",
        "licenses",
        "references",
        "citations",
        "data",
        "input_format_map",
        "output_format_map",
        "sensitive_data",
        "collection",
        "performance_metrics",
        "users",
        "use_cases",
        "limitations",
        "tradeoffs",
        "ethical_considerations",
    }
)
"""The repeated fields of MCT's ``model_card.proto`` (v0.0.1 and v0.0.2): always lists."""

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n]+|\#[^\n]*)
  | (?P<string>"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*')
  | (?P<number>[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)[fF]?)
  | (?P<name>[A-Za-z_][\w.]*)
  | (?P<punct>[{}<>:;,\[\]])
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\", "a": "\a"}
_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))", re.DOTALL)
_CLOSING = {"{": "}", "<": ">"}


def message_name(text: str) -> str | None:
    """The message a ``# proto-message: Name`` header names, or ``None`` without one."""
    for line in text.split("\n", 20)[:20]:
        stripped = line.strip()
        if stripped.startswith("#") and "proto-message:" in stripped:
            return stripped.split("proto-message:", 1)[1].strip()
        if stripped and not stripped.startswith("#"):
            return None
    return None


def parse_pbtxt(text: str, file: str) -> dict[str, Any]:
    """The protobuf text ``text`` as nested dictionaries in MCT's JSON shape.

    Raises :class:`CardRefused` naming the line of the first thing it cannot read.
    """
    tokens = _tokens(text, file)
    root: dict[str, Any] = {}
    stack: list[tuple[dict[str, Any], str]] = [(root, "")]
    index = 0
    while index < len(tokens):
        kind, value, line = tokens[index]
        if kind == "punct" and value in ("}", ">"):
            _, closing = stack.pop() if len(stack) > 1 else (root, "")
            if value != closing:
                raise _problem(file, line, f"{value!r} closes nothing here")
            index += 1
            continue
        if kind == "punct" and value in (";", ","):
            index += 1
            continue
        if kind != "name":
            raise _problem(file, line, f"a field name was expected, not {value[:20]!r}")
        index += 1
        colon = index < len(tokens) and tokens[index][1] == ":"
        if colon:
            index += 1
        if index >= len(tokens):
            raise _problem(file, line, f"the field {value!r} has no value")
        kind_after, opening, line_after = tokens[index]
        if kind_after == "punct" and opening in _CLOSING:
            if len(stack) > MAX_NESTING:
                raise _problem(file, line_after, f"nested more than {MAX_NESTING} levels deep")
            child: dict[str, Any] = {}
            _put(stack[-1][0], value, child)
            stack.append((child, _CLOSING[opening]))
            index += 1
            continue
        if not colon:
            raise _problem(file, line, f"the field {value!r} needs ':' before its value")
        scalar, index = _scalar(tokens, index, file)
        _put(stack[-1][0], value, scalar)
    if len(stack) > 1:
        raise _problem(file, tokens[-1][2] if tokens else 1, "a message is not closed")
    return root


def _tokens(text: str, file: str) -> list[tuple[str, str, int]]:
    """The tokens of ``text`` (kind, text, line), white space and comments left out."""
    out: list[tuple[str, str, int]] = []
    position = 0
    line = 1
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _problem(file, line, f"{text[position : position + 20]!r} cannot be read")
        kind = match.lastgroup or ""
        if kind != "space":
            out.append((kind, match.group(), line))
        line += match.group().count("\n")
        position = match.end()
    return out


def _scalar(tokens: list[tuple[str, str, int]], index: int, file: str) -> tuple[Any, int]:
    """The scalar at ``index`` (adjacent strings joined) and the index after it."""
    kind, value, line = tokens[index]
    if kind == "string":
        parts = []
        while index < len(tokens) and tokens[index][0] == "string":
            parts.append(_unquote(tokens[index][1]))
            index += 1
        return "".join(parts), index
    if kind == "number":
        return _number(value), index + 1
    if kind == "name":
        lowered = value.lower()
        if lowered in ("true", "t", "false", "f"):
            return lowered in ("true", "t"), index + 1
        return value, index + 1  # an enum value, by name
    if kind == "punct" and value == "[":
        raise _problem(file, line, "lists in [ ] are not read; write the field once per value")
    raise _problem(file, line, f"a value was expected, not {value[:20]!r}")


def _number(text: str) -> int | float | str:
    """A number as protobuf writes it; one JSON cannot hold (infinite, huge) stays text."""
    digits = text.rstrip("fF")
    try:
        number: int | float = float(digits) if any(c in digits for c in ".eE") else int(digits)
    except ValueError:  # more digits than Python converts
        return text
    return number if math.isfinite(number) else text


def _unquote(token: str) -> str:
    """A quoted string's text: escapes read as protobuf does (octal and hex are UTF-8 bytes)."""
    body = token[1:-1]
    if "\\" not in body:
        return body
    out = bytearray()
    position = 0
    for match in _ESCAPE.finditer(body):
        out += body[position : match.start()].encode("utf-8")
        octal, hexadecimal, char = match.groups()
        if octal is not None:
            out.append(int(octal, 8) & 0xFF)
        elif hexadecimal is not None:
            out.append(int(hexadecimal, 16))
        else:
            out += _ESCAPES.get(char, "\\" + char).encode("utf-8")
        position = match.end()
    out += body[position:].encode("utf-8")
    return out.decode("utf-8", "replace")


def _put(message: dict[str, Any], name: str, value: Any) -> None:
    """Set field ``name`` of ``message``: a repeated field (or a field met twice) is a list."""
    if name in REPEATED_FIELDS:
        message.setdefault(name, []).append(value)
    elif name in message:
        # Parsed values are never lists, so a list here is one this function made.
        existing = message[name]
        if isinstance(existing, list):
            existing.append(value)
        else:
            message[name] = [existing, value]
    else:
        message[name] = value


def _problem(file: str, line: int, reason: str) -> CardRefused:
    return CardRefused(file, f"line {line}", f"a protobuf text file that cannot be read: {reason}")
