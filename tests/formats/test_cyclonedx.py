"""CycloneDX ML-BOMs: one card per machine-learning-model component (a BOM written for the test)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from countersign.formats.base import CardRefused
from countersign.formats.cyclonedx import BOM_TITLE, DIGESTS_TITLE
from countersign.formats.detect import read_card, read_cards

FIXTURE = Path(__file__).parents[1] / "fixtures" / "cards" / "cyclonedx" / "payments-ml-bom.json"


def _bom(**changes: Any) -> dict[str, Any]:
    bom: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    bom.update(changes)
    return bom


def _read(bom: dict[str, Any]) -> list[Any]:
    return read_cards(json.dumps(bom).encode(), "payments-ml-bom.json")


@pytest.mark.parametrize("spec", ["1.5", "1.6", "1.7"])
def test_every_model_component_is_one_card(spec: str) -> None:
    fraud, chargeback = _read(_bom(specVersion=spec))
    assert fraud.source_format == chargeback.source_format == "cyclonedx"
    assert fraud.warnings == []
    assert (fraud.card.model_details.name, fraud.card.model_details.version) == (
        "card-fraud-detector",
        "4.4",
    )
    assert (chargeback.card.model_details.name, chargeback.card.model_details.version) == (
        "chargeback-predictor",
        "1.2",
    )
    assert f"- CycloneDX version: {spec}" in fraud.card.extra_sections[0].text


def test_model_parameters_metrics_and_considerations_land_in_canonical_sections() -> None:
    read = _read(_bom())[0]
    card = read.card
    details = card.model_details
    assert details.model_type == "classification"
    assert details.architecture.splitlines() == [
        "Approach: supervised",
        "Architecture family: gradient boosted trees",
        "Model architecture: XGBoost, 400 trees, depth 8",
        "Inputs: transaction record (JSON)",
        "Outputs: fraud score 0-1",
    ]
    assert card.license == "Apache-2.0"
    assert [(o.name, o.role) for o in card.owners] == [
        ("Priya Natarajan", "author"),
        ("Payments Risk", "supplier"),
    ]
    assert [d.name for d in card.training_data.datasets] == ["transactions-2025"]
    assert card.training_data.datasets[0].sensitive_data == "card numbers (tokenised)"
    assert [d.name for d in card.evaluation_data.datasets] == ["holdout-2026-q1"]
    auc, recall, fpr = card.quantitative_analyses.results
    assert (auc.name, auc.numeric, auc.confidence_interval) == ("auc", 0.962, "[0.955, 0.969]")
    assert (recall.slice, recall.numeric) == ("card-not-present", 0.81)
    assert (fpr.value, fpr.numeric, fpr.slice) == ("0,012", 0.012, "card-present")
    assert card.quantitative_analyses.text == "ROC curves per channel."
    assert [a.name for a in read.attachments] == ["graphic-01-roc.png"]
    assert card.intended_use.primary_users == ["Fraud operations analysts"]
    assert card.intended_use.primary_uses == ["Holding suspicious transactions for review"]
    assert card.caveats_and_recommendations.limitations == [
        "Untested on merchants onboarded after 2025"
    ]
    assert card.caveats_and_recommendations.tradeoffs == ["Higher recall raises false declines"]
    risks = card.ethical_considerations.risks
    assert risks[0].mitigation == "Manual review for accounts under 90 days"
    assert risks[1].name == (
        "Fairness for customers abroad; harms: more false declines; benefits: fraud caught sooner"
    )
    extras = {extra.title: extra for extra in card.extra_sections}
    assert "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" in extras[BOM_TITLE].text
    assert extras[DIGESTS_TITLE].text == "- SHA-256: " + "9f2b" * 16
    # The SHA-256 names the model file an approval binds to (the gate's --artifact).
    assert read.artifacts == [
        {"name": card.model_details.name, "sha256": "9f2b" * 16, "size": None}
    ]
    assert '"activityEnergyCost"' in extras["Environmental considerations"].text
    assert extras["Model card properties"].text == "- decision threshold: 0.73"


def test_an_unknown_version_is_read_by_its_shape_with_a_warning() -> None:
    read = _read(_bom(specVersion="1.4"))[0]
    assert read.warnings[0].field == "specVersion"
    assert "CycloneDX 1.4 is not a version Countersign knows" in read.warnings[0].message


def test_a_bom_without_a_model_is_refused_by_name() -> None:
    bom = _bom(components=[{"type": "library", "name": "xgboost", "version": "2.0.3"}])
    with pytest.raises(CardRefused) as refused:
        _read(bom)
    assert refused.value.field == "components"
    assert refused.value.reason.startswith(
        "a CycloneDX BOM with no machine-learning-model component"
    )


def test_one_card_of_several_is_chosen_by_model_name() -> None:
    data = FIXTURE.read_bytes()
    chosen = read_card(data, "bom.json", model="chargeback-predictor")
    assert chosen.card.model_details.name == "chargeback-predictor"
    with pytest.raises(CardRefused) as refused:
        read_card(data, "bom.json")
    assert refused.value.reason == (
        "the BOM holds 2 model cards ('card-fraud-detector', 'chargeback-predictor'); say which one"
    )


def test_the_bom_is_bounded_like_every_card() -> None:
    deep = '{"bomFormat": "CycloneDX", "components": ' + "[" * 80 + "]" * 80 + "}"
    with pytest.raises(CardRefused, match="nested more than 64 levels"):
        read_cards(deep.encode(), "bom.json")


XML_FIXTURE = FIXTURE.with_suffix(".xml")


def test_an_xml_bom_reads_as_its_json_twin() -> None:
    [from_xml] = read_cards(XML_FIXTURE.read_bytes(), XML_FIXTURE.name)
    from_json = _read(_bom())[0]
    assert from_xml.source_format == "cyclonedx"
    assert from_xml.warnings == []
    xml_card, json_card = from_xml.card, from_json.card
    assert xml_card.model_details == json_card.model_details
    assert xml_card.quantitative_analyses == json_card.quantitative_analyses
    assert xml_card.intended_use == json_card.intended_use
    assert xml_card.caveats_and_recommendations == json_card.caveats_and_recommendations
    assert xml_card.ethical_considerations == json_card.ethical_considerations
    assert xml_card.owners == json_card.owners
    assert [d.name for d in xml_card.evaluation_data.datasets] == ["holdout-2026-q1"]
    assert xml_card.extra_sections[0].text == json_card.extra_sections[0].text
    assert [a.content for a in from_xml.attachments] == [a.content for a in from_json.attachments]


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        (
            '<?xml version="1.0"?>\n<!DOCTYPE bom [<!ENTITY a "aaaa">]>\n'
            '<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components/></bom>',
            "line 2",
            "the XML declares a document type or entities",
        ),
        (
            '<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components></bom>',
            "line 1 column 64",
            "not well-formed XML: mismatched tag",
        ),
        (
            '<bom xmlns="http://cyclonedx.org/schema/bom/1.6">'
            + "<a>" * 80
            + "</a>" * 80
            + "</bom>",
            "a",
            "XML is nested more than 64 levels deep",
        ),
    ],
)
def test_hostile_or_broken_xml_is_refused(text: str, field: str, reason: str) -> None:
    with pytest.raises(CardRefused) as refused:
        read_cards(text.encode(), "bom.xml")
    assert refused.value.field == field
    assert refused.value.reason.startswith(reason)
