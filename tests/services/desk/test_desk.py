"""The officer's desk as a service, on SQLite and on PostgreSQL: each list, its paging, "my" rounds."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from countersign.models.vocabulary import DeskList
from countersign.services.deployment.records import RevokeRequest
from countersign.services.desk import lists
from countersign.services.desk.records import Officer
from countersign.services.importing.importer import LooseCardInfo
from countersign.services.reviews.conditions import ApprovalTerms
from countersign.services.storage import database
from tests.helpers.mct import PHOTO_CLASSIFIER, write_mct_cards
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, workbench

ANA, BEA, OLGA = "ana@example.org", "bea@example.org", "olga@example.org"


@pytest.fixture
def bench(tmp_path: Path, registry_db: str) -> Iterator[Workbench]:
    """Three models to review (one card with a format warning); Ana, Bea approvers, Olga officer."""
    with workbench(tmp_path, registry_db) as built:
        built.import_card(medium_card("credit-scorer", "1.0"), team="Risk")
        built.import_card(medium_card("fraud-model", "1.0"), team="Payments")
        built.import_card(medium_card("triage", "1.0"), team="ED")
        built.person(OLGA, role="officer")
        built.person(ANA)
        built.person(BEA)
        yield built


def _names(page: object) -> list[tuple[str, str]]:
    return [(row.model, row.version) for row in page.rows]  # type: ignore[attr-defined]


def test_an_empty_registry_has_empty_lists(tmp_path: Path) -> None:
    with workbench(tmp_path) as bench:
        desk = bench.services.desk.desk()
    assert desk.officer == Officer((), ())
    assert desk.stages == ("staging", "production")
    for kind in DeskList:
        page = getattr(desk, kind.value)
        assert (page.kind, page.total, page.rows) == (kind, 0, ())


def test_each_list_follows_the_reviews(bench: Workbench) -> None:
    desk = bench.services.desk
    first = desk.desk()
    assert _names(first.to_review) == [
        ("credit-scorer", "1.0"),
        ("fraud-model", "1.0"),
        ("triage", "1.0"),
    ]
    assert first.to_review.rows[0].team == "Risk" and first.to_review.rows[0].risk_tier == "medium"
    assert set(first.officer.emails) == {ANA, BEA, OLGA}

    bench.sign(ANA)  # credit-scorer 1.0, standard checklist: approved for staging
    bench.sign(OLGA, "changes", model="fraud-model", comment="State the holdout period.")
    # A round with a quorum of two, signed by Bea alone: it waits for the others.
    bench.sign(BEA, model="triage", template="high-risk")

    officer = Officer((ANA, OLGA), ("Ana", "Olga"))
    after = desk.desk(officer=officer)
    assert after.to_review.total == 0
    waiting = after.awaiting_signature.rows
    assert [(r.model, r.version, r.stage, r.approvals, r.quorum) for r in waiting] == [
        ("triage", "1.0", "staging", 1, 2)
    ]
    assert waiting[0].signed_by == ("Bea",)
    # Bea's own desk: she signed it, so it waits for her no longer.
    assert desk.desk(officer=Officer((BEA,), ("Bea",))).awaiting_signature.total == 0

    (sent_back,) = after.changes_requested.rows
    assert (sent_back.model, sent_back.version, sent_back.team) == (
        "fraud-model",
        "1.0",
        "Payments",
    )
    assert (sent_back.requested_by, sent_back.comment) == ("Olga", "State the holdout period.")
    assert sent_back.stage == "staging"

    (approved,) = after.approved.rows
    assert approved.model == "credit-scorer"
    assert approved.stages == (("staging", "1.0"), ("production", ""))
    assert approved.version == "1.0"

    # The team answers with a newer version: it is to review, no longer awaiting the team.
    bench.import_card(medium_card("fraud-model", "1.1"), team="Payments")
    answered = desk.desk(officer=officer)
    assert answered.changes_requested.total == 0
    assert _names(answered.to_review) == [("fraud-model", "1.1")]


def test_my_identities_are_those_whose_keys_are_here(bench: Workbench) -> None:
    bea = bench.identities.get(BEA)
    assert bench.identities.keystore.delete(bea.fingerprint)
    officer = bench.services.desk.officer()
    assert set(officer.emails) == {ANA, OLGA}
    assert officer.keyring_problem == ""
    assert officer.names == tuple(bench.identities.get(e).name for e in officer.emails)


def test_approvals_for_each_stage_and_revocations(bench: Workbench) -> None:
    bench.sign(ANA, model="credit-scorer", stage="staging")
    bench.sign(ANA, model="credit-scorer", stage="production")
    bench.import_card(medium_card("credit-scorer", "2.0"), team="Risk")
    bench.sign(ANA, model="credit-scorer", version="2.0", stage="staging")
    desk = bench.services.desk.desk()
    (row,) = desk.approved.rows
    assert row.stages == (("staging", "2.0"), ("production", "1.0"))
    bench.services.deployment.revoke(
        RevokeRequest("credit-scorer", "2.0", "staging", "Found a leak in the holdout.", OLGA),
        PASSPHRASE,
    )
    (row,) = bench.services.desk.desk().approved.rows
    assert row.stages == (("staging", "1.0"), ("production", "1.0"))


def test_recent_imports_with_warnings_newest_first(
    bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo, other = write_mct_cards(bench.folder / "mct")
    for path in (photo, other):
        assert bench.services.importer.import_file(path, LooseCardInfo(team="Vision Lab")).ok
    desk = bench.services.desk.desk()
    warned = desk.import_warnings.rows
    assert PHOTO_CLASSIFIER in [row.model for row in warned]
    row = next(r for r in warned if r.model == PHOTO_CLASSIFIER)
    assert row.warnings >= 1 and row.team == "Vision Lab"
    assert row.first and ": " in row.first  # where, in words, then what
    assert desk.recent_window == lists.RECENT_IMPORTS
    # Only the newest card versions count as recent: with a window of one, the newest alone.
    monkeypatch.setattr(lists, "RECENT_IMPORTS", 1)
    newest = bench.services.desk.desk().import_warnings
    assert newest.total <= 1
    assert PHOTO_CLASSIFIER not in [r.model for r in newest.rows]


def test_recent_imports_count_card_versions_not_ids(
    bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window is the newest N card versions, whatever gaps their ids have.

    On PostgreSQL a rolled-back import still uses its sequence numbers (here taken as such an
    import would), and a copied registry keeps its ids, gaps and all.
    """
    photo, _ = write_mct_cards(bench.folder / "mct")
    assert bench.services.importer.import_file(photo, LooseCardInfo(team="Vision Lab")).ok
    # SQLite numbers a new row after the highest: there a gap comes from a copied registry.
    if bench.db.on_server:
        with bench.db.write() as session:
            for _ in range(5):
                session.execute(
                    text("SELECT nextval(pg_get_serial_sequence('card_versions', 'id'))")
                )
    bench.import_card(medium_card("late-model", "1.0"))
    monkeypatch.setattr(lists, "RECENT_IMPORTS", 2)
    warned = bench.services.desk.desk().import_warnings
    assert [row.model for row in warned.rows] == [PHOTO_CLASSIFIER]
    monkeypatch.setattr(lists, "RECENT_IMPORTS", 1)
    assert bench.services.desk.desk().import_warnings.rows == ()


