"""Conditions and expiry of an approval: the refusals, each storing nothing."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.reviews.conditions import (
    MAX_CONDITION_CHARS,
    MAX_CONDITIONS,
    ApprovalTerms,
    add_months,
    round_terms,
    today,
)
from countersign.services.reviews.errors import TermsRefused
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, table_counts, workbench

ANA = "ana@example.org"


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    with workbench(tmp_path) as built:
        built.import_card(medium_card())
        built.person(ANA)
        yield built


def _refused(bench: Workbench, terms: ApprovalTerms, match: str, decision: str = "approve") -> None:
    before = table_counts(bench.path), bench.statuses()
    request = dataclasses.replace(bench.request(ANA, decision), terms=terms)
    with pytest.raises(TermsRefused, match=match):
        bench.reviews.sign(request, PASSPHRASE)
    assert (table_counts(bench.path), bench.statuses()) == before


@pytest.mark.parametrize(
    ("terms", "match"),
    [
        (ApprovalTerms(("",)), "condition 1 is empty"),
        (ApprovalTerms(("ok", "x" * (MAX_CONDITION_CHARS + 1))), "condition 2 has 301 characters"),
        (ApprovalTerms(("Monitor\x1b[2J monthly",)), r"control character \('Monitor\\\\u001b"),
        (ApprovalTerms(("two\nlines",)), "condition 1 holds a control character"),
        (ApprovalTerms(("a\u202eb",)), "control character"),
        (ApprovalTerms(("c",) * (MAX_CONDITIONS + 1)), "11 conditions given; a sign-off carries"),
        (ApprovalTerms(expires=today() - datetime.timedelta(days=1)), "is in the past"),
        (ApprovalTerms(expires=add_months(today(), 121)), "more than 10 years away"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_stored(
    bench: Workbench, terms: ApprovalTerms, match: str
) -> None:
    _refused(bench, terms, match)


def test_terms_belong_to_an_approval(bench: Workbench) -> None:
    _refused(bench, ApprovalTerms(("Fix it.",)), "belong to an approval", decision="changes")


def test_the_rounds_terms_are_every_condition_and_the_earliest_expiry() -> None:
    first = ApprovalTerms(("Monitor the 65+ slice monthly.",), datetime.date(2027, 6, 30))
    second = ApprovalTerms(
        ("Re-validate on the 2027 data.", "Monitor the 65+ slice monthly."),
        datetime.date(2027, 3, 31),
    )
    held = round_terms([first, second, ApprovalTerms()])
    assert held.conditions == ("Monitor the 65+ slice monthly.", "Re-validate on the 2027 data.")
    assert held.expires_on == "2027-03-31"
    assert not held.expired(datetime.date(2027, 3, 31))
    assert held.expired(datetime.date(2027, 4, 1))
    assert add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
