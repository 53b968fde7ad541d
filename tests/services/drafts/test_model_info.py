"""Model info into a canonical card: every shape the API promises, and each refusal by name."""

from __future__ import annotations

from typing import Any

import pytest

from countersign.errors import CountersignError
from countersign.services.drafts import ModelInfoRefused, card_from_model_info


def test_the_flow_example_fills_name_version_metric_and_limitation() -> None:
    card = card_from_model_info(
        {
            "name": "ImageClassifier",
            "version": "1.0",
            "metrics": {"accuracy": 0.92},
            "limitations": "May misclassify rare images",
        }
    )
    assert card.model_details.name == "ImageClassifier"
    assert card.model_details.version == "1.0"
    (result,) = card.quantitative_analyses.results
    assert (result.name, result.type, result.value, result.numeric) == (
        "accuracy",
        "accuracy",
        "0.92",
        0.92,
    )
    assert card.caveats_and_recommendations.limitations == ["May misclassify rare images"]


def test_metrics_as_a_list_keep_dataset_split_and_slice() -> None:
    card = card_from_model_info(
        {
            "name": "m",
            "metrics": [
                {"name": "auc", "value": 0.87, "dataset": "holdout", "split": "test"},
                {"name": "auc", "value": "0.81", "dataset": "holdout", "slice": "age < 25"},
                {"name": "rmse", "value": "20.0 ± 1.2", "task": "tabular-regression"},
            ],
        }
    )
    first, second, third = card.quantitative_analyses.results
    assert (first.dataset, first.split, first.slice) == ("holdout", "test", "")
    assert (second.slice, second.numeric) == ("age < 25", 0.81)
    assert (third.value, third.numeric, third.task) == ("20.0 ± 1.2", 20.0, "tabular-regression")


def test_metric_mapping_values_may_carry_their_fields() -> None:
    card = card_from_model_info(
        {"metrics": {"f1": {"value": 0.7, "dataset": "d", "split": "validation", "type": "f1"}}}
    )
    (result,) = card.quantitative_analyses.results
    assert (result.name, result.dataset, result.split) == ("f1", "d", "validation")


def test_texts_lists_sections_and_canonical_fields() -> None:
    card = card_from_model_info(
        {
            "name": "m",
            "version": 2,
            "limitations": ["thin files", "new regions"],
            "intended_use": "Ranking applications for manual review.",
            "out_of_scope": "Automated rejection.",
            "training_data": ["bureau-2024"],
            "evaluation_data": {"text": "Out of time.", "datasets": ["holdout-2025"]},
            "owners": ["Risk Analytics", {"name": "Ana", "contact": "ana@example.com"}],
            "risks": ["Unfair outcomes"],
            "language": "en",
            "license": "proprietary",
            "metrics.decision_thresholds": "Refer above 0.4.",
            "model_details": {"summary": "Scores loans."},
            "extra_sections": {"Monitoring": "Weekly drift report."},
            "risk_rating": "medium",
        }
    )
    assert card.model_details.version == "2"
    assert card.model_details.summary == "Scores loans."
    assert card.caveats_and_recommendations.limitations == ["thin files", "new regions"]
    assert card.intended_use.text.startswith("Ranking")
    assert card.intended_use.out_of_scope == ["Automated rejection."]
    assert [d.name for d in card.training_data.datasets] == ["bureau-2024"]
    assert [d.name for d in card.evaluation_data.datasets] == ["holdout-2025"]
    assert [o.name for o in card.owners] == ["Risk Analytics", "Ana"]
    assert card.ethical_considerations.risks[0].name == "Unfair outcomes"
    assert card.languages == ["en"]
    assert card.metrics.decision_thresholds == "Refer above 0.4."
    assert card.extra_sections[0].title == "Monitoring"
    assert card.risk_rating == "medium"


@pytest.mark.parametrize(
    ("info", "key", "words"),
    [
        ({"limitation": "x"}, "limitation", "did you mean 'limitations'"),
        ({"metrics": {"accuracy": True}}, "metrics.accuracy.value", "true/false"),
        ({"metrics": {"accuracy": None}}, "metrics.accuracy.value", "needs a value"),
        ({"metrics": {"accuracy": float("nan")}}, "metrics.accuracy.value", "finite"),
        ({"metrics": [{"value": 1}]}, "metrics[0].name", "needs a name"),
        ({"metrics": [{"name": "a", "value": 1, "datset": "d"}]}, "metrics[0].datset", "dataset"),
        ({"metrics": 0.9}, "metrics", "mapping of metric names"),
        (
            {"metrics": [{"name": "a", "value": 1}, {"name": "a", "value": 2}]},
            "metrics[1]",
            "same metric",
        ),
        ({"version": ["1"]}, "version", "expected a text"),
        ({"limitations": ["ok", {"x": 1}]}, "limitations[1]", "expected a text"),
        ({"risk_rating": "severe"}, "risk_rating", "'severe' is not one of"),
        ({"owners": [{"name": "a", "email": "b"}]}, "owners[0].email", "unknown key"),
        ({"intended_use": {"txt": "x"}}, "intended_use.txt", "did you mean 'text'"),
        ({"intended_use": 3}, "intended_use", "expected a text or a mapping"),
        ({"name": "a", "model_details": {"name": "b"}}, "model_details.name", "already given"),
        ({"factors.colour": "x"}, "factors.colour", "unknown key"),
    ],
)
def test_a_bad_key_or_value_is_refused_naming_it(
    info: dict[str, Any], key: str, words: str
) -> None:
    with pytest.raises(ModelInfoRefused) as caught:
        card_from_model_info(info)
    assert caught.value.key == key
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"model info: {key}: ")
    assert isinstance(caught.value, CountersignError)


def test_model_info_that_is_no_mapping_is_refused() -> None:
    with pytest.raises(ModelInfoRefused, match="a mapping of keys to values, not a list"):
        card_from_model_info([("name", "x")])  # type: ignore[arg-type]
