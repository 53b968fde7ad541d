"""Revision 0005: a registry from before stages upgrades with its approvals kept.

An approval signed before stages (its payload names no stage) counts for every
stage: it was the approval to deploy.  The registry gate passes for production,
and the sign-off still verifies.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from countersign.models.tables import Base, CardVersion, Review, Signature
from countersign.services.deployment.records import GateQuestion
from countersign.services.reviews.signoff_payload import (
    SignedResponse,
    SignoffContent,
    payload_bytes,
    signoff_payload,
)
from countersign.services.reviews.signoff_verification import verify_signoffs
from countersign.services.storage.database import Database
from tests.helpers.signoff import PASSPHRASE, medium_card, workbench
from tests.migrations import migrate

NEW_TABLES = {"stages", "classifications", "revocations"}


def _legacy_registry(folder: Path) -> Path:
    """An approval signed as before stages (no stage in its payload), in a 0003 registry."""
    with workbench(folder) as bench:
        bench.import_card(medium_card())
        bench.person("ana@example.org")
        bench.sign("ana@example.org")
        key = bench.identities.unlock("ana@example.org", PASSPHRASE)
        with bench.db.write() as session:
            review = session.scalars(select(Review)).one()
            signature = session.scalars(select(Signature)).one()
            cv = session.get(CardVersion, review.card_version_id)
            assert cv is not None
            responses = [
                SignedResponse(r.item, r.answer, r.note, r.automatic, r.evidence)
                for r in bench.reviews.reviews_for("credit-scorer", "1.0")[0]
                .signatures[0]
                .responses
            ]
            payload = signoff_payload(
                SignoffContent(
                    card_version_sha256=cv.sha256,
                    model="credit-scorer",
                    version="1.0",
                    template_id="standard",
                    template_version=1,
                    responses=responses,
                    decision="approve",
                    comment="",
                    signed_at=signature.signed_at,
                    signer_fingerprint=signature.signer_fingerprint,
                )
            )
            review.stage = None
            signature.signature = key.sign(payload_bytes(payload))
        path = bench.path
    migrate(path, "0003", down=True)
    raw = sqlite3.connect(path)
    columns = [row[1] for row in raw.execute("PRAGMA table_info(reviews)")]
    raw.close()
    assert "stage" not in columns
    return path


def test_a_registry_from_before_stages_keeps_its_approvals(tmp_path: Path) -> None:
    path = _legacy_registry(tmp_path)
    db = Database.open(str(path))
    with db.read() as session:
        assert verify_signoffs(session).ok
    db.dispose()
    with workbench(tmp_path) as bench:
        status = bench.services.deployment.status("credit-scorer")
        assert status.summary == "production 1.0"
        assert [s.status for s in status.versions[0].stages] == ["approved", "approved"]
        gate = bench.services.deployment.gate("credit-scorer", "1.0", GateQuestion("production"))
        assert gate.ok, gate.failed
        assert bench.services.deployment.stages() == ["staging", "production"]


def test_migration_matches_the_table_definitions(tmp_path: Path) -> None:
    db = Database.open(str(tmp_path / "new.sqlite3"))
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [
        d
        for d in differences
        if any(t in repr(d) for t in (*NEW_TABLES, "'stage'", "artifacts_json"))
    ]
    assert ours == []
    db.dispose()
