"""The number a metric value states: a decimal comma only where it cannot be a thousands comma."""

from __future__ import annotations

import pytest

from countersign.models.card import parse_metric_number


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("0.912", 0.912),
        (0.912, 0.912),
        ("20.0 ± 1.2", 20.0),
        ("96.5%", 96.5),
        ("0,912", 0.912),
        ("12,5 %", 12.5),
        ("3,14159", 3.14159),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1,234,567", 1234567.0),
        ("0.91, 0.92", 0.91),
    ],
)
def test_a_number_is_read(raw: object, number: float) -> None:
    assert parse_metric_number(raw) == pytest.approx(number)


@pytest.mark.parametrize("raw", ["1,234", "NA", "", True, None, "n/a 0.9"])
def test_no_number_is_read_where_none_is_stated_plainly(raw: object) -> None:
    # "1,234" is 1.234 in Europe and 1234 elsewhere: the raw text alone is kept.
    assert parse_metric_number(raw) is None
