"""A classification merged from a laptop is the tier the team's registry lists the model at.

The laptop classifies credit-scorer high, then imports its version 2.0 (whose
card still says medium); the team imports another model meanwhile.  After the
merge the team's registry lists, filters and reports credit-scorer as high.
"""

from __future__ import annotations

from pathlib import Path

from countersign.models.registry_rows import ModelFilter
from countersign.services.deployment.records import ClassifyRequest
from countersign.services.registry_copy import copy_between
from tests.helpers.registry import raw_connection
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card
from tests.services.merging.sides import OLGA, registry_problems, team_and_laptop


def _laptop_classifies_then_imports(laptop: Workbench) -> None:
    request = ClassifyRequest("credit-scorer", None, "high", "Consumer credit.", OLGA)
    laptop.services.deployment.classify(request, PASSPHRASE)
    laptop.import_card(medium_card("credit-scorer", "2.0"))


def _listed(team: Workbench) -> tuple[str, list[str]]:
    registry = team.services.registry
    high = [m.name for m in registry.models(ModelFilter(risk_tier="high"))]
    return registry.model("credit-scorer").risk_tier, high


def test_a_merged_classification_is_the_listed_tier(tmp_path: Path, registry_db: str) -> None:
    with team_and_laptop(tmp_path, registry_db) as (team, laptop):
        _laptop_classifies_then_imports(laptop)
        team.import_card(medium_card("churn-model", "1.0"))
        assert team.services.registry.model("credit-scorer").risk_tier == "medium"
        copy_between(str(laptop.db.location), registry_db)
        assert _listed(team) == ("high", ["credit-scorer"])
        newest = team.services.deployment.versions("credit-scorer")[-1]
        assert newest.version == "2.0" and newest.classification is not None
        assert newest.classification.tier == "high"
        assert registry_problems(registry_db) == []


def test_a_merge_settles_a_listed_tier_the_source_left_stale(
    tmp_path: Path, registry_db: str
) -> None:
    """A source whose row says the card's rating (as an import wrote it before 0015)."""
    with team_and_laptop(tmp_path, registry_db) as (team, laptop):
        _laptop_classifies_then_imports(laptop)
        team.import_card(medium_card("churn-model", "1.0"))
        laptop_path = Path(str(laptop.db.location))
        with raw_connection(laptop_path) as connection:
            connection.execute(
                "UPDATE models SET risk_tier = 'medium' WHERE name = 'credit-scorer'"
            )
        copy_between(str(laptop_path), registry_db)
        assert _listed(team) == ("high", ["credit-scorer"])
        assert registry_problems(registry_db) == []
