"""Automatic checks: each kind passes or fails over a real card, with the value found as evidence."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from countersign.formats.detect import read_card
from countersign.models.card import ModelCard
from countersign.models.checklist import AutomaticCheck
from countersign.services.reviews.checks import CheckResult, run_check
from tests.helpers.bundles import native_card_bytes
from tests.helpers.registry import native_card

_CHECK: TypeAdapter[AutomaticCheck] = TypeAdapter(AutomaticCheck)


def _run(
    check: dict[str, Any], card: ModelCard, warnings: list[dict[str, str]] | None = None
) -> CheckResult:
    return run_check(_CHECK.validate_python(check), card, warnings or [])


def _credit_scorer_v2() -> ModelCard:
    return read_card(native_card_bytes("credit-scorer-v2.json"), "credit-scorer-v2.json").card


def test_field_present_reads_a_whole_section_and_quotes_it() -> None:
    card = _credit_scorer_v2()
    result = _run({"kind": "field_present", "field": "metrics.decision_thresholds"}, card)
    assert result.passed
    assert "Applications scoring above 0.16 are sent to manual review." in result.evidence
    long = _run({"kind": "field_present", "field": "intended_use", "min_length": 5000}, card)
    assert long.result == "fail"
    assert "intended_use has 287 characters" in long.evidence
    assert "at least 5000 are needed" in long.evidence
    empty = _run({"kind": "field_present", "field": "model_details.citation"}, card)
    assert (empty.result, empty.evidence) == ("fail", "model_details.citation is empty")


def test_list_not_empty_names_the_entries() -> None:
    card = _credit_scorer_v2()
    result = _run({"kind": "list_not_empty", "field": "intended_use.out_of_scope"}, card)
    assert result.passed
    assert "3 entries: Mortgage or business lending; Automated decline" in result.evidence
    none = _run({"kind": "list_not_empty", "field": "tags"}, native_card("m", "1"))
    assert (none.result, none.evidence) == ("fail", "tags has no entries")


def test_metric_bounds_on_dataset_and_slice() -> None:
    card = native_card("credit-scorer", "1.0")  # auc 0.87 overall, 0.81 for age < 25
    overall = _run({"kind": "metric_at_least", "metric": "AUC", "value": 0.85}, card)
    assert overall.passed
    assert overall.evidence == "auc = 0.87 (holdout-2026, test): at least 0.85"
    young = _run(
        {"kind": "metric_at_least", "metric": "auc", "value": 0.85, "slice": "age < 25"}, card
    )
    assert young.result == "fail"
    assert young.evidence == "auc = 0.81 (holdout-2026, test, age < 25): needs at least 0.85"
    at_most = _run({"kind": "metric_at_most", "metric": "auc", "value": 0.9}, card)
    assert at_most.passed
    elsewhere = _run(
        {"kind": "metric_at_least", "metric": "auc", "value": 0.5, "dataset": "other-data"}, card
    )
    assert (elsewhere.result, elsewhere.evidence) == (
        "fail",
        "no auc result reported on other-data overall",
    )


def test_metric_that_is_not_a_number_fails() -> None:
    card = native_card(
        "asr",
        "1",
        quantitative_analyses={"results": [{"name": "wer", "value": "NA", "dataset": "cv8"}]},
    )
    result = _run({"kind": "metric_at_most", "metric": "wer", "value": 0.3}, card)
    assert result.result == "fail"
    assert result.evidence == "wer = NA (cv8): 'NA' is not a number"


def test_license_in_list() -> None:
    card = native_card("m", "1", license="Apache-2.0")
    allowed = {"kind": "license_in", "allowed": ["apache-2.0", "mit"]}
    assert _run(allowed, card).evidence == "license: Apache-2.0"
    gpl = _run(allowed, native_card("m", "1", license="gpl-3.0"))
    assert (gpl.result, gpl.evidence) == (
        "fail",
        "license: gpl-3.0, which is not one of apache-2.0, mit",
    )
    none = _run(allowed, native_card("m", "1", license=""))
    assert (none.result, none.evidence) == ("fail", "the card states no licence")


def test_no_format_warnings() -> None:
    card = native_card("m", "1")
    check = {"kind": "no_format_warnings"}
    assert _run(check, card).passed
    warned = _run(
        check,
        card,
        [{"field": "model-index[0].results[1].metrics[0].value", "message": "'NA' is no number"}],
    )
    assert warned.result == "fail"
    assert warned.evidence == (
        "1 format warnings: model-index[0].results[1].metrics[0].value: 'NA' is no number"
    )
