"""SageMaker model card JSON: our fixture cards, the SDK's corpus fragments, and each warning."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from countersign.formats.base import CardRefused, ReadCard
from countersign.formats.detect import read_card
from countersign.formats.sagemaker import looks_like_sagemaker, read_sagemaker
from countersign.models.card import MetricResult

CARDS = ("credit-risk-classifier.json", "demand-forecast-regression.json", "minimal.json")
CLARIFY_EVALUATION = "Clarify bias analysis (holdout 2023-H2)"
HOLDOUT = "s3://example-credit-data/retail-credit-default/holdout/2023-07_2023-12.parquet"


def _fixture(fixtures: Path, name: str) -> ReadCard:
    path = fixtures / "cards" / "sagemaker" / name
    return read_card(path.read_bytes(), name)


def _sagemaker(value: dict[str, Any]) -> ReadCard:
    return read_sagemaker(value, "card.json")


def _warnings(read: ReadCard) -> dict[str, str]:
    return {warning.field: warning.message for warning in read.warnings}


def _extra(read: ReadCard, source: str) -> str:
    texts = [section.text for section in read.card.extra_sections if section.source == source]
    assert texts, f"no extra section from {source}"
    return texts[0]


def _result(read: ReadCard, name: str, slice_name: str = "") -> MetricResult:
    found = [
        r
        for r in read.card.quantitative_analyses.results
        if r.name == name and r.slice == slice_name
    ]
    assert len(found) == 1, f"{name!r} / {slice_name!r}: {len(found)} results"
    return found[0]


# -- our fixture cards -------------------------------------------------------------


def test_credit_risk_card_overview_and_intended_uses(fixtures: Path) -> None:
    read = _fixture(fixtures, "credit-risk-classifier.json")
    assert read.source_format == "sagemaker"
    assert read.warnings == []
    card = read.card
    details = card.model_details
    assert details.name == "retail-credit-default-xgb"
    assert details.version == "3"
    assert details.model_type == "Binary Classification"
    assert details.architecture == "XGBoost"
    assert details.developers == ["Priya Raman"]
    assert details.description.startswith("Gradient-boosted classifier that estimates")
    assert [(o.name, o.role) for o in card.owners] == [
        ("Retail Credit Risk Analytics", "model owner")
    ]
    assert card.risk_rating == "high"
    assert card.intended_use.text == (
        "Estimate 12-month probability of default for new unsecured personal loan applications."
    )
    assert card.intended_use.primary_uses[0].startswith("Used by the credit decision engine")
    assert card.factors.text.startswith("Performance degrades for applicants with thin credit")
    assert "subject to fair lending law" in _extra(
        read, "intended_uses.explanations_for_risk_rating"
    )
    assert _extra(read, "model_overview.model_id").endswith("model/retail-credit-default-xgb-v3")
    assert _extra(read, "model_overview.inference_environment.container_image").endswith(
        "sagemaker-xgboost:1.7-1"
    )
    assert _extra(read, "business_details.line_of_business") == "Retail Lending"
    assert "Model Risk Management" in _extra(read, "business_details.business_stakeholders")


def test_credit_risk_card_training_details(fixtures: Path) -> None:
    read = _fixture(fixtures, "credit-risk-classifier.json")
    card = read.card
    assert card.training_data.text.startswith("Trained on applications originated")
    assert [d.name for d in card.training_data.datasets] == [
        "s3://example-credit-data/retail-credit-default/train/2019-01_2023-06.parquet"
    ]
    assert _extra(read, "training_details.objective_function") == (
        "Minimize Loss\nCondition: binary:logistic\n"
        "Log-loss on the 12-month default flag, with class weights for the 6% default rate."
    )
    assert _extra(read, "training_details.training_job_details.hyper_parameters") == (
        "max_depth = 6\neta = 0.1\nnum_round = 400"
    )
    assert _extra(read, "training_details.training_job_details.user_provided_hyper_parameters") == (
        "scale_pos_weight = 15.6"
    )
    auc = _result(read, "validation:auc")
    assert (auc.value, auc.numeric) == ("0.8712", 0.8712)
    assert auc.details["reported_by"] == "training job"


def test_credit_risk_card_clarify_bias_metrics_are_sliced_by_facet(fixtures: Path) -> None:
    read = _fixture(fixtures, "credit-risk-classifier.json")
    foreign = "label Default = 1 and facet ForeignWorker=1"
    disparate_impact = _result(read, "DI", foreign)
    assert (disparate_impact.value, disparate_impact.numeric) == ("0.8703", 0.8703)
    assert disparate_impact.type == "number"
    assert disparate_impact.dataset == HOLDOUT
    assert disparate_impact.details["notes"] == "Disparate Impact (DI)"
    assert disparate_impact.details["evaluation"] == CLARIFY_EVALUATION
    assert disparate_impact.details["metric_group"] == (
        "post_training_bias_metrics - label Default = 1 and facet ForeignWorker=1"
    )
    assert disparate_impact.details["source"] == (
        "evaluation_details[0].metric_groups[1].metric_data[1]"
    )
    assert _result(read, "DI", "label Default = 1 and facet ForeignWorker=0").numeric == 1.1491
    assert _result(read, "CI", foreign).numeric == -0.8904
    assert read.card.quantitative_analyses.text.startswith(
        f"{CLARIFY_EVALUATION}: Demographic disparity in predicted labels"
    )
    assert [d.name for d in read.card.evaluation_data.datasets] == [HOLDOUT]
    metadata = _extra(read, "evaluation_details[0].metadata")
    assert "facet: ForeignWorker" in metadata
    assert _extra(read, "evaluation_details[0].evaluation_job_arn").startswith(
        "arn:aws:sagemaker:eu-west-1:111122223333:processing-job/clarify-bias"
    )


def test_credit_risk_card_chart_metrics_are_json_text_without_a_number(fixtures: Path) -> None:
    read = _fixture(fixtures, "credit-risk-classifier.json")
    matrix = _result(read, "confusion_matrix")
    assert (matrix.type, matrix.value, matrix.numeric) == (
        "matrix",
        "[[40122,2871],[1104,1741]]",
        None,
    )
    assert matrix.details["x_axis_name"] == '["0","1"]'
    assert matrix.slice == ""  # "binary_classification_metrics" names no slice
    roc = _result(read, "receiver_operating_characteristic_curve")
    assert json.loads(roc.value) == [[0.0, 0.0], [0.05, 0.41], [0.2, 0.77], [1.0, 1.0]]
    assert roc.details["y_axis_name"] == "true_positive_rate"
    bars = _result(read, "approval_rate_by_score_band")
    assert (bars.type, json.loads(bars.value), bars.numeric) == (
        "bar_chart",
        [0.97, 0.88, 0.64, 0.21],
        None,
    )
    policy = _result(read, "decision_threshold_policy")
    assert (policy.value, policy.numeric) == ("approve below 0.18", None)
    floor = _result(read, "meets_auc_floor")
    assert (floor.type, floor.value, floor.numeric) == ("boolean", "true", None)
    assert _result(read, "auc").numeric == 0.864
    assert read.warnings == []  # charts, texts and booleans are legitimately not numbers


def test_credit_risk_card_additional_information(fixtures: Path) -> None:
    read = _fixture(fixtures, "credit-risk-classifier.json")
    card = read.card
    assert card.ethical_considerations.text.startswith("Age, sex and nationality are excluded")
    assert card.caveats_and_recommendations.text.startswith("Do not use for secured lending")
    custom = {s.title: s.text for s in card.extra_sections if "custom_details" in s.source}
    assert custom == {"model_risk_tier": "Tier 1", "next_validation_due": "2025-03-31"}


def test_regression_card_with_model_monitor_metrics(fixtures: Path) -> None:
    read = _fixture(fixtures, "demand-forecast-regression.json")
    assert read.warnings == []
    card = read.card
    assert card.model_details.name == "store-weekly-demand-regressor"
    assert card.model_details.version == "7"
    assert card.model_details.model_type == "Regression"
    assert card.risk_rating == "low"
    mae = _result(read, "mae")
    assert (mae.value, mae.numeric) == ("1.5915896386811228", 1.5915896386811228)
    assert mae.slice == ""
    assert mae.details["metric_group"] == "regression_metrics"
    assert mae.dataset.endswith("monitoring/2024-05/ground-truth-merged.csv")
    assert _result(read, "r2").numeric == 0.23671182319828743
    assert _result(read, "rmse - standard_deviation").numeric == 0.04254133766539425
    wape = _result(read, "backtest_wape")
    assert wape.details["reported_by"] == "team"
    assert wape.details["notes"].startswith("Weighted absolute percentage error")
    assert _extra(read, "training_details.objective_function") == (
        "Minimize Loss\nCondition: absolute_loss"
    )
    assert card.caveats_and_recommendations.text.startswith("Forecasts for stores open less")
    assert _extra(read, "business_details.business_problem").startswith("Cut out-of-stock weeks")


def test_minimal_card(fixtures: Path) -> None:
    read = _fixture(fixtures, "minimal.json")
    assert read.warnings == []
    assert read.card.model_details.name == "churn-baseline"
    assert read.card.model_details.description == (
        "Logistic regression baseline for monthly subscriber churn."
    )
    assert read.card.risk_rating == "unknown"
    assert read.card.quantitative_analyses.results == []


def _published_schemas(corpus: Path) -> dict[str, dict[str, Any]]:
    schemas = corpus / "schemas"
    core = json.loads((schemas / "sagemaker-core-model_card_schema.v0.1.0.json").read_text())
    page = (schemas / "awsdocs-sagemaker-model-cards-with-json-schema.md").read_text()
    start = page.index("```\n{") + 4
    guide = json.loads(page[start : page.index("```", start)])
    # The two snapshots each miss fields the other has; the service (see the
    # CloudFormation AWS::SageMaker::ModelCard ModelOverview) takes both, so the
    # "service" schema is the core one with the guide's model_overview fields.
    service = copy.deepcopy(core)
    service["properties"]["model_overview"]["properties"].update(
        guide["properties"]["model_overview"]["properties"]
    )
    return {"core": core, "guide": guide, "service": service}


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("credit-risk-classifier.json", "service"),
        ("demand-forecast-regression.json", "service"),
        ("minimal.json", "service"),
        ("minimal.json", "guide"),
    ],
)
def test_fixture_cards_are_valid_against_the_published_schema(
    corpus: Path, fixtures: Path, name: str, schema: str
) -> None:
    jsonschema = pytest.importorskip(
        "jsonschema",
        reason="jsonschema is not installed in the project venv (not a project dependency), "
        "so the fixture cards cannot be checked against the SageMaker schema here",
    )
    card = json.loads((fixtures / "cards" / "sagemaker" / name).read_text())
    validator = jsonschema.Draft7Validator(_published_schemas(corpus)[schema])
    assert [error.message for error in validator.iter_errors(card)] == []


def test_fixture_cards_are_all_tested(fixtures: Path) -> None:
    names = {path.name for path in (fixtures / "cards" / "sagemaker").glob("*.json")}
    assert names == set(CARDS)


# -- the SDK's corpus: fragments and raw reports are no cards ----------------------


@pytest.mark.parametrize(
    "name",
    [
        "sdk-testdata-translated_clarify_bias.json",
        "sdk-testdata-translated_clarify_explanation.json",
        "sdk-testdata-translated_model_monitor_model_quality_binary_classification.json",
        "sdk-testdata-translated_model_monitor_model_quality_regression.json",
    ],
)
def test_translated_metric_group_fragments_are_refused(corpus: Path, name: str) -> None:
    path = corpus / "sagemaker" / name
    with pytest.raises(CardRefused) as refused:
        read_card(path.read_bytes(), name)
    assert refused.value.file == name
    assert refused.value.field == "metric_groups"
    assert refused.value.reason.startswith("this is a fragment of a SageMaker card")


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        (
            "sdk-testdata-clarify_bias.json",
            "post_training_bias_metrics, pre_training_bias_metrics, version",
        ),
        (
            "sdk-testdata-model_monitor_model_quality_binary_classification.json",
            "binary_classification_metrics",
        ),
    ],
)
def test_raw_clarify_and_model_monitor_reports_are_refused(
    corpus: Path, name: str, keys: str
) -> None:
    path = corpus / "sagemaker" / name
    with pytest.raises(CardRefused) as refused:
        read_card(path.read_bytes(), name)
    assert refused.value.reason == (
        "the JSON is not a model card in a known format (Countersign, Hugging Face, "
        f"Model Card Toolkit, SageMaker or CycloneDX); its top-level keys are: {keys}"
    )


def test_corpus_sagemaker_files_are_all_covered(corpus: Path) -> None:
    assert len(list((corpus / "sagemaker").glob("*.json"))) == 6


# -- recognising a card ------------------------------------------------------------


def test_looks_like_sagemaker() -> None:
    for key in (
        "model_overview",
        "intended_uses",
        "business_details",
        "training_details",
        "evaluation_details",
        "additional_information",
        "model_package_details",
    ):
        assert looks_like_sagemaker({key: {}})
    assert not looks_like_sagemaker({"metric_groups": []})
    assert not looks_like_sagemaker({"model_details": {"name": "m"}})
    assert not looks_like_sagemaker(
        {"$schema": "http://json-schema.org/draft-07/schema#", "model_overview": {}}
    )
    # A card that declares the schema it follows is still a card.
    assert looks_like_sagemaker({"$schema": "./card.schema.json", "model_overview": {}})


def test_read_sagemaker_refuses_a_document_with_no_sagemaker_section() -> None:
    with pytest.raises(CardRefused) as refused:
        read_sagemaker({"metric_groups": []}, "fragment.json")
    assert "this is not a SageMaker model card" in refused.value.reason


# -- warnings ------------------------------------------------------------------------


def test_no_model_name_warns() -> None:
    read = _sagemaker({"intended_uses": {"risk_rating": "Low"}})
    assert _warnings(read) == {"model_overview.model_name": "the card gives no model name"}
    assert read.card.risk_rating == "low"


def test_unknown_risk_rating_warns_and_keeps_the_text() -> None:
    read = _sagemaker(
        {"model_overview": {"model_name": "m"}, "intended_uses": {"risk_rating": "Severe"}}
    )
    assert _warnings(read)["intended_uses.risk_rating"] == (
        "the risk rating 'Severe' is not one of High, Medium, Low or Unknown; "
        "the card has no risk rating and the text is kept as an extra section"
    )
    assert read.card.risk_rating == ""
    assert _extra(read, "intended_uses.risk_rating") == "Severe"


def test_wrong_types_warn_and_keep_the_value_as_text() -> None:
    read = _sagemaker(
        {
            "model_overview": {
                "model_name": "m",
                "model_description": 12,
                "model_artifact": "s3://bucket/model.tar.gz",
                "model_version": "2b",
            },
            "intended_uses": "everything",
            "additional_information": {"custom_details": {"approvals": ["cro", "cfo"]}},
        }
    )
    warnings = _warnings(read)
    assert read.card.model_details.description == "12"
    assert warnings["model_overview.model_description"] == (
        "expected text but found a number; the value is kept as text"
    )
    assert warnings["model_overview.model_artifact"] == (
        "expected a list but found text; it is read as one item"
    )
    assert _extra(read, "model_overview.model_artifact") == "s3://bucket/model.tar.gz"
    assert read.card.model_details.version == "2b"
    assert "expected an object but found text" in warnings["intended_uses"]
    assert _extra(read, "intended_uses") == "everything"
    custom_path = "additional_information.custom_details.approvals"
    assert "expected text but found a list" in warnings[custom_path]
    assert json.loads(_extra(read, custom_path)) == ["cro", "cfo"]


def test_metric_problems_warn() -> None:
    metrics = [
        {"name": "auc", "type": "number", "value": "NaN"},
        {"name": "histogram", "type": "histogram", "value": [1, 2]},
        {"name": "lift", "value": 1.7},
        {"type": "number", "value": 0.5},
        5,
        {"name": "recall", "type": "number"},
        {"name": "precision", "type": "number", "value": [0.5, 0.6]},
        {"name": "confusion_matrix", "type": "matrix", "value": 4},
    ]
    read = _sagemaker(
        {
            "model_overview": {"model_name": "m"},
            "evaluation_details": [
                {"metric_groups": [{"metric_data": metrics}]},
            ],
        }
    )
    base = "evaluation_details[0]"
    data = f"{base}.metric_groups[0].metric_data"
    kept = "the value is kept as an extra section"
    assert _warnings(read) == {
        f"{base}.name": "the evaluation has no name",
        f"{base}.metric_groups[0].name": "the metric group has no name",
        f"{data}[0].value": "the value 'NaN' holds no number",
        f"{data}[1].type": "the metric type 'histogram' is unknown; the value is kept as text",
        f"{data}[2].type": "the metric has no type; the value is kept as text",
        f"{data}[3].name": "the metric has no name",
        f"{data}[4]": f"expected an object but found a number; {kept}",
        f"{data}[5].value": "the metric has no value",
        f"{data}[6].value": "a number metric holds a list; it is kept as JSON text",
        f"{data}[7].value": "a matrix metric holds a number, not a list",
    }
    results = read.card.quantitative_analyses.results
    assert [(r.value, r.numeric) for r in results] == [
        ("NaN", None),
        ("[1,2]", None),
        ("1.7", 1.7),
        ("0.5", 0.5),
        ("", None),
        ("[0.5,0.6]", None),
        ("4", 4.0),
    ]
    assert _extra(read, f"{data}[4]") == "5"


def test_training_metric_without_a_number_warns() -> None:
    job = {"training_metrics": [{"name": "val:rmse", "value": "n/a"}]}
    read = _sagemaker(
        {"model_overview": {"model_name": "m"}, "training_details": {"training_job_details": job}}
    )
    field = "training_details.training_job_details.training_metrics[0].value"
    assert _warnings(read) == {field: "the value 'n/a' holds no number"}
    [result] = read.card.quantitative_analyses.results
    assert (result.name, result.value, result.numeric) == ("val:rmse", "n/a", None)


def test_unmapped_fields_become_extra_sections_with_their_json_path() -> None:
    read = _sagemaker(
        {
            "model_overview": {"model_name": "m", "model_family": "gbm"},
            "model_package_details": {
                "model_package_group_name": "credit",
                "model_package_version": 4,
            },
            "evaluation_details": [{"name": "e", "owner": "qa"}],
        }
    )
    assert read.warnings == []
    assert _extra(read, "model_overview.model_family") == "gbm"
    assert json.loads(_extra(read, "model_package_details")) == {
        "model_package_group_name": "credit",
        "model_package_version": 4,
    }
    assert _extra(read, "evaluation_details[0].owner") == "qa"


def test_evaluation_without_datasets_uses_its_name_as_the_dataset() -> None:
    evaluation = {
        "name": "Offline replay",
        "metric_groups": [
            {"name": "g", "metric_data": [{"name": "hit_rate", "type": "number", "value": 0.31}]}
        ],
    }
    read = _sagemaker({"model_overview": {"model_name": "m"}, "evaluation_details": [evaluation]})
    [result] = read.card.quantitative_analyses.results
    assert (result.dataset, result.numeric, result.slice) == ("Offline replay", 0.31, "")
