"""Which way is better for a metric, read by the shipped policy from the names cards really use."""

from __future__ import annotations

import pytest

from countersign.models.metric_policy import MetricPolicy
from countersign.services.policy.policies import shipped_judge, shipped_policy
from countersign.services.policy.terms import MetricJudge, MetricRule, verdict


def metric_direction(name: str, metric_type: str = "") -> str:
    return shipped_judge().rule(name, metric_type).direction


@pytest.mark.parametrize(
    "name",
    [
        "accuracy",
        "eval_accuracy",
        "Top-1",
        "ROC AUC",
        "F1-score",
        "macro F1",
        "Precision at review threshold",
        "Recall at 0.5% false positive rate",
        "BLEU",
        "chrF++",
        "ROUGE-L",
        "mAP@0.5",
        "R^2",
        "exact match",
        "precision@10",
    ],
)
def test_higher_is_better(name: str) -> None:
    assert metric_direction(name) == "higher"


@pytest.mark.parametrize(
    "name",
    [
        "Test WER",
        "WER (%)",
        "CER",
        "eval_loss",
        "Pinball loss at 0.9",
        "top-1 error",
        "Word error rate",
        "perplexity",
        "RMSE",
        "MAE",
        "False positive rate at review threshold",
        "negative log likelihood",
        "WAPE",
        "latency p95",
        "under-triage rate",
        "Brier score",
    ],
)
def test_lower_is_better(name: str) -> None:
    assert metric_direction(name) == "lower"


@pytest.mark.parametrize(
    ("name", "target", "label"),
    [
        ("Adverse impact ratio", 1, "parity"),
        ("Disparate impact (DI)", 1, "parity"),
        ("Difference in positive proportions in predicted labels (DPPL)", 0, "parity"),
        ("Demographic parity difference", 0, "parity"),
        ("Calibration slope", 1, "perfect calibration"),
        ("Expected calibration error", 0, "perfect calibration"),
        ("Bias (forecast / actual - 1)", 0, "no bias"),
        ("forecast_bias", 0, "no bias"),
    ],
)
def test_targets_are_read_before_directions(name: str, target: float, label: str) -> None:
    rule = shipped_judge().rule(name)
    assert (rule.direction, rule.target, rule.target_label) == ("target", target, label)


@pytest.mark.parametrize("name", ["Approval rate", "score", "Confusion matrix", ""])
def test_unknown_directions_are_not_guessed(name: str) -> None:
    assert metric_direction(name) == "unknown"


def test_the_metric_type_decides_when_the_name_does_not() -> None:
    assert metric_direction("Common Voice 8 test", "wer") == "lower"
    assert metric_direction("Accuracy", "wer") == "higher"  # the name wins


def test_verdict_follows_direction_and_sign() -> None:
    higher, lower = MetricRule("higher"), MetricRule("lower")
    assert verdict(higher, 0.5, 0.51) == "better"
    assert verdict(higher, 0.5, 0.49) == "worse"
    assert verdict(lower, 1.0, 0.6) == "better"
    assert verdict(lower, 1.0, 1.4) == "worse"
    assert verdict(lower, 1.0, 1.0) == "same"
    assert verdict(MetricRule("unknown"), 1.0, 1.4) == "unknown"
    assert verdict(higher, None, 0.5) == "unknown"


def test_a_target_is_judged_by_the_distance_to_it() -> None:
    parity = MetricRule("target", 1.0, "parity")
    assert verdict(parity, 0.81, 0.85) == "better"
    assert verdict(parity, 0.97, 0.96) == "worse"
    assert verdict(parity, 0.9, 1.1) == "same"  # as far above parity as it was below
    assert verdict(parity, 1.3, 1.1) == "better"  # coming down towards 1 is better
    no_bias = MetricRule("target", 0.0, "no bias")
    assert verdict(no_bias, -0.04, 0.02) == "better"
    assert verdict(no_bias, 0.01, -0.03) == "worse"
    assert parity.verdict_words("better") == "better (towards parity)"
    assert parity.verdict_words("worse") == "worse (away from parity)"
    assert parity.words() == "closer to 1 (parity) is better"


def _officer(*metrics: dict[str, object]) -> MetricPolicy:
    return MetricPolicy.model_validate({"version": 1, "title": "Office", "metrics": list(metrics)})


def test_an_officer_term_extends_and_overrides_the_shipped_ones() -> None:
    judge = MetricJudge(
        shipped_policy(),
        _officer(
            {"name": "approval rate", "direction": "higher"},
            {"name": "accuracy", "direction": "lower", "aliases": ["hit ratio"]},
            {"name": "error budget remaining", "direction": "higher"},
        ),
    )
    assert judge.rule("Approval rate").direction == "higher"
    assert judge.rule("Accuracy").direction == "lower"  # overridden by name
    assert judge.rule("Balanced accuracy").direction == "lower"
    # The shipped term "accuracy" is replaced, aliases and all: "acc" says nothing now.
    assert judge.rule("acc").direction == "unknown"
    assert judge.rule("Hit ratio at 10").direction == "lower"
    # An officer's term wins over a shipped word in the same name ("error" is lower).
    assert judge.rule("Error budget remaining").direction == "higher"
    assert judge.rule("Word error rate").direction == "lower"  # the rest stay shipped
    sources = dict((term.name, source) for term, source in judge.terms())
    assert sources["approval rate"] == "office"
    assert sources["auc"] == "shipped"
