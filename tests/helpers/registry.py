"""Helpers to build registries, cards and counts for service and CLI tests."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from countersign.models.card import ModelCard


def native_card(name: str, version: str, **extra: Any) -> ModelCard:
    """A small but realistic native card; ``extra`` overrides top-level fields."""
    data: dict[str, Any] = {
        "model_details": {
            "name": name,
            "version": version,
            "summary": f"{name} scores loan applications for default risk.",
        },
        "intended_use": {
            "text": "Ranking retail loan applications for manual review.",
            "out_of_scope": ["Automated rejection without human review."],
        },
        "quantitative_analyses": {
            "results": [
                {
                    "name": "auc",
                    "value": "0.87",
                    "numeric": 0.87,
                    "dataset": "holdout-2026",
                    "split": "test",
                },
                {
                    "name": "auc",
                    "value": "0.81",
                    "numeric": 0.81,
                    "dataset": "holdout-2026",
                    "split": "test",
                    "slice": "age < 25",
                },
            ]
        },
        "caveats_and_recommendations": {
            "limitations": ["Scores are poorly calibrated for applicants with thin credit files."]
        },
        "license": "proprietary",
        "owners": [{"name": "Risk Analytics", "contact": "risk-analytics@example.com"}],
        "risk_rating": "high",
    }
    data.update(extra)
    return ModelCard.model_validate(data)


def write_card(folder: Path, file_name: str, card: ModelCard) -> Path:
    """Write ``card`` as native JSON into ``folder``."""
    path = folder / file_name
    path.write_text(card.model_dump_json(indent=2), encoding="utf-8")
    return path


Place = Path | str
"""A registry's place as the raw helpers take it: a SQLite file, or a PostgreSQL URL."""


def place_of(database: Any) -> Place:
    """The raw place of an open :class:`~countersign.services.storage.database.Database`."""
    if database.on_server:
        return str(database.url)
    return Path(database.location)


@contextmanager
def raw_connection(place: Place) -> Iterator[Any]:
    """A plain DB-API connection (sqlite3 or psycopg), not through the app.

    What the block changed is committed when it ends without an error; the
    connection is closed after the block either way.
    """
    if isinstance(place, str) and place.startswith("postgresql"):
        import psycopg

        connection: Any = psycopg.connect(place)
    else:
        connection = sqlite3.connect(place)
    try:
        yield connection
        connection.commit()
    finally:
        connection.close()


def row_counts(db_path: Place) -> dict[str, int]:
    """Rows in each registry table, read with a plain connection (not through the app)."""
    with raw_connection(db_path) as connection:
        tables = [
            "models",
            "card_versions",
            "bundles",
            "attachments",
            "audit_events",
            "card_search",
        ]
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def audit_actions(db_path: Place) -> list[str]:
    """The action of every audit event, in order."""
    with raw_connection(db_path) as connection:
        return [row[0] for row in connection.execute("SELECT action FROM audit_events ORDER BY id")]


def last_audit_details(db_path: Place) -> dict[str, Any]:
    """The details of the newest audit event."""
    with raw_connection(db_path) as connection:
        row = connection.execute(
            "SELECT details_json FROM audit_events ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return dict(json.loads(row[0]))


def stored_bytes(place: Place) -> bytes:
    """Everything the registry holds, as bytes to search: a file (and its WAL), or every row."""
    if isinstance(place, Path):
        wal = Path(f"{place}-wal")
        return place.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    with raw_connection(place) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        ]
        parts = [
            str(row[0]).encode()
            for table in tables
            for row in connection.execute(f"SELECT t::text FROM {table} t")
        ]
    return b"\n".join(parts)
