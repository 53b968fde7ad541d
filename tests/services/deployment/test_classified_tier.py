"""A model's listed risk tier is the officer's classification when there is one.

The registry lists, filters and sorts models by ``models.risk_tier``; the
home screen, ``models --json`` and the first look read it too.  It must be the
tier the model's newest version is reviewed at: the officer's classification
(made on that version or an earlier one), else the card's own rating.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.models.registry_rows import ModelFilter, ModelOrder
from countersign.models.vocabulary import AuditAction
from countersign.services.deployment.records import ClassifyRequest
from tests.helpers.registry import native_card
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, workbench

OLGA = "olga@example.org"


@pytest.fixture
def bench(tmp_path: Path, registry_db: str) -> Iterator[Workbench]:
    """credit-scorer and fraud-model, both cards saying medium; Olga the officer."""
    with workbench(tmp_path, registry_db) as built:
        built.import_card(medium_card("credit-scorer", "1.0"))
        built.import_card(medium_card("fraud-model", "1.0"))
        built.person(OLGA, role="officer")
        yield built


def _classify(bench: Workbench, reference: tuple[str, str | None], tier: str) -> None:
    model, version = reference
    request = ClassifyRequest(model, version, tier, "Model risk policy MRP-07.", OLGA)
    bench.services.deployment.classify(request, PASSPHRASE)


def _filtered(bench: Workbench, tier: str) -> list[str]:
    return [m.name for m in bench.services.registry.models(ModelFilter(risk_tier=tier))]


def _in_force(bench: Workbench, model: str) -> str:
    """The tier the model's newest version is reviewed at, as the review rules read it."""
    newest = bench.services.deployment.versions(model)[-1]
    return newest.classification.tier if newest.classification else newest.card_rating


def test_the_classification_is_the_tier_listed_filtered_and_sorted_by(bench: Workbench) -> None:
    _classify(bench, ("credit-scorer", None), "high")
    registry = bench.services.registry
    assert registry.model("credit-scorer").risk_tier == "high"
    assert registry.model("fraud-model").risk_tier == "medium"
    assert _filtered(bench, "high") == ["credit-scorer"]
    assert _filtered(bench, "medium") == ["fraud-model"]
    assert registry.count_models(ModelFilter(risk_tier="high")) == 1
    by_tier = registry.models(order=ModelOrder("risk_tier"))
    assert [(m.name, m.risk_tier) for m in by_tier] == [
        ("credit-scorer", "high"),
        ("fraud-model", "medium"),
    ]
    to_review = bench.services.desk.desk().to_review.rows
    assert {(r.model, r.risk_tier) for r in to_review} == {
        ("credit-scorer", "high"),
        ("fraud-model", "medium"),
    }


def test_a_later_version_keeps_the_classification_in_force(bench: Workbench) -> None:
    _classify(bench, ("credit-scorer", "1.0"), "high")
    bench.import_card(medium_card("credit-scorer", "2.0"))  # the card still says medium
    assert bench.services.registry.model("credit-scorer").risk_tier == "high"
    assert _in_force(bench, "credit-scorer") == "high"
    assert _filtered(bench, "high") == ["credit-scorer"]

    _classify(bench, ("credit-scorer", "2.0"), "low")
    bench.import_card(native_card("credit-scorer", "3.0", risk_rating="critical"))
    assert bench.services.registry.model("credit-scorer").risk_tier == "low"
    assert _in_force(bench, "credit-scorer") == "low"

    # Classified again on an old version: the newest act is in force from there on.
    _classify(bench, ("credit-scorer", "1.0"), "critical")
    assert bench.services.registry.model("credit-scorer").risk_tier == "critical"
    assert _in_force(bench, "credit-scorer") == "critical"


def test_an_unclassified_model_lists_its_newest_cards_rating(bench: Workbench) -> None:
    bench.import_card(native_card("fraud-model", "2.0", risk_rating="high"))
    assert bench.services.registry.model("fraud-model").risk_tier == "high"
    # A card that states no rating keeps the tier listed before.
    bench.import_card(native_card("fraud-model", "3.0", risk_rating=""))
    assert bench.services.registry.model("fraud-model").risk_tier == "high"


def test_the_trail_keeps_what_the_card_said_and_verifies(bench: Workbench) -> None:
    _classify(bench, ("credit-scorer", None), "high")
    bench.import_card(medium_card("credit-scorer", "2.0"))
    created = bench.services.audit.events(action=AuditAction.MODEL_CREATED)
    said = {e.model_name: e.details["risk_tier"] for e in created}
    assert said == {"credit-scorer": "medium", "fraud-model": "medium"}
    check = bench.services.integrity.verify()
    assert check.ok, [*check.lines()]
