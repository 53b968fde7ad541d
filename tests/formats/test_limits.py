"""Bounded parsing of untrusted JSON, YAML and text."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from countersign.formats import limits
from countersign.formats.base import CardRefused
from countersign.formats.limits import (
    MAX_JSON_CONTAINERS,
    MAX_NESTING,
    YamlProblem,
    check_json_depth,
    decode_utf8,
    load_json,
    load_yaml,
)

BILLION_LAUGHS = "\n".join(
    [
        "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']",
        *[
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]"
            for i in range(8)
        ],
    ]
)


def test_yaml_alias_bomb_is_refused_quickly() -> None:
    start = time.process_time()
    with pytest.raises(CardRefused, match="alias bomb"):
        load_yaml(BILLION_LAUGHS, "card.md", "front matter")
    assert time.process_time() - start < 5  # generous: it must not expand 9**9 values


def test_yaml_recursive_alias_is_refused() -> None:
    with pytest.raises(CardRefused, match="nested more than"):
        load_yaml("a: &a [*a]\n", "card.md")


def test_yaml_modest_aliases_are_fine() -> None:
    assert load_yaml("base: &b {x: 1}\nother: *b\n", "f") == {"base": {"x": 1}, "other": {"x": 1}}


def test_yaml_too_large_is_refused() -> None:
    with pytest.raises(CardRefused, match="larger than 4 MiB"):
        load_yaml("a: " + "x" * (5 * 1024 * 1024), "big.yaml")


def test_yaml_keeps_words_and_dates_as_text() -> None:
    value = load_yaml("language: no\nagree: yes\nflag: true\nwhen: 2024-05-01\nbig: .inf\n", "f")
    assert value == {
        "language": "no",
        "agree": "yes",
        "flag": True,
        "when": "2024-05-01",
        "big": "inf",
    }


def test_yaml_never_builds_python_objects() -> None:
    with pytest.raises(YamlProblem, match="could not determine a constructor"):
        load_yaml("x: !!python/object/apply:os.system ['echo hacked']\n", "evil.yaml")


YAML_DOCUMENTS = [
    "a: 1\nb: [x, 'y', \"z\"]\nc: {d: null, e: ~, f: true, g: no}\n",
    "when: 2024-01-02\nat: 2024-05-06T07:08:09Z\nbad: 2024-13-45\n",
    "1: int\n'1': text\n1: again\ntrue: yes\n1.0: float\n",
    "? [a, b]\n: list key\n",
    "{x: 1}: mapping key\n",
    "n: .inf\nm: -.Inf\nnan: .NaN\nhex: 0x1F\noct: 0o17\nsexagesimal: 1:20\nbig: 1_000\n",
    "tagged: !!str 12\nnumber: !!int '7'\nbinary: !!binary aGVsbG8=\nodd: !custom x\n",
    "<<: {a: 1}\nb: 2\n",
    "=: value key\n",
    "- - - deep\n  - [1, [2, [3]]]\n- {}\n- []\n",
    "just text\n",
    "~: null key\n2024-01-02: date key\n",
    "set: !!set {a, b}\nomap: !!omap [a: 1]\n",
    "a: " + "[" * (MAX_NESTING + 2) + "]" * (MAX_NESTING + 2) + "\n",
    "1: one\n2.5: two\nnull: three\ntrue: four\n1: again\n",
    "{a: " * (MAX_NESTING - 1) + "text" + "}" * (MAX_NESTING - 1) + "\n",
    "{a: " * MAX_NESTING + "text" + "}" * MAX_NESTING + "\n",
    "{a: " * (MAX_NESTING + 1) + "'quoted'" + "}" * (MAX_NESTING + 1) + "\n",
]


@pytest.mark.parametrize("document", YAML_DOCUMENTS)
def test_yaml_trees_read_in_one_walk_as_pyyaml_reads_them(
    document: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quick reading of an alias-free document gives what the checks and PyYAML give."""

    def read(text: str) -> object:
        try:
            return ("value", load_yaml(text, "f.yaml"))
        except (CardRefused, YamlProblem) as problem:
            return (type(problem).__name__, str(problem))

    quick = read(document)
    monkeypatch.setattr(limits, "_tree_value", lambda _loader, _node: limits._SLOW)
    assert quick == read(document)


