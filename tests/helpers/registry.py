"""Helpers to build registries, cards and counts for service and CLI tests."""

from __future__ import annotations

import json
import sqlite3
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


def row_counts(db_path: Path) -> dict[str, int]:
    """Rows in each registry table, read with plain sqlite3 (not through the app)."""
    connection = sqlite3.connect(db_path)
    try:
        tables = [
            "models",
            "card_versions",
            "bundles",
            "attachments",
            "audit_events",
            "card_search",
        ]
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        connection.close()


def audit_actions(db_path: Path) -> list[str]:
    """The action of every audit event, in order."""
    connection = sqlite3.connect(db_path)
    try:
        return [row[0] for row in connection.execute("SELECT action FROM audit_events ORDER BY id")]
    finally:
        connection.close()


def last_audit_details(db_path: Path) -> dict[str, Any]:
    """The details of the newest audit event."""
    connection = sqlite3.connect(db_path)
    try:
        row = connection.execute(
            "SELECT details_json FROM audit_events ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return dict(json.loads(row[0]))
    finally:
        connection.close()
