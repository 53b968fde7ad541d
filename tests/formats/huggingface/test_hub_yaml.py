"""Front matter that the Hub's own client reads differently gets a warning that says how."""

from __future__ import annotations

import yaml

from countersign.formats.detect import read_card


def _read(front_matter: str) -> tuple[list[str], list[str], list[str]]:
    read = read_card(f"---\n{front_matter}\n---\n\n# Router\n".encode(), "README.md")
    warnings = [w.message for w in read.warnings if w.field == "front matter"]
    return read.card.tags, read.card.languages, warnings


def test_a_tab_in_a_flow_list_is_read_but_the_hub_would_not_read_it() -> None:
    tags, _, warnings = _read("tags: [routing,\tsupport]")
    if hasattr(yaml, "CSafeLoader"):  # libyaml accepts the tab; PyYAML's pure reader does not
        assert tags == ["routing", "support"]
        assert warnings == [
            "the Hub's own YAML reader cannot read it (found character '\\t' that cannot start "
            "any token (line 1, column 16)), so on the Hub this card shows none of its metadata"
        ]
    else:
        assert warnings[0].startswith("not valid YAML")


def test_a_yaml_1_1_boolean_is_read_as_the_word_with_a_warning() -> None:
    _, languages, warnings = _read("language: no")
    assert languages == ["no"]
    assert warnings == [
        "the Hub's own YAML reader (YAML 1.1) reads language differently: "
        "language is False there, 'no' here"
    ]


def test_front_matter_both_read_alike_has_no_warning() -> None:
    assert _read("license: mit\ntags: [routing, support]") == (["routing", "support"], [], [])