@pytest.mark.parametrize("keys", [9, 10, 11, 20, 21])
def test_yaml_trees_past_the_value_bound_read_as_pyyaml_reads_them(
    keys: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Near the bound on values (made small here), text values counted as any others."""
    monkeypatch.setattr(limits, "MAX_YAML_NODES", 40)
    document = "".join(f"k{index}: v\n" for index in range(keys))
    test_yaml_trees_read_in_one_walk_as_pyyaml_reads_them(document, monkeypatch)
    if keys > 20:
        with pytest.raises(CardRefused, match="more than 20 values"):
            load_yaml(document, "f.yaml")


def test_invalid_yaml_is_a_problem_not_a_crash() -> None:
    with pytest.raises(YamlProblem, match="line"):
        load_yaml("a: [1, 2\nb: c: d\n", "f")


def test_json_nesting_is_bounded_before_parsing() -> None:
    deep = "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
    with pytest.raises(CardRefused, match=f"nested more than {MAX_NESTING} levels"):
        load_json(deep, "deep.json")
    check_json_depth(
        '{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', "f"
    )


def test_json_parsed_first_is_refused_as_the_depth_scan_refuses() -> None:
    """A text with few brackets is parsed before it is scanned: the refusals stay the scan's."""
    too_deep = "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
    cases = {
        "too deep": too_deep,
        "too deep, then not JSON": "[" * (MAX_NESTING + 1) + "x",
        "far too deep for the parser": "[" * 100_000 + "]" * 100_000,
        "too deep in a key written twice": '{"a": ' + too_deep + ', "a": 1}',
        "too deep, brackets in strings too": '{"s": "[[{", "v": ' + too_deep + "}",
    }
    for name, text in cases.items():
        with pytest.raises(CardRefused) as refusal:
            load_json(text, "deep.json")
        assert refusal.value.reason == f"JSON is nested more than {MAX_NESTING} levels deep", name
        with pytest.raises(CardRefused) as scanned:
            check_json_depth(text, "deep.json")
        assert refusal.value.field == scanned.value.field, name
    # Brackets inside strings are text, however many.
    inner = MAX_NESTING - 1  # inside the object: as deep as allowed
    text = '{"a": "' + "[" * 1000 + '", "b": ' + "[" * inner + "]" * inner + "}"
    value = load_json(text, "f")
    assert value["a"] == "[" * 1000
    with pytest.raises(CardRefused, match="line 1 column 3: not valid JSON"):
        load_json("[[x", "f")


def test_json_with_a_lone_surrogate_escape_is_refused_naming_the_field() -> None:
    assert load_json('{"a": "\\ud83d\\ude00 \\uD83D\\uDE00"}', "f") == {
        "a": "\U0001f600 \U0001f600"
    }
    for text, field in [
        ('{"a": {"b": ["ok", "bad \\ud800 here"]}, "c": "\\udfff"}', "a.b[1]"),
        ('{"a": 1, "k\\uDC00": "value"}', "k\\udc00"),
        ('["\\ude00\\ud83d"]', "[0]"),
    ]:
        with pytest.raises(CardRefused) as refusal:
            load_json(text, "card.json")
        assert refusal.value.field == field
        assert "lone UTF-16 surrogate" in refusal.value.reason


def test_json_huge_exponent_is_kept_as_text() -> None:
    assert load_json('{"v": 1e999}', "f") == {"v": "1e999"}


def test_json_nan_is_refused() -> None:
    with pytest.raises(CardRefused, match="not valid JSON"):
        load_json('{"v": NaN}', "nan.json")


def test_non_utf8_is_refused_with_the_byte() -> None:
    with pytest.raises(CardRefused, match=r"latin1\.md: byte 3: the file is not UTF-8"):
        decode_utf8(b"caf\xe9", "latin1.md")
    assert decode_utf8(b"\xef\xbb\xbfhello", "bom.md") == "hello"


# The red-team's quadratic inputs: the old scan retried a string at every escaped quote
# (48 s for 128 KB of them).  Now linear: 32 MiB of each within generous bounds.
ADVERSARIAL_JSON = {
    "escaped quotes": '\\"' * (16 * 1024 * 1024),
    "escaped quotes in a string": '{"a": "' + '\\"' * (16 * 1024 * 1024 - 8) + '"}',
    "bare quotes": '"' * (32 * 1024 * 1024),
    "empty arrays": "[" + "[]," * (MAX_JSON_CONTAINERS - 2) + "[]]",
    "unbalanced closers": "]" * (32 * 1024 * 1024),
    "backslashes": "\\" * (32 * 1024 * 1024),
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL_JSON))
def test_json_depth_scan_is_linear(name: str) -> None:
    start = time.process_time()
    check_json_depth(ADVERSARIAL_JSON[name], "hostile.json")
    assert time.process_time() - start < 20  # a few seconds here; generous on a shared machine


