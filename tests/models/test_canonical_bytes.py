"""canonical_bytes (orjson where it writes the same) is canonical_json in UTF-8, byte for byte."""

from __future__ import annotations

import datetime
import enum
import math
import random
import uuid
from typing import Any

import pytest

from countersign.models import card as card_module
from countersign.models.card import canonical_bytes, canonical_json
from countersign.models.vocabulary import AuditAction, CardOutcome

HOSTILE = [
    "".join(chr(c) for c in range(0x80)),  # every control character, quote, backslash, DEL
    "line\u2028separator\u2029paragraph",
    "non-ASCII é ß 中文 😀 \uffff \U0010ffff",
    "",
    'a "quoted" \\ path\\to\\file',
]

PLAIN: list[Any] = [
    {text: text for text in HOSTILE},
    [HOSTILE, (1, 2, 3), {"nested": {"deeper": [None, True, False, 0, -1]}}],
    {"z": 1, "a": 2, "é": 3, "E": 4, "😀": 5, "\uffff": 6, "": 7, "a\x00": 8},
    {"big": 2**64 - 1, "small": -(2**63), "zero": 0},
    {"outcome": CardOutcome.NEW_MODEL, "action": AuditAction.CARD_VERSION_IMPORTED},
    "just a string\n",
    17,
    None,
]


def _nested(depth: int) -> list[Any]:
    value: list[Any] = ["deep"]
    for _ in range(depth):
        value = [value]
    return value


def _expected(value: Any) -> bytes:
    return canonical_json(value).encode("utf-8")


@pytest.mark.parametrize("value", PLAIN)
def test_orjson_writes_what_json_writes(value: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _expected(value)
    # These are written by orjson, not by the json module's fallback.
    monkeypatch.setattr(card_module, "canonical_json", _refuse)
    assert canonical_bytes(value) == expected


def _refuse(value: Any) -> str:
    raise AssertionError(f"the json module wrote {value!r}")


@pytest.mark.parametrize(
    "value",
    [
        # Floats: json writes 1e+16 and 1e-07 where orjson writes 1e16 and 1e-7.
        {"n": 1e16, "m": [1e-7, 0.1, -0.0, 5e-324, 12.0], "text": "é"},
        {"deep": [[{"x": 1.5}]]},
        # What orjson refuses: an integer over 64 bits, non-string keys, deep nesting.
        {"huge": 2**64, "negative": -(2**63) - 1},
        {1: "one", 2: "two"},
        {"a": _nested(40)},
        _nested(300),
        # A str subclass that is no StrEnum is left to json.
        {"word": type("Word", (str,), {})("plain")},
    ],
)
def test_what_orjson_would_write_otherwise_is_written_by_json(value: Any) -> None:
    assert canonical_bytes(value) == _expected(value)


def test_floats_keep_the_json_modules_exponents() -> None:
    assert canonical_bytes({"n": 1e16, "m": 1e-7}) == b'{"m":1e-07,"n":1e+16}'


@pytest.mark.parametrize(
    "value",
    [
        {"when": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)},
        {"id": uuid.UUID(int=1)},
        {"kind": enum.Enum("Kind", {"A": "a"}).A},
        {"x": math.inf},
        {"x": math.nan},
    ],
)
def test_what_json_refuses_stays_refused(value: Any) -> None:
    """orjson would write datetimes, UUIDs and plain enums; the json module refuses them."""
    with pytest.raises((TypeError, ValueError)) as json_error:
        canonical_json(value)
    with pytest.raises(type(json_error.value)):
        canonical_bytes(value)


def test_a_lone_surrogate_fails_as_encoding_json_fails() -> None:
    value = {"text": "lone \ud800"}
    with pytest.raises(UnicodeEncodeError):
        canonical_json(value).encode("utf-8")
    with pytest.raises(UnicodeEncodeError):
        canonical_bytes(value)


def test_random_values_are_written_as_json_writes_them() -> None:
    rnd = random.Random(19)
    for _ in range(500):
        value = _random_value(rnd, 4)
        assert canonical_bytes(value) == _expected(value), value


def _random_text(rnd: random.Random) -> str:
    ranges = [(0, 0x80), (0x80, 0xD800), (0xE000, 0x110000)]
    return "".join(chr(rnd.randrange(*rnd.choice(ranges))) for _ in range(rnd.randrange(0, 6)))


def _random_value(rnd: random.Random, depth: int) -> Any:
    kind = rnd.randrange(8 if depth else 5)
    leaves = [
        lambda: _random_text(rnd),
        lambda: rnd.randrange(-(2**70), 2**70),
        lambda: rnd.choice([True, False, None]),
        lambda: rnd.choice([rnd.random() * 10 ** rnd.randrange(-30, 30), 1e16, 1e-7]),
        lambda: rnd.choice(list(CardOutcome)),
    ]
    if kind < len(leaves):
        return leaves[kind]()
    size = rnd.randrange(0, 5)
    if kind == 5:
        return [_random_value(rnd, depth - 1) for _ in range(size)]
    return {_random_text(rnd): _random_value(rnd, depth - 1) for _ in range(size)}
