"""A failed threshold escalates: a plain approval is refused until the escalation the
template names has signed, the round counts it, and verification re-derives it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.reviews.errors import EscalationNeeded, ResponsesInvalid
from countersign.services.reviews.reviews import Answer
from countersign.services.reviews.signoff_verification import verify_signoffs
from tests.helpers.registry import raw_connection
from tests.helpers.signoff import Workbench, fair_lending_card, workbench

ANA, BEA, OLA = "ana@example.org", "bea@example.org", "ola@example.org"
NOTE = "0.78 for ages 18-24 is accepted: the Fair Lending Committee's memo FL-2026-11."


@pytest.fixture
def bench(tmp_path: Path, registry_db: str) -> Iterator[Workbench]:
    """credit-scorer 2.0 (high risk) whose 18-24 adverse impact ratio is 0.78; two approvers
    and an officer."""
    with workbench(tmp_path, registry_db) as made:
        made.import_card(fair_lending_card("2.0"))
        made.person(OLA, "officer")
        made.person(ANA, "approver")
        made.person(BEA, "approver")
        yield made


def _answers(bench: Workbench, **override: Answer) -> dict[str, Answer]:
    answers = bench.answers("high-risk")
    answers.update({key.replace("_", "-"): value for key, value in override.items()})
    return answers


def _sign(bench: Workbench, email: str, **override: Answer):  # type: ignore[no-untyped-def]
    return bench.sign(
        email,
        version="2.0",
        template="high-risk",
        answers=_answers(bench, adverse_impact=Answer("pass", NOTE), **override),
    )


def test_the_failed_threshold_shows_its_escalation(bench: Workbench) -> None:
    draft = bench.reviews.prepare("credit-scorer", "2.0", "high-risk")
    view = next(v for v in draft.items if v.item.id == "adverse-impact")
    assert view.automatic is not None and view.automatic.result == "fail"
    assert "age 18-24 (holdout-2026, test) = 0.78, needs at least 0.8" in view.automatic.evidence
    assert view.escalates and view.escalation is not None
    assert view.escalation.describe() == "an approval by an officer"
    # The regression limit has nothing to compare with: no version was approved before.
    regression = next(v for v in draft.items if v.item.id == "auc-regression")
    assert regression.automatic is not None and regression.automatic.passed
    assert not regression.escalates


def test_a_plain_approval_is_refused_until_the_officer_signs(bench: Workbench) -> None:
    before = bench.counts()
    with pytest.raises(EscalationNeeded) as refused:
        _sign(bench, ANA)
    message = str(refused.value)
    assert "item 'adverse-impact' failed its threshold" in message
    assert "escalation 'fair-lending'" in message
    assert "refused until an officer approves" in message
    assert bench.counts() == before
    # Passing the failed threshold takes a note, whoever signs.
    with pytest.raises(ResponsesInvalid, match="the threshold check failed") as no_note:
        bench.sign(
            OLA,
            version="2.0",
            template="high-risk",
            answers=_answers(bench, adverse_impact=Answer("pass")),
        )
    assert no_note.value.field == "adverse-impact.note"

    first = _sign(bench, OLA)
    assert first.card_status == "in review"  # the quorum is two
    (signed,) = first.review.signatures
    assert signed.escalations.needed == ("fair-lending",)
    assert signed.escalations.signed == ("fair-lending",)
    # The escalation has signed: the approver's plain approval now counts and closes the round.
    second = _sign(bench, ANA)
    assert second.card_status == "approved"
    assert second.review.signatures[1].escalations.signed == ()
    with bench.db.read() as session:
        report = verify_signoffs(session)
    assert report.ok, [p.describe() for p in report.problems]


def test_two_approvers_without_the_escalation_never_approve(bench: Workbench) -> None:
    # Requesting changes needs no escalation.
    result = bench.sign(
        ANA,
        "changes",
        version="2.0",
        template="high-risk",
        answers=_answers(bench, adverse_impact=Answer("fail", "Below the four-fifths rule.")),
    )
    assert result.card_status == "changes requested"


def test_a_changed_escalation_row_no_longer_verifies(bench: Workbench) -> None:
    _sign(bench, OLA)
    _sign(bench, ANA)
    with raw_connection(bench.path) as connection:
        # Claim the approver's sign-off was the escalation and forget the officer's.
        connection.execute(
            'UPDATE signatures SET escalations_json = \'{"needed": [], "signed": []}\' WHERE id = 1'
        )
        connection.commit()
    with bench.db.read() as session:
        report = verify_signoffs(session)
    problems = [p.describe() for p in report.problems]
    assert any("signature 1" in p and "no longer matches" in p for p in problems), problems
    assert any("its valid sign-offs make it 'in review'" in p for p in problems), problems


def test_more_approvals_when_the_auc_falls(tmp_path: Path, registry_db: str) -> None:
    with workbench(tmp_path, registry_db) as bench:
        bench.import_card(fair_lending_card("1.0", young_air="0.85", auc="0.87"))
        bench.person(OLA, "officer")
        bench.person(ANA, "approver")
        bench.person(BEA, "approver")
        for email in (ANA, BEA):
            bench.sign(email, version="1.0", template="high-risk", answers=_answers(bench))
        bench.import_card(fair_lending_card("2.0", young_air="0.85", auc="0.85"))
        draft = bench.reviews.prepare("credit-scorer", "2.0", "high-risk")
        view = next(v for v in draft.items if v.item.id == "auc-regression")
        assert view.escalates and view.automatic is not None
        assert "compared with 1.0 (last approved for staging)" in view.automatic.evidence
        assert "0.85, was 0.87 (-0.02)" in view.automatic.evidence
        fell = Answer("pass", "The fall is the price of dropping the bureau feed; accepted.")
        answers = _answers(bench, auc_regression=fell)
        for email in (ANA, BEA):
            result = bench.sign(email, version="2.0", template="high-risk", answers=answers)
            assert result.card_status == "in review"  # 2 of 3: one more for the escalation
        result = bench.sign(OLA, version="2.0", template="high-risk", answers=answers)
        assert result.card_status == "approved"
        with bench.db.read() as session:
            assert verify_signoffs(session).ok