def test_json_depth_scan_still_sees_strings_and_escapes() -> None:
    # Brackets inside strings (also after escaped quotes and backslashes) do not count.
    deep_text = "[" * (MAX_NESTING + 1)
    check_json_depth('{"a": "\\"' + deep_text + '", "b": "\\\\"}', "f")
    with pytest.raises(CardRefused, match=r"character 73: JSON is nested more than"):
        check_json_depth('{"a": "\\\\"' + deep_text, "f")
    # Depth is nesting, not the number of brackets.
    check_json_depth("[" + "{}," * 10_000 + "[]]", "f")
    interleaved = "[{" * (MAX_NESTING // 2) + "[" + "]}" * (MAX_NESTING // 2) + "]"
    with pytest.raises(CardRefused, match=f"character {MAX_NESTING}: "):
        check_json_depth(interleaved, "f")


def test_json_with_too_many_containers_is_refused_before_parsing() -> None:
    start = time.process_time()
    with pytest.raises(CardRefused, match="more than 1,000,000 objects and arrays"):
        load_json("[" + "[]," * (32 * 1024 * 1024 // 3 - 1) + "[]]", "many.json")
    assert time.process_time() - start < 20  # a second or two; parsing it took 1.3 GB


def test_yaml_with_too_many_values_as_written_is_not_called_an_alias_bomb() -> None:
    text = "- a: b\n" * 70_000  # 210,001 values as written
    with pytest.raises(CardRefused) as refused:
        load_yaml(text, "big.yaml")
    assert refused.value.reason == (
        "YAML holds more than 100,000 values, more than any card needs; the file is refused"
    )


def test_the_yaml_1_1_boolean_search_finds_what_the_plain_pattern_finds() -> None:
    plain = re.compile(r"\b(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)\b")
    texts = [
        "a: yes",
        "note: none",
        "mode: On\n",
        "x: nO",
        "é no",
        "éno",
        "no_",
        "_no",
        "on-off",
        "ÖN: ON",
        "k: [yes]",
        "Yesterday",
        "",
        "offset: 1",
        "\u00e9On",
        "ON\u0301",
    ]
    for text in texts:
        assert bool(limits._YAML_1_1_ONLY_BOOLEAN.search(text)) == bool(plain.search(text)), text


_SET_CARD = (
    "---\nlanguage: en\ntags: !!set {alpha, beta, gamma, delta, 3, 1.5, 2024-01-02}\n---\n"
    "# Model card for m\n\nSome text.\n"
)


def test_a_yaml_set_reads_the_same_in_every_process() -> None:
    # A Python set's order follows string hashes, which change with each process:
    # the card's canonical JSON (and its hash) must not, nor differ between the
    # importing process and a worker.
    program = (
        "import sys; from countersign.formats.detect import read_card; "
        "print(read_card(sys.stdin.buffer.read(), 'README.md').card.canonical_forms()[0])"
    )
    readings = {
        subprocess.run(
            [sys.executable, "-c", program],
            input=_SET_CARD.encode(),
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(1, 6)
    }
    assert len(readings) == 1
    (reading,) = readings
    # Members in one order: by kind (date, float, int, str), then as written out.
    assert b'"tags":["2024-01-02","1.5","3","alpha","beta","delta","gamma"]' in reading
