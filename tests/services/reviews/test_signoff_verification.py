"""Verification rebuilds each signed payload from the rows: a row changed in SQLite shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.reviews.reviews import Answer
from countersign.services.reviews.signoff_verification import SignOffReport, verify_signoffs
from tests.helpers.registry import native_card, raw_connection
from tests.helpers.signoff import Workbench, medium_card, workbench

ANA, BEA = "ana@example.org", "bea@example.org"


@pytest.fixture
def bench(tmp_path: Path, registry_db: str) -> Iterator[Workbench]:
    with workbench(tmp_path, registry_db) as made:
        made.import_card(medium_card())
        made.import_card(native_card("fraud-detector", "3.1"))
        made.person(ANA, "approver")
        made.person(BEA, "officer")
        made.sign(ANA, comment="Complete.")
        made.sign(ANA, model="fraud-detector", version="3.1", template="high-risk")
        yield made


def _verify(bench: Workbench) -> SignOffReport:
    with bench.db.read() as session:
        return verify_signoffs(session)


def _tamper(bench: Workbench, *statements: str) -> None:
    with raw_connection(bench.path) as connection:
        for statement in statements:
            connection.execute(statement)
        connection.commit()


def test_untouched_registry_verifies(bench: Workbench) -> None:
    report = _verify(bench)
    assert report.ok, [p.describe() for p in report.problems]
    assert (report.reviews, report.signatures) == (2, 2)
    assert report.describe() == (
        "Sign-offs intact: 2 signatures in 2 reviews verified against the registry rows."
    )


def test_changed_note_is_named(bench: Workbench) -> None:
    _tamper(
        bench,
        "UPDATE review_responses SET note = 'Looks fine to me.' "
        "WHERE item_id = 'monitoring-plan' AND signature_id = 1",
    )
    report = _verify(bench)
    assert [p.describe() for p in report.problems] == [
        "review 1 of credit-scorer 1.0: the sign-off by ana@example.org (signature 1) no longer "
        "matches its rows: the signature does not verify (an answer, note, decision, comment, "
        "condition, expiry date or time changed)",
        "review 1 of credit-scorer 1.0: the review says 'approved', but its valid sign-offs make "
        "it 'in review'",
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE signatures SET comment = 'Complete!' WHERE id = 1",
        "UPDATE signatures SET signed_at = '2020-01-01T00:00:00.000000Z' WHERE id = 1",
        "UPDATE review_responses SET answer = 'na' WHERE signature_id = 1 AND position = 0",
        "DELETE FROM review_responses WHERE signature_id = 1 AND position = 3",
        "UPDATE signatures SET signature = substr(signature, 1, 10) WHERE id = 1",
    ],
)
def test_any_changed_signed_row_fails(bench: Workbench, statement: str) -> None:
    _tamper(bench, statement)
    report = _verify(bench)
    assert not report.ok
    assert report.problems[0].review_id == 1
    assert report.problems[0].signature_id == 1
    assert "no longer matches its rows" in report.problems[0].problem


def test_changed_card_is_named(bench: Workbench) -> None:
    _tamper(
        bench,
        "UPDATE card_versions SET canonical_json = replace(canonical_json, 'proprietary', 'mit') "
        "WHERE version = '1.0'",
    )
    problems = [p.problem for p in _verify(bench).problems]
    assert problems == [
        "the card version's content no longer matches its SHA-256 (the card was changed)"
    ]


def test_status_not_backed_by_signoffs_is_named(bench: Workbench) -> None:
    # Someone marks the high-risk card approved with one approval of the two needed.
    _tamper(
        bench,
        "UPDATE reviews SET status = 'approved' WHERE id = 2",
        "UPDATE card_versions SET status = 'approved' WHERE version = '3.1'",
    )
    problems = [p.describe() for p in _verify(bench).problems]
    assert problems == [
        "review 2 of fraud-detector 3.1: the review says 'approved', but its valid sign-offs "
        "make it 'in review'"
    ]


def test_card_marked_approved_without_a_review_is_named(bench: Workbench) -> None:
    bench.import_card(medium_card("churn-model", "1.0"))
    _tamper(
        bench,
        "UPDATE card_versions SET status = 'approved' WHERE version = '1.0' "
        "AND model_id = (SELECT id FROM models WHERE name = 'churn-model')",
    )
    problems = [p.describe() for p in _verify(bench).problems]
    assert problems == [
        "churn-model 1.0: the card version is marked 'approved' but no review of it says so"
    ]


def test_changed_template_and_swapped_certificate_are_named(bench: Workbench) -> None:
    other = bench.identities.get(BEA)
    _tamper(
        bench,
        "UPDATE checklist_templates SET content_json = replace(content_json, '\"quorum\":2', "
        "'\"quorum\":1') WHERE template_id = 'high-risk'",
        f"UPDATE identities SET certificate_pem = '{other.certificate_pem}' "
        "WHERE email = 'ana@example.org'",
    )
    problems = [p.problem for p in _verify(bench).problems]
    assert any("checklist template high-risk@3 no longer matches its hash" in p for p in problems)
    assert any("the signer's stored certificate was replaced" in p for p in problems)


def test_retired_signers_still_verify(bench: Workbench) -> None:
    bench.identities.retire(ANA)
    assert _verify(bench).ok


def test_superseded_review_still_verifies(bench: Workbench) -> None:
    bench.import_card(native_card("fraud-detector", "3.2"))
    report = _verify(bench)
    assert report.ok, [p.describe() for p in report.problems]


def test_changes_requested_verifies(tmp_path: Path) -> None:
    with workbench(tmp_path) as bench:
        bench.import_card(medium_card())
        bench.person(ANA, "approver")
        answers = bench.answers()
        answers["monitoring-plan"] = Answer("fail", "Missing.")
        bench.sign(ANA, "changes", answers=answers)
        assert _verify(bench).ok
