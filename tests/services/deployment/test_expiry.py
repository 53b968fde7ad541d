"""Approvals that expire: the list of approvals ending on or before a day, and their status."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from countersign.models.tables import CardVersion
from countersign.models.vocabulary import StageStatus
from countersign.services.reviews.conditions import ApprovalTerms
from countersign.services.reviews.stages import stage_states
from countersign.services.storage import database
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, workbench

ANA, OLGA = "ana@example.org", "olga@example.org"


@pytest.fixture(autouse=True)
def _on_a_fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests stand on 2026-12-05, so that the dates they sign stay in the future."""
    monkeypatch.setattr(database, "utc_today", lambda: datetime.date(2026, 12, 5))


@pytest.fixture
def bench(tmp_path: Path, registry_db: str) -> Iterator[Workbench]:
    """On SQLite and on PostgreSQL."""
    with workbench(tmp_path, registry_db) as built:
        built.import_card(medium_card())
        built.import_card(medium_card("fraud-model"))
        built.person(ANA)
        built.person(OLGA, role="officer")
        yield built


def _approve(
    bench: Workbench, model: str, until: str, *conditions: str, stage: str = "staging"
) -> None:
    """Approve ``model`` 1.0 for ``stage`` through the real sign-off path, holding until ``until``."""
    terms = ApprovalTerms(conditions, datetime.date.fromisoformat(until))
    request = dataclasses.replace(bench.request(ANA, model=model, stage=stage), terms=terms)
    if stage == "production":
        request = dataclasses.replace(request, identity=OLGA)
    bench.reviews.sign(request, PASSPHRASE)


def test_approvals_expiring_lists_what_ends_by_the_day_soonest_first(bench: Workbench) -> None:
    _approve(bench, "credit-scorer", "2027-03-31", "Re-validate on the 2027 data.")
    _approve(bench, "fraud-model", "2027-01-15")
    _approve(
        bench, "credit-scorer", "2027-03-31", "Re-validate on the 2027 data.", stage="production"
    )
    deployment = bench.services.deployment

    assert deployment.approvals_expiring(datetime.date(2027, 1, 14)) == []
    found = deployment.approvals_expiring(datetime.date(2027, 6, 30))
    assert [(a.model, a.stage, a.expires_on) for a in found] == [
        ("fraud-model", "staging", "2027-01-15"),
        ("credit-scorer", "staging", "2027-03-31"),
        ("credit-scorer", "production", "2027-03-31"),
    ]
    assert found[1].conditions == ("Re-validate on the 2027 data.",)
    assert found[0].days_left(datetime.date(2027, 1, 10)) == 5
    assert not found[0].expired(datetime.date(2027, 1, 15))  # it holds through its last day
    assert found[0].expired(datetime.date(2027, 1, 16))


def test_an_approval_past_its_expiry_is_expired_for_its_stage(bench: Workbench) -> None:
    _approve(bench, "credit-scorer", "2027-03-31")
    states = bench.reviews.stages_for("credit-scorer", "1.0")
    assert states[0].status == StageStatus.APPROVED  # today is before 2027-03-31
    assert states[0].expires_on == "2027-03-31"
    with bench.db.read() as session:
        cv = session.scalars(
            select(CardVersion).order_by(CardVersion.id)
        ).first()  # credit-scorer 1.0
        assert cv is not None
        on_the_day = stage_states(session, cv, datetime.date(2027, 3, 31))
        after = stage_states(session, cv, datetime.date(2027, 4, 1))
    assert on_the_day[0].status == StageStatus.APPROVED
    assert after[0].status == StageStatus.EXPIRED
