"""The shared bookkeeping of the JSON card readers: wrong kinds warned about, nothing dropped."""

from __future__ import annotations

from countersign.formats.json_reader import JsonCardReader


def test_wrong_kinds_are_kept_with_a_warning_naming_the_path() -> None:
    reader = JsonCardReader()
    assert reader.text(3, "model.name") == "3"
    assert reader.items("solo", "owners") == [("owners", "solo")]
    assert reader.items(["a", "b"], "owners") == [("owners[0]", "a"), ("owners[1]", "b")]
    assert reader.section(["not", "an", "object"], "details") == {}
    assert reader.section(None, "absent") == {}
    assert [w.field for w in reader.warnings] == ["model.name", "owners", "details"]
    assert "expected text but found a number" in reader.warnings[0].message
    assert "expected a list but found text" in reader.warnings[1].message
    assert "expected an object but found a list" in reader.warnings[2].message
    [kept] = reader.card.extra_sections
    assert (kept.title, kept.source) == ("Details", "details")
    assert '"object"' in kept.text


def test_value_text_keeps_numbers_as_written() -> None:
    reader = JsonCardReader()
    assert reader.value_text(0.5, "m.value") == "0.5"
    assert reader.value_text(True, "m.value") == "true"
    assert reader.value_text({"lower": 1}, "m.value") == '{\n  "lower": 1\n}'
    assert [w.field for w in reader.warnings] == ["m.value"]


def test_unmapped_keys_become_extra_sections_unless_empty() -> None:
    reader = JsonCardReader()
    value = {"name": "x", "notes": "kept as it is", "empty": "", "none": None, "list": []}
    reader.leftovers(value, {"name"}, "model_details")
    [notes] = reader.card.extra_sections
    assert (notes.title, notes.text, notes.source) == (
        "Notes",
        "kept as it is",
        "model_details.notes",
    )
    reader.leftover({"k": 1}, "top_level")
    assert reader.card.extra_sections[-1].source == "top_level"
    assert reader.warnings == []
