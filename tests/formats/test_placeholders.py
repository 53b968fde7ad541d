"""Template placeholders are missing, not content: read as empty, each with a warning."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from countersign.formats import placeholders
from countersign.formats.detect import read_card
from countersign.formats.placeholders import (
    PLACEHOLDER_MARK,
    count_placeholders,
    is_template_name,
    placeholder_only,
    placeholder_value,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "cards" / "hf"


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("[More Information Needed]", "[More Information Needed]"),
        ("More information needed", "More information needed"),
        ("TBD", "TBD"),
        ("To be added.", "To be added."),
        ("{{ model_summary }}", "{{ model_summary }}"),
        ("<!-- Provide a quick summary. -->", "<!-- … -->"),
        (
            "<!-- guidance -->\n\n- **Developed by:** [More Information Needed]\n"
            "- **License:** [More Information Needed]",
            "[More Information Needed]",
        ),
        ("### Preprocessing\n\n[More Information Needed]", "[More Information Needed]"),
        (
            "Use the code below to get started with the model.\n\n[More Information Needed]",
            "Use the code below to get started with the model.",
        ),
        # A stock sentence found by its words (any case, spacing or emphasis), not its place.
        (
            "- **Recommendations:** **USE THE CODE   BELOW to get started\twith the model.**",
            "USE THE CODE BELOW to get started with the model.",
        ),
        ("**" * 500 + "TBD" + "__" * 500, "TBD"),
    ],
)
def test_text_that_is_only_a_placeholder(text: str, placeholder: str) -> None:
    assert placeholder_only(text) == placeholder


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Routes support tickets.",
        "We use TBD-free data only.",
        "- Use the code below to get started with the model. " * 3,
        "- **Developed by:** Support Analytics\n- **License:** [More Information Needed]",
    ],
)
def test_text_with_content_is_no_placeholder(text: str) -> None:
    assert placeholder_only(text) is None


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [
        (
            "  USERS (both direct   and downstream) should be made aware of the risks, biases and "
            "limitations of the model.\tMore information needed for further recommendations. ",
            "USERS (both direct   and downstream) should be made aware of the risks, biases and "
            "limitations of the model.\tMore information needed for further recommendations.",
        ),
        ("Users should be made aware of the risks.", None),
        ("Carbon", None),
        ("", None),
    ],
)
def test_a_stock_sentence_is_a_placeholder_in_any_case_and_spacing(
    value: str, placeholder: str | None
) -> None:
    assert placeholder_value(value) == placeholder


def test_template_names() -> None:
    assert is_template_name("Model ID")
    assert is_template_name("{{ model_id }}")
    assert not is_template_name("ticket-router")


def test_an_unfilled_hub_template_card_has_no_owner_and_no_stand_in_name() -> None:
    data = (FIXTURES / "unfilled-hub-template.md").read_bytes()
    read = read_card(data, "ticket-router.md")
    card = read.card
    assert card.model_details.name == "ticket-router"
    assert card.owners == []
    assert card.model_details.description == ""
    assert card.intended_use.out_of_scope == []
    assert card.caveats_and_recommendations.text == ""
    assert "Routing support tickets to the right queue." in card.intended_use.text
    assert "More Information Needed" not in card.plain_text()
    assert [e.text for e in card.extra_sections] == [""]  # "How to Get Started", emptied
    placeholders = [w for w in read.warnings if w.message.startswith(PLACEHOLDER_MARK)]
    assert len(placeholders) == len(read.warnings) == 9
    contact = next(w for w in placeholders if "'Model Card Contact'" in w.message)
    assert contact.field == "line 54"
    assert contact.message == (
        "placeholder: the section 'Model Card Contact' is left as the template's placeholder "
        "('[More Information Needed]'); read as empty"
    )
    stored = [{"field": w.field, "message": w.message} for w in read.warnings]
    assert count_placeholders([*stored, {"field": "license", "message": "other"}]) == 9


def test_a_placeholder_item_is_left_out_of_a_list() -> None:
    text = (
        "# Ticket router\n\n## Model Card Contact\n\n- support-ml@example.org\n"
        "- [More Information Needed]\n"
    )
    read = read_card(text.encode(), "README.md")
    assert [owner.contact for owner in read.card.owners] == ["support-ml@example.org"]
    assert read.warnings[0].message.startswith(
        "placeholder: an item of the section 'Model Card Contact'"
    )


def test_json_cards_read_placeholders_as_empty_and_never_as_owners() -> None:
    import json

    card = {
        "model_details": {
            "name": "loan-scorer",
            "overview": "TBD",
            "owners": [
                {"name": "TBD", "contact": "[More Information Needed]"},
                {"name": "Credit Risk", "contact": "{{ team_email }}"},
            ],
        }
    }
    read = read_card(json.dumps(card).encode(), "loan-scorer.json")
    assert read.card.model_details.summary == ""
    assert [(o.name, o.contact) for o in read.card.owners] == [("Credit Risk", "")]
    assert [w.field for w in read.warnings] == [
        "model_details.overview",
        "model_details.owners[0].name",
        "model_details.owners[0].contact",
        "model_details.owners[1].contact",
    ]
    assert read.warnings[0].message == (
        "placeholder: model_details.overview is left as the template's placeholder ('TBD'); "
        "read as empty"
    )


@pytest.mark.parametrize(
    "line",
    [
        "plain words one space apart",
        " leading",
        "trailing ",
        "two  spaces",
        "tab\there",
        "unit\x1fseparator",
        "non-breaking\u00a0space",
        "ideographic\u3000space",
        "",
        " ",
        "é accented but flat",
    ],
)
def test_a_line_is_flattened_as_splitting_and_joining_flattens_it(line: str) -> None:
    assert placeholders._flat(line) == " ".join(line.split())


def test_the_ascii_spaces_split_at_are_all_named() -> None:
    named = {*placeholders._SPACES_BUT_SPACE, " "}
    assert named == {chr(code) for code in range(128) if chr(code).isspace()}


def test_every_character_a_placeholder_can_open_with_is_known() -> None:
    """The first letters of the placeholder words, as the pattern matches them ignoring case,
    and as lowering folds the stock sentences' first words."""
    letter = re.compile(r"[mtcfi]", re.IGNORECASE)
    opening = {
        char
        for char in map(chr, range(sys.maxunicode + 1))
        if letter.fullmatch(char) or char.lower()[:1] in ("t", "u", "c")
    }
    assert {*opening, "[", "{"} == placeholders._MAY_OPEN
    words = {sentence.split()[0].lower() for sentence in placeholders.STOCK_SENTENCES}
    assert {word[0] for word in words} <= {"t", "u", "c"}
