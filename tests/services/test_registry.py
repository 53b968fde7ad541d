"""Paging the registry's models: offset and keyset agree, and a model's row is found by count."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.database import Database
from app.services.registry import ModelFilter, Registry


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    path = tmp_path / "registry.sqlite3"
    db = Database.open(str(path))
    connection = sqlite3.connect(path)
    with connection:
        # Teams repeat, so sorting by team needs the id to break ties.
        connection.executemany(
            "INSERT INTO models (name, team, risk_tier, latest_version, status, version_count,"
            " created_at, last_activity) VALUES (?, ?, ?, '1', ?, 1, '2026-01-01', '2026-01-02')",
            [
                (
                    f"m-{i:03d}",
                    f"Team {i % 4}",
                    ("low", "high")[i % 2],
                    ("submitted", "approved")[i % 3 == 0],
                )
                for i in range(120)
            ],
        )
    connection.close()
    yield Registry(db)
    db.dispose()


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", ["name", "team", "status"])
def test_offset_and_keyset_pages_agree(registry: Registry, sort: str, descending: bool) -> None:
    everything = registry.models(sort=sort, descending=descending, limit=1000)
    assert len(everything) == 120
    by_offset = registry.models(sort=sort, descending=descending, offset=50, limit=25)
    last = everything[49]
    by_keyset = registry.models(
        sort=sort,
        descending=descending,
        limit=25,
        after=(str(getattr(last, sort)), last.id),
    )
    assert by_offset == by_keyset == everything[50:75]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", ["name", "team", "risk_tier"])
def test_model_position_is_its_row(registry: Registry, sort: str, descending: bool) -> None:
    filters = ModelFilter(status="submitted")
    rows = registry.models(filters, sort=sort, descending=descending, limit=1000)
    assert len(rows) == 80
    for row in (0, 17, 79):
        name = rows[row].name
        assert registry.model_position(name, filters, sort=sort, descending=descending) == row


def test_model_position_of_a_model_not_shown(registry: Registry) -> None:
    assert registry.model_position("m-003", ModelFilter(status="submitted")) is None
    assert registry.model_position("m-003") == 3
    assert registry.model_position("nobody") is None
