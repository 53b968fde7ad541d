"""Revision 0003: a registry at 0002, with data, upgrades and can then be reviewed and signed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from countersign.models.tables import Base
from countersign.services.identities.identities import Identities
from countersign.services.reviews.reviews import Answer, Reviews, SignOffRequest
from countersign.services.reviews.signoff_verification import verify_signoffs
from tests.helpers.keyring_memory import MemoryKeyring, cheap_keystore
from tests.helpers.registry import native_card
from tests.helpers.signoff import PASSPHRASE
from tests.migrations import head_revision

NEW_TABLES = {"identities", "checklist_templates", "reviews", "signatures", "review_responses"}


def _registry_at_0002(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", "app:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    engine.dispose()
    card = native_card("legacy-scorer", "1.0", risk_rating="low")
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute(
        "INSERT INTO models (id, name, team, risk_tier, created_at, last_activity, "
        "latest_version, status, version_count) VALUES (1, 'legacy-scorer', 'Risk', 'low', "
        "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '1.0', 'submitted', 1)"
    )
    raw.execute(
        "INSERT INTO card_versions (model_id, version, seq, canonical_json, sha256, original, "
        "original_name, source_format, status, imported_at, imported_by) VALUES "
        "(1, '1.0', 1, ?, ?, x'00', 'card.json', 'native-json', 'submitted', 't', 'u')",
        (card.canonical_json(), card.sha256()),
    )
    raw.commit()
    raw.close()


def test_registry_at_0002_with_data_upgrades_and_takes_a_signoff(tmp_path: Path) -> None:
    from countersign.services.storage.database import Database

    path = tmp_path / "old.sqlite3"
    _registry_at_0002(path)
    db = Database.open(str(path))
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables >= NEW_TABLES
    assert raw.execute("SELECT name, status FROM models").fetchall() == [
        ("legacy-scorer", "submitted")
    ]
    raw.close()

    identities = Identities(db, cheap_keystore(MemoryKeyring()))
    identities.create("Ana Approver", "ana@example.org", "officer", PASSPHRASE)
    reviews = Reviews(db, identities)
    items = reviews.prepare("legacy-scorer", "1.0").template.template.items
    answers = {item.id: Answer("pass", "Checked against the legacy card.") for item in items}
    result = reviews.sign(
        SignOffRequest("legacy-scorer", "1.0", "standard", answers, "approve", "ana@example.org"),
        PASSPHRASE,
    )
    assert result.card_status == "approved"
    with db.read() as session:
        assert verify_signoffs(session).ok
    db.dispose()


def test_migration_matches_the_table_definitions(tmp_path: Path) -> None:
    from countersign.services.storage.database import Database

    db = Database.open(str(tmp_path / "new.sqlite3"))
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in differences if any(table in repr(d) for table in NEW_TABLES)]
    assert ours == []
    db.dispose()
