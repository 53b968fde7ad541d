"""The front matter the Hub comparison reads with libyaml: both YAML readers agree on it.

:func:`countersign.formats.limits.hub_yaml_difference` skips PyYAML's slow
pure-Python reader for front matter in a simple subset of YAML.  These tests
generate documents near that subset (and mutations of them) and check that
wherever the subset claims a document, the pure-Python reader reads it exactly
as libyaml does with the same (YAML 1.1) rules.
"""

from __future__ import annotations

import random
import time

import pytest
import yaml

from countersign.formats.limits import _SIMPLE_FRONT_MATTER, hub_yaml_difference, load_yaml

_PIECES = [
    "a", "b", "key", "model-index", "name", "bench:hf-1", "0.912", "1e5", "-1", "0x1F", "1:30",
    "~", "null", "yes", "no", "on", "off", "true", "2020-01-01", ".inf", ".5", "<<", "=",
    "é", "模型", "x y", "a,b", "it's", "(c)", "#x", "a#b", "/p", "+1", "@", "`", "!", "&a", "*a",
    "%", "|", ">", "?", "'q'", "'it''s'", '"d"', '"e\\n"', "[a, b]", "[]", "{}", "{a: b}",
    "[a, 'b', \"c\"]", "[x:y]", "a:b", "a: b", "---", "...", "- ", "-", ":", " ", "  ", "#",
    "\t", "\r", "\ufeff", "\u2028", "\x85", "\xa0",
]  # fmt: skip


def _document(rng: random.Random) -> str:
    lines = []
    indent = 0
    for _ in range(rng.randint(1, 8)):
        indent = max(0, indent + rng.choice([-2, 0, 0, 2]))
        key = rng.choice(_PIECES)
        value = "".join(rng.choice(_PIECES) for _ in range(rng.choice([0, 1, 1, 2])))
        dash = rng.choice(["", "", "- ", "- - "])
        form = rng.choice(["{d}{k}: {v}", "{d}{k}:", "{d}{v}", "{d}{k}: {v} # c", "{d}{k}:{v}"])
        lines.append(" " * indent + form.format(d=dash, k=key, v=value))
    text = "\n".join(lines)
    if rng.random() < 0.3:  # a mutation anywhere
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(_PIECES) + text[at:]
    return text


def _read(loader: type[yaml.SafeLoader], text: str) -> tuple[str, object]:
    try:
        return "ok", yaml.load(text, Loader=loader)
    except yaml.YAMLError:
        return "error", None
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        return "error", type(error).__name__


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="needs libyaml")
def test_the_pure_python_reader_agrees_with_libyaml_on_the_subset() -> None:
    rng = random.Random(19)
    claimed = 0
    for _ in range(8000):
        text = _document(rng)
        if not _SIMPLE_FRONT_MATTER.fullmatch(text):
            continue
        fast = _read(yaml.CSafeLoader, text)
        if fast[0] != "ok":
            continue  # our own reader refuses it first: no comparison is made
        claimed += 1
        assert _read(yaml.SafeLoader, text) == fast, repr(text)
    assert claimed > 200  # the generator does reach the subset


def test_the_subset_leaves_out_what_the_readers_read_differently() -> None:
    for text in (
        "tags: [routing,\tsupport]",
        "a: !\nb: c",
        "a: >#\n  b",
        "a: [b\n  c]",
        'a: "\\/"',
        "\ufeffa: b",
        "a: b\r\nc: d",
        "a: &x b\nc: *x",
    ):
        assert not _SIMPLE_FRONT_MATTER.fullmatch(text), repr(text)


def test_yaml_1_1_booleans_in_the_subset_still_get_the_warning() -> None:
    text = "language: no\nactive: on\non: push"
    ours = load_yaml(text, "README.md")
    difference = hub_yaml_difference(text, ours)
    assert difference is not None
    assert difference.startswith(
        "the Hub's own YAML reader (YAML 1.1) reads True, active, language"
    )


def test_the_subset_check_takes_linear_time_on_hostile_text() -> None:
    for text in ("- " * 30000, "a: " + "b " * 30000 + ":", "- a\n" * 15000 + "\t", "a" * 60000):
        start = time.process_time()
        _SIMPLE_FRONT_MATTER.fullmatch(text)
        assert time.process_time() - start < 20  # quadratic would take minutes
