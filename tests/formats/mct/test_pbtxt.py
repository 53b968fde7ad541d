"""Model Card Toolkit cards in protobuf text format, read like their JSON (a card written here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from countersign.formats.base import CardRefused
from countersign.formats.detect import read_card
from countersign.formats.mct.pbtxt import parse_pbtxt

FIXTURE = Path(__file__).parents[2] / "fixtures" / "cards" / "mct" / "loan-scorer.pbtxt"


def test_a_pbtxt_card_lands_in_the_canonical_sections() -> None:
    read = read_card(FIXTURE.read_bytes(), FIXTURE.name)
    card = read.card
    assert read.source_format == "mct"
    assert read.warnings == []
    details = card.model_details
    assert (details.name, details.version, details.date) == ("loan-scorer", "2.3", "2026-02-11")
    assert details.summary == "Scores consumer loan applications. Written by the credit risk team."
    assert [o.name for o in card.owners] == ["Credit Risk", "Joël Martin"]
    assert card.license == "Apache-2.0"
    assert [d.name for d in card.training_data.datasets] == ["applications-2025-train"]
    assert card.training_data.datasets[0].sensitive_data == "income, postcode"
    assert [d.name for d in card.evaluation_data.datasets] == ["applications-2026-q1-test"]
    auc, accuracy = card.quantitative_analyses.results
    assert (auc.numeric, auc.slice, auc.confidence_interval) == (0.87, "age < 25", "[0.84, 0.90]")
    assert accuracy.numeric == 0.81
    assert card.intended_use.primary_users == ["Credit officers"]
    assert card.caveats_and_recommendations.limitations == ["Not validated for business loans"]
    assert card.ethical_considerations.risks[0].mitigation == (
        "Postcode dropped from the 2.4 features"
    )


def test_scalars_escapes_and_repeated_fields() -> None:
    value = parse_pbtxt(
        'a: 1 b: -2.5 c: true d: ENUM_VALUE e: "tab\\there" f: 1e999 owners { name: "x" }',
        "t.pbtxt",
    )
    assert value == {
        "a": 1,
        "b": -2.5,
        "c": True,
        "d": "ENUM_VALUE",
        "e": "tab\there",
        "f": "1e999",
        "owners": [{"name": "x"}],
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a {" * 70 + "}" * 70, "nested more than 64 levels deep"),
        ("a: }", "a value was expected, not '}'"),
        ("a: [1, 2]", "lists in [ ] are not read; write the field once per value"),
        ('a: "unterminated', "'\"unterminated' cannot be read"),
    ],
)
def test_what_cannot_be_read_is_refused_with_its_line(text: str, reason: str) -> None:
    with pytest.raises(CardRefused) as refused:
        parse_pbtxt(text, "t.pbtxt")
    assert refused.value.field == "line 1"
    assert refused.value.reason == f"a protobuf text file that cannot be read: {reason}"


def test_a_long_pbtxt_reads_in_linear_time() -> None:
    import time

    users = 'users { description: "u" }\n' * 40_000
    text = f'model_details {{ name: "big" }}\nconsiderations {{\n{users}}}\n'
    started = time.process_time()
    read = read_card(text.encode(), "big.pbtxt")
    assert time.process_time() - started < 10
    assert len(read.card.intended_use.primary_users) == 40_000
