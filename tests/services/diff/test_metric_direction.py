"""Which way is better for a metric, read from the names cards really use."""

from __future__ import annotations

import pytest

from countersign.services.diff.metric_direction import metric_direction, verdict


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
        "Expected calibration error",
        "negative log likelihood",
        "WAPE",
        "latency p95",
    ],
)
def test_lower_is_better(name: str) -> None:
    assert metric_direction(name) == "lower"


@pytest.mark.parametrize(
    "name", ["KS statistic", "Approval rate", "Adverse impact ratio", "score", "Bias", ""]
)
def test_unknown_directions_are_not_guessed(name: str) -> None:
    assert metric_direction(name) == "unknown"


def test_the_metric_type_decides_when_the_name_does_not() -> None:
    assert metric_direction("Common Voice 8 test", "wer") == "lower"
    assert metric_direction("Accuracy", "wer") == "higher"  # the name wins


def test_verdict_follows_direction_and_sign() -> None:
    assert verdict("higher", 0.01) == "better"
    assert verdict("higher", -0.01) == "worse"
    assert verdict("lower", -0.4) == "better"
    assert verdict("lower", 0.4) == "worse"
    assert verdict("lower", 0.0) == "same"
    assert verdict("unknown", 0.4) == "unknown"
    assert verdict("higher", None) == "unknown"
