"""Revision 0006: a registry at 0005 with a signed sign-off upgrades, and the sign-off still verifies."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from countersign.services.reviews.signoff_payload import (
    SignoffContent,
    payload_bytes,
    signoff_payload,
)
from countersign.services.reviews.signoff_verification import verify_signoffs
from countersign.services.storage.database import Database
from tests.helpers.signoff import PASSPHRASE, medium_card, workbench
from tests.migrations import head_revision, migrate

ANA = "ana@example.org"


def test_a_version_1_sign_off_survives_the_upgrade(tmp_path: Path) -> None:
    with workbench(tmp_path) as bench:
        bench.import_card(medium_card())
        bench.person(ANA, "approver")
        result = bench.sign(ANA)
        key = bench.identities.unlock(ANA, PASSPHRASE)
        signed = result.review.signatures[0]
        # What Countersign signed before chain heads: the same payload at format version 1.
        old = signoff_payload(
            SignoffContent(
                card_version_sha256=bench.reviews.prepare("credit-scorer", "1.0").card_sha256,
                model="credit-scorer",
                version="1.0",
                template_id="standard",
                template_version=1,
                responses=[],
                decision="approve",
                comment="",
                signed_at=signed.signed_at,
                signer_fingerprint=signed.fingerprint,
                stage="staging",
            )
        )
        path = bench.path
    raw = sqlite3.connect(path)
    raw.execute("DELETE FROM review_responses")
    raw.execute(
        "UPDATE signatures SET signature = ?, chain_seq = NULL, chain_hash = NULL",
        (key.sign(payload_bytes(old)),),
    )
    raw.commit()
    raw.close()
    migrate(path, "0005", down=True)
    raw = sqlite3.connect(path)
    columns = {row[1] for row in raw.execute("PRAGMA table_info(signatures)")}
    assert "chain_seq" not in columns
    raw.close()

    db = Database.open(str(path))
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    assert raw.execute("SELECT chain_seq, chain_hash FROM signatures").fetchall() == [(None, None)]
    raw.close()
    with db.read() as session:
        report = verify_signoffs(session)
    assert report.ok, [p.describe() for p in report.problems]
    assert report.signatures == 1
    db.dispose()
