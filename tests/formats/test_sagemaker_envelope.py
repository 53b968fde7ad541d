"""The DescribeModelCard response: the envelope's name, version and status, the card inside."""

from __future__ import annotations

import json

import pytest

from countersign.formats.base import CardRefused
from countersign.formats.detect import read_card
from countersign.formats.sagemaker_envelope import ENVELOPE_TITLE

_CONTENT = {
    "model_overview": {
        "model_description": "Flags card transactions for manual review.",
        "problem_type": "Binary Classification",
    },
    "intended_uses": {"purpose_of_model": "Fraud screening", "risk_rating": "High"},
    "evaluation_details": [
        {
            "name": "holdout-2026-q1",
            "metric_groups": [
                {
                    "name": "binary classification metrics",
                    "metric_data": [{"name": "auc", "type": "number", "value": 0.934}],
                }
            ],
        }
    ],
}


def _response(**overrides: object) -> dict[str, object]:
    response: dict[str, object] = {
        "ModelCardArn": "arn:aws:sagemaker:eu-west-1:123456789012:model-card/fraud-screening",
        "ModelCardName": "fraud-screening",
        "ModelCardVersion": 3,
        "Content": json.dumps(_CONTENT),
        "ModelCardStatus": "PendingReview",
        "CreationTime": "2026-03-01T09:30:00+00:00",
        "CreatedBy": {"UserProfileName": "dana"},
        "LastModifiedTime": "2026-03-04T16:05:00+00:00",
        "ModelCardProcessingStatus": "ContentDeleted",
        "ResponseMetadata": {"RequestId": "x"},
    }
    response.update(overrides)
    return response


def test_the_envelope_is_read_with_its_name_version_status_and_the_card_inside() -> None:
    read = read_card(json.dumps(_response()).encode(), "describe-model-card.json")
    card = read.card
    assert read.source_format == "sagemaker"
    assert card.model_details.name == "fraud-screening"
    assert card.model_details.version == "3"
    assert card.model_details.description == "Flags card transactions for manual review."
    assert card.risk_rating == "high"
    [auc] = card.quantitative_analyses.results
    assert (auc.name, auc.numeric, auc.dataset) == ("auc", 0.934, "holdout-2026-q1")
    envelope = card.extra_sections[0]
    assert envelope.title == ENVELOPE_TITLE
    assert envelope.source == "DescribeModelCard"
    assert "- Status: PendingReview" in envelope.text
    assert "- Card version: 3" in envelope.text
    assert "- ARN: arn:aws:sagemaker:eu-west-1:123456789012:model-card/fraud-screening" in (
        envelope.text
    )
    assert "RequestId" not in envelope.text
    fields = {w.field for w in read.warnings}
    assert "Content.model_overview.model_version" in fields


def test_the_content_names_the_model_when_it_can() -> None:
    content = {**_CONTENT, "model_overview": {"model_name": "fraud-xgb", "model_version": 7}}
    read = read_card(json.dumps(_response(Content=json.dumps(content))).encode(), "r.json")
    assert (read.card.model_details.name, read.card.model_details.version) == ("fraud-xgb", "7")


@pytest.mark.parametrize(
    ("content", "field", "reason"),
    [
        ('{"model_overview": ', "Content (line 1 column 20)", "not valid JSON: Expecting value"),
        ("[1, 2]", "Content", "Content holds list, not a model card's JSON"),
        (None, "Content", "Content holds nothing, not a model card's JSON"),
    ],
)
def test_an_envelope_without_a_card_inside_is_refused(
    content: object, field: str, reason: str
) -> None:
    with pytest.raises(CardRefused) as refused:
        read_card(json.dumps(_response(Content=content)).encode(), "r.json")
    assert refused.value.field == field
    assert reason in refused.value.reason


def test_the_content_keeps_the_depth_bound() -> None:
    deep = "[" * 100 + "]" * 100
    with pytest.raises(CardRefused, match="nested more than 64 levels"):
        read_card(json.dumps(_response(Content=deep)).encode(), "r.json")
