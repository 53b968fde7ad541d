"""Revision 0015: a classified model's listed risk tier becomes its classification's.

A registry at 0014 whose import of a later version put the card's own rating
back in ``models.risk_tier`` (as the import did then) upgrades to the tier the
officer classified; a model never classified keeps its card's rating; the
trail still verifies and still says what each card said.
"""

from __future__ import annotations

from pathlib import Path

from countersign.services.deployment.records import ClassifyRequest
from countersign.services.integrity.registry_check import verify_registry
from countersign.services.storage.database import Database
from countersign.services.trust.anchors import TrustAnchors
from tests.helpers.registry import native_card, raw_connection
from tests.helpers.signoff import PASSPHRASE, medium_card, workbench
from tests.migrations import head_revision, migrate

OLGA = "olga@example.org"


def _registry(folder: Path, place: str) -> None:
    """credit-scorer classified high on 1.0, then 2.0 imported; fraud-model never classified."""
    with workbench(folder, place) as bench:
        bench.import_card(medium_card("credit-scorer", "1.0"))
        bench.import_card(native_card("fraud-model", "1.0", risk_rating="low"))
        bench.person(OLGA, role="officer")
        request = ClassifyRequest("credit-scorer", "1.0", "high", "Consumer credit.", OLGA)
        bench.services.deployment.classify(request, PASSPHRASE)
        bench.import_card(medium_card("credit-scorer", "2.0"))


def _listed(place: Path | str) -> dict[str, str]:
    with raw_connection(place) as connection:
        return dict(connection.execute("SELECT name, risk_tier FROM models").fetchall())


def test_a_registry_at_0014_upgrades_to_the_classified_tier(
    tmp_path: Path, registry_db: str
) -> None:
    _registry(tmp_path / "bench", registry_db)
    place: Path | str = registry_db if registry_db.startswith("postgresql") else Path(registry_db)
    migrate(place, "0014", down=True)
    with raw_connection(place) as connection:  # what the import before 0015 left
        connection.execute("UPDATE models SET risk_tier = 'medium' WHERE name = 'credit-scorer'")
    assert _listed(place) == {"credit-scorer": "medium", "fraud-model": "low"}

    database = Database.open(registry_db)  # opening upgrades to the head
    try:
        with database.read() as session:
            check = verify_registry(session, TrustAnchors())
            assert check.ok, [*check.lines()]
    finally:
        database.dispose()

    assert _listed(place) == {"credit-scorer": "high", "fraud-model": "low"}
    with raw_connection(place) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            head_revision(),
        )


def test_the_downgrade_leaves_the_rows(tmp_path: Path, registry_db: str) -> None:
    _registry(tmp_path / "bench", registry_db)
    place: Path | str = registry_db if registry_db.startswith("postgresql") else Path(registry_db)
    migrate(place, "0014", down=True)
    assert _listed(place) == {"credit-scorer": "high", "fraud-model": "low"}
