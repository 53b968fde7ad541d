"""Model info for draft tests: the flow's example, and one that passes the standard checklist."""

from __future__ import annotations

from typing import Any

FLOW_EXAMPLE: dict[str, Any] = {
    "name": "ImageClassifier",
    "version": "1.0",
    "metrics": {"accuracy": 0.92},
    "limitations": "May misclassify rare images",
}
"""The example of the model-card flow, as written in issue 17."""


def full_model_info() -> dict[str, Any]:
    """Model info whose card passes every automatic check of the standard template."""
    return {
        "name": "retail-churn-predictor",
        "version": "2.1",
        "summary": "Predicts which retail customers will cancel within 90 days.",
        "model_type": "tabular-classification",
        "owners": [{"name": "Customer Analytics", "contact": "customer-analytics@example.com"}],
        "intended_use": (
            "Ranks active retail customers by their risk of cancelling in the next 90 days, "
            "so that the retention team can call the riskiest first."
        ),
        "out_of_scope": ["Pricing decisions", "Any automated action without a person deciding"],
        "factors": "Tenure band, region and contract type; results are reported for each.",
        "metrics": [
            {
                "name": "auc",
                "value": 0.87,
                "task": "tabular-classification",
                "dataset": "churn-holdout-2026",
                "split": "test",
            },
            {
                "name": "auc",
                "value": 0.81,
                "task": "tabular-classification",
                "dataset": "churn-holdout-2026",
                "split": "test",
                "slice": "tenure < 1 year",
            },
        ],
        "evaluation_data": (
            "Out-of-time holdout: every active customer of January to March 2026, 48,000 rows, "
            "none of them in the training period."
        ),
        "training_data": (
            "Customer records from 2023 to 2025 (410,000 rows), held under the customer "
            "contract; no special-category personal data."
        ),
        "ethical_considerations": (
            "Customers with short tenure are scored less accurately; the retention team "
            "reviews every call list before use."
        ),
        "limitations": [
            "Scores are less accurate for customers with under a year of tenure.",
            "Not validated for business accounts, which churn for different reasons.",
        ],
        "license": "proprietary",
        "tags": ["churn", "retail"],
    }