def test_lists_are_read_a_page_at_a_time(bench: Workbench) -> None:
    desk = bench.services.desk
    officer = desk.officer()
    first = desk.desk(first=2, officer=officer)
    assert first.to_review.total == 3 and len(first.to_review.rows) == 2
    rest = desk.page(DeskList.TO_REVIEW, officer, 2, 10)
    assert rest.offset == 2 and _names(rest) == [("triage", "1.0")]
    assert desk.page(DeskList.TO_REVIEW, officer, 3, 10).rows == ()
    for kind in DeskList:
        assert desk.page(kind, officer, 0, 5).kind == kind


def test_queue_json_names_every_list(bench: Workbench) -> None:
    out = bench.services.desk.desk().as_json()
    assert set(out) == {
        "officer",
        "stages",
        "to_review",
        "awaiting_signature",
        "changes_requested",
        "approved",
        "expiring",
        "import_warnings",
    }
    assert out["to_review"]["total"] == 3 and out["to_review"]["shown"] == 3
    assert out["to_review"]["rows"][0] == {
        "model": "credit-scorer",
        "version": "1.0",
        "team": "Risk",
        "risk_tier": "medium",
        "imported_at": out["to_review"]["rows"][0]["imported_at"],
        "warnings": 0,
    }
    assert out["import_warnings"]["recent_card_versions"] == lists.RECENT_IMPORTS


def _approve_until(bench: Workbench, model: str, until: str, *terms: str) -> None:
    """Approve ``model`` 1.0 for staging through the real sign-off path, holding until ``until``."""
    request = dataclasses.replace(
        bench.request(ANA, model=model),
        terms=ApprovalTerms(terms, datetime.date.fromisoformat(until)),
    )
    bench.reviews.sign(request, PASSPHRASE)


def test_approvals_expiring_soon_then_expired(
    bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "utc_today", lambda: datetime.date(2026, 12, 5))
    _approve_until(bench, "credit-scorer", "2026-12-20", "Re-validate on December's data.")
    _approve_until(bench, "fraud-model", "2027-06-30")  # beyond the thirty days
    desk = bench.services.desk.desk()
    assert desk.expiring_within == lists.EXPIRING_WITHIN_DAYS == 30
    (soon,) = desk.expiring.rows
    assert (soon.model, soon.version, soon.stage, soon.expires_on) == (
        "credit-scorer",
        "1.0",
        "staging",
        "2026-12-20",
    )
    assert (soon.days_left, soon.expired, soon.when) == (15, False, "in 15 days")
    assert soon.conditions == ("Re-validate on December's data.",)
    assert [row.model for row in desk.approved.rows] == ["credit-scorer", "fraud-model"]

    # The day after its last day: expired, still listed as such, approved no longer.
    monkeypatch.setattr(database, "utc_today", lambda: datetime.date(2026, 12, 21))
    after = bench.services.desk.desk()
    (lapsed,) = after.expiring.rows
    assert (lapsed.days_left, lapsed.expired, lapsed.when) == (-1, True, "expired 1 day ago")
    assert [row.model for row in after.approved.rows] == ["fraud-model"]
    assert after.approved.total == 1
    assert after.as_json()["expiring"]["rows"][0]["expired"] is True
