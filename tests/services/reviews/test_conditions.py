"""Conditions and expiry of an approval: the refusals, each storing nothing."""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.deployment.records import GateQuestion
from countersign.services.reviews.conditions import (
    MAX_CONDITION_CHARS,
    MAX_CONDITIONS,
    ApprovalTerms,
    add_months,
    round_terms,
    today,
)
from countersign.services.reviews.errors import ReviewClosed, RoleNotPermitted, TermsRefused
from countersign.services.reviews.records import SignOffRequest, SignOffResult
from countersign.services.reviews.signoff_verification import verify_signoffs
from countersign.services.storage import database
from tests.helpers.registry import raw_connection
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, table_counts, workbench

ANA = "ana@example.org"


@pytest.fixture(autouse=True)
def _on_a_fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests stand on 2026-12-05, so that the dates they sign stay in the future."""
    monkeypatch.setattr(database, "utc_today", lambda: datetime.date(2026, 12, 5))


@pytest.fixture
def bench(tmp_path: Path, registry_db: str) -> Iterator[Workbench]:
    """On SQLite and on PostgreSQL."""
    with workbench(tmp_path, registry_db) as built:
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


# -- signed, through the real sign-off path -------------------------------------------

UNTIL = datetime.date(2027, 3, 31)


def _approve_with_terms(bench: Workbench) -> SignOffResult:
    request = dataclasses.replace(
        bench.request(ANA), terms=ApprovalTerms(("Re-validate on the 2027 data.",), UNTIL)
    )
    return bench.reviews.sign(request, PASSPHRASE)


def _problems(bench: Workbench) -> list[str]:
    with bench.db.read() as session:
        return [p.problem for p in verify_signoffs(session).problems]


def test_conditions_and_expiry_are_signed_and_verify(bench: Workbench) -> None:
    result = _approve_with_terms(bench)
    signed = result.review.signatures[0]
    assert signed.conditions == ("Re-validate on the 2027 data.",)
    assert signed.expires_on == "2027-03-31"
    assert _problems(bench) == []
    state = bench.reviews.stages_for("credit-scorer", "1.0")[0]
    assert (state.status, state.expires_on, state.conditions) == (
        "approved",
        "2027-03-31",
        ("Re-validate on the 2027 data.",),
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE signatures SET expires_on = '2031-03-31'",  # a longer approval
        "UPDATE signatures SET expires_on = NULL",  # an approval that never expires
        "UPDATE signatures SET expires_on = 'never'",  # something that is no date
        "UPDATE signatures SET conditions_json = '[]'",  # the condition removed
        """UPDATE signatures SET conditions_json = '["Re-validate some day."]'""",
    ],
)
def test_a_changed_expiry_or_condition_breaks_the_signature(
    bench: Workbench, statement: str
) -> None:
    _approve_with_terms(bench)
    with raw_connection(bench.path) as connection:
        connection.execute(statement)
        connection.commit()
    problems = _problems(bench)
    assert problems and "no longer matches its rows: the signature does not verify" in problems[0]
    gate = bench.services.deployment.gate("credit-scorer", "1.0", GateQuestion("staging"))
    assert not gate.ok
    assert "sign-offs" in [c.check for c in gate.failed]


def test_a_payload_without_terms_is_the_one_signed_before_terms(bench: Workbench) -> None:
    plain = bench.sign(ANA)
    assert plain.review.signatures[0].expires_on is None
    assert ApprovalTerms().payload_members() == {}
    assert _problems(bench) == []


def _validity_template(bench: Workbench, tmp_path: Path) -> None:
    standard = bench.checklists.get("standard").template
    data = standard.model_dump(mode="json")
    data.update(id="expiring", validity_months={"medium": 6})
    path = tmp_path / "expiring.yaml"
    path.write_text(json.dumps(data))
    bench.checklists.import_file(path)


def test_the_template_bounds_the_validity_for_the_tier(bench: Workbench, tmp_path: Path) -> None:
    _validity_template(bench, tmp_path)
    latest = add_months(today(), 6)

    def request(terms: ApprovalTerms) -> SignOffRequest:
        return dataclasses.replace(
            bench.request(ANA, template="expiring", answers=bench.answers("expiring")),
            terms=terms,
        )

    before = table_counts(bench.path)
    with pytest.raises(TermsRefused, match="must say until when it holds: the checklist allows"):
        bench.reviews.sign(request(ApprovalTerms()), PASSPHRASE)
    beyond = latest + datetime.timedelta(days=1)
    with pytest.raises(TermsRefused, match="beyond what the checklist allows for a medium"):
        bench.reviews.sign(request(ApprovalTerms(expires=beyond)), PASSPHRASE)
    assert table_counts(bench.path) == before
    signed = bench.reviews.sign(request(ApprovalTerms(expires=latest)), PASSPHRASE)
    assert signed.review.signatures[0].expires_on == latest.isoformat()


def test_after_the_expiry_a_re_review_opens_a_new_round(
    bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    _approve_with_terms(bench)
    monkeypatch.setattr(database, "utc_today", lambda: UNTIL + datetime.timedelta(days=1))
    assert bench.reviews.stages_for("credit-scorer", "1.0")[0].status == "expired"
    draft = bench.reviews.prepare("credit-scorer", "1.0", "standard", "staging")
    assert draft.open_review is None and draft.stage_status == "expired"
    again = bench.sign(ANA)
    assert again.review.id != 1 and again.review.status == "approved"
    assert bench.reviews.stages_for("credit-scorer", "1.0")[0].status == "approved"
    assert _problems(bench) == []


def test_an_officer_asks_for_a_re_review_of_an_approval_that_holds(bench: Workbench) -> None:
    olga = "olga@example.org"
    bench.person(olga, role="officer")
    _approve_with_terms(bench)
    before = table_counts(bench.path)
    with pytest.raises(ReviewClosed, match=r"a new review needs a new version .*--re-review"):
        bench.sign(olga, decision="changes", stage="staging")
    asked = dataclasses.replace(bench.request(ANA, "changes", stage="staging"), re_review=True)
    with pytest.raises(RoleNotPermitted, match="only an officer asks for a re-review"):
        bench.reviews.sign(asked, PASSPHRASE)
    production = dataclasses.replace(bench.request(olga, stage="production"), re_review=True)
    with pytest.raises(ReviewClosed, match=r"only an approval .* is re-reviewed"):
        bench.reviews.sign(production, PASSPHRASE)
    assert table_counts(bench.path) == before

    # The officer's re-review opens a new round; its decision replaces the approval.
    requested = dataclasses.replace(
        bench.request(olga, "changes", comment="Drift found.", stage="staging"), re_review=True
    )
    result = bench.reviews.sign(requested, PASSPHRASE)
    assert result.review.id != 1 and result.review.status == "changes requested"
    state = bench.reviews.stages_for("credit-scorer", "1.0")[0]
    assert state.status == "changes requested"
    gate = bench.services.deployment.gate("credit-scorer", "1.0", GateQuestion("staging"))
    assert not gate.ok
    assert _problems(bench) == []
